/*
 * test_attendance.c - the live flow end to end through nginx + nchan:
 * initiate, WebSocket events, submits over the socket and over HTTP, the
 * one-retry rule, anti-proxy flags, absentees at the window's end, the
 * teacher's live-status and manual marks, the relay finalising after a
 * restart, and a reconnect that loses nothing.
 *
 * The integration stack runs with a short OTP_TTL (tests/run), so windows
 * end within seconds.  Each test builds its own class.
 */
#include <criterion/criterion.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "guard.h"
#include "ratelimit.h"
#include "it.h"
#include "itclass.h"
#include "rotation.h"
#include "ws.h"

#define NSTUDENTS 4

static int
port(void)
{
	const char *p = getenv("EHAZIRA_HTTP_PORT");

	return p ? atoi(p) : 8080;
}

static struct ws *
connect_as(const char *token, const char *proto, const char *extra)
{
	char path[256], offer[4200];
	int status = 0;
	struct ws *w;

	/* extra: "?last_event_id=..." */
	snprintf(path, sizeof(path), "/ws%s", extra ? extra : "");
	snprintf(offer, sizeof(offer), "%s%sbearer.%s", proto ? proto : "",
	    proto ? ", " : "", token);
	w = ws_connect(port(), path, offer, 5000, &status);
	cr_assert_not_null(w, "WebSocket upgrade refused (%d)", status);
	return w;
}

static void
wrong_code(const char *otp, char out[5])
{
	snprintf(out, 5, "%04u", (unsigned)(atoi(otp) + 1) % 10000u);
}

/* Sends a submit over the socket and returns the submit.result. */
static json_t *
ws_submit(struct ws *w, long long sid, const char *otp)
{
	char msg[128];

	snprintf(msg, sizeof(msg),
	    "{\"type\":\"submit\",\"session_id\":%lld,\"otp\":\"%s\"}", sid,
	    otp);
	cr_assert_eq(ws_send_text(w, msg), 0);
	return ws_expect_type(w, "submit.result", 5000);
}

static const char *
status_of(struct it_class *k, long long sid, int i)
{
	static char st[4];
	struct db_rows rows;

	if (db_query(it_db(), it_arena(), &rows,
		"SELECT status FROM attendance WHERE session_id = ? AND "
		"student_email = ?",
		"Is", sid, k->students[i]) != DB_OK ||
	    rows.nrows == 0)
		return "-";
	snprintf(st, sizeof(st), "%s", db_get(&rows, 0, 0));
	return st;
}

static void
wait_finalized(long long sid, int seconds)
{
	int i;

	for (i = 0; i < seconds * 10; i++) {
		if (it_sql_int("SELECT COUNT(*) FROM attendance_window WHERE "
			       "session_id = ? AND finalized_at IS NULL",
			"I", sid) == 0)
			return;
		usleep(100000);
	}
	cr_assert_fail("window of session %lld not finalised in %d s", sid,
	    seconds);
}

Test(attendance, the_whole_round_over_the_websocket, .timeout = 60)
{
	struct it_class k;
	struct ws *teacher, *s[NSTUDENTS];
	json_t *m, *res;
	char otp[5], bad[5];
	long long sid;
	int i;

	IT_REQUIRE_STACK();
	it_class_make(&k, "flow", NSTUDENTS, "ANDROID");
	teacher = connect_as(k.teacher_tok, "ws+meta.nchan", NULL);
	for (i = 0; i < NSTUDENTS; i++)
		s[i] = connect_as(k.tokens[i], NULL, NULL);
	sid = it_class_initiate(&k, otp);
	wrong_code(otp, bad);

	/* started reaches every student, without the code */
	for (i = 0; i < NSTUDENTS; i++) {
		m = ws_expect_type(s[i], "attendance.started", 3000);
		cr_assert_not_null(m, "student %d got attendance.started", i);
		cr_assert_eq(json_integer_value(
				 json_object_get(m, "session_id")),
		    sid);
		cr_assert_null(json_object_get(m, "otp"), "no OTP on the wire");
		json_decref(m);
	}

	/* 0: correct at once -> P */
	res = ws_submit(s[0], sid, otp);
	cr_assert_not_null(res);
	cr_assert_str_eq(json_string_value(json_object_get(res, "status")),
	    "P");
	json_decref(res);
	m = ws_expect_type(teacher, "attendance.submission", 3000);
	cr_assert_not_null(m, "the teacher sees the submission");
	cr_assert_str_eq(json_string_value(json_object_get(m, "student_email")),
	    k.students[0]);
	cr_assert_str_eq(json_string_value(json_object_get(m, "status")), "P");
	cr_assert_str_eq(json_string_value(json_object_get(m, "roll_no")),
	    "01");
	json_decref(m);
	cr_assert_str_eq(status_of(&k, sid, 0), "P");

	/* 0 again: idempotent */
	res = ws_submit(s[0], sid, bad);
	cr_assert_str_eq(json_string_value(json_object_get(res, "status")),
	    "P");
	json_decref(res);

	/* 1: wrong then right -> P on attempt 2 */
	res = ws_submit(s[1], sid, bad);
	cr_assert_eq(json_integer_value(json_object_get(res, "status_code")),
	    422);
	cr_assert_eq(json_integer_value(json_object_get(res, "tries_left")), 1);
	json_decref(res);
	res = ws_submit(s[1], sid, otp);
	cr_assert_str_eq(json_string_value(json_object_get(res, "status")),
	    "P");
	cr_assert_eq(json_integer_value(json_object_get(res, "attempt")), 2);
	json_decref(res);

	/* 2: wrong twice -> no tries left, even with the right code */
	json_decref(ws_submit(s[2], sid, bad));
	res = ws_submit(s[2], sid, bad);
	cr_assert_str_eq(json_string_value(
			     json_object_get(json_object_get(res, "error"),
				 "code")),
	    "no_tries_left");
	json_decref(res);
	res = ws_submit(s[2], sid, otp);
	cr_assert_eq(json_integer_value(json_object_get(res, "status_code")),
	    403);
	json_decref(res);
	cr_assert_str_eq(status_of(&k, sid, 2), "-");

	/* a malformed frame is answered, and the socket stays open */
	cr_assert_eq(ws_send_text(s[3], "{not json"), 0);
	m = ws_expect_type(s[3], "error", 3000);
	cr_assert_not_null(m);
	json_decref(m);
	cr_assert(!ws_closed(s[3]));

	/* 3 does nothing: absent once the window ends (relay) */
	m = ws_expect_type(teacher, "attendance.closed", 15000);
	cr_assert_not_null(m, "the relay closed the window");
	cr_assert_eq(json_integer_value(
			 json_object_get(json_object_get(m, "totals"),
			     "present")),
	    2);
	cr_assert_eq(json_integer_value(
			 json_object_get(json_object_get(m, "totals"),
			     "absent")),
	    2);
	json_decref(m);
	cr_assert_str_eq(status_of(&k, sid, 2), "A");
	cr_assert_str_eq(status_of(&k, sid, 3), "A");
	m = ws_expect_type(s[3], "attendance.closed", 3000);
	cr_assert_not_null(m, "the class hears the window close");
	json_decref(m);

	/* late: refused whatever the code */
	res = ws_submit(s[3], sid, otp);
	cr_assert_str_eq(json_string_value(
			     json_object_get(json_object_get(res, "error"),
				 "code")),
	    "window_closed");
	json_decref(res);
	for (i = 0; i < NSTUDENTS; i++)
		ws_close(s[i]);
	ws_close(teacher);
}

static void
send_evidence(const char *token, long long sid)
{
	struct it_resp r;
	char body[128];

	snprintf(body, sizeof(body),
	    "{\"type\":\"app_switch\",\"session_id\":%lld}", sid);
	cr_assert_eq(it_post_json("/attendance/telemetry", token, body, &r), 0);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_assert(json_is_true(json_object_get(r.json, "recorded")), "%s",
	    r.body);
	it_resp_free(&r);
}

static const char *
submit_status(const char *token, long long sid, const char *otp)
{
	static char status[8];
	struct it_resp r;
	char body[128];

	snprintf(body, sizeof(body), "{\"session_id\":%lld,\"otp\":\"%s\"}",
	    sid, otp);
	cr_assert_eq(it_post_json("/attendance/submit", token, body, &r), 0);
	cr_assert_eq(r.status, 200, "%s", r.body);
	snprintf(status, sizeof(status), "%s",
	    json_string_value(json_object_get(r.json, "status")));
	it_resp_free(&r);
	return status;
}

Test(attendance, focus_loss_before_a_correct_code_flags_the_student,
    .timeout = 30)
{
	struct it_class k;
	struct ws *s;
	json_t *res;
	char otp[5], body[128];
	long long sid;

	IT_REQUIRE_STACK();
	it_class_make(&k, "flag", NSTUDENTS, "ANDROID");
	s = connect_as(k.tokens[0], NULL, NULL);
	sid = it_class_initiate(&k, otp);
	snprintf(body, sizeof(body),
	    "{\"type\":\"focus_lost\",\"session_id\":%lld}", sid);
	cr_assert_eq(ws_send_text(s, body), 0);
	res = ws_expect_type(s, "evidence.result", 3000);
	cr_assert(json_is_true(json_object_get(res, "recorded")));
	json_decref(res);
	res = ws_submit(s, sid, otp);
	cr_assert_str_eq(json_string_value(json_object_get(res, "status")),
	    "R");
	json_decref(res);
	cr_assert_str_eq(status_of(&k, sid, 0), "R");
	cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM telemetry WHERE "
				"session_id = ? AND student_email = ?",
			 "Is", sid, k.students[0]),
	    1);

	/* copy over HTTP counts the same; a clean student stays P */
	cr_assert_str_eq(submit_status(k.tokens[1], sid, otp), "P");
	ws_close(s);
}

Test(attendance, evidence_flags_only_in_the_round_it_was_sent, .timeout = 30)
{
	struct it_class k;
	struct it_resp r;
	char otp[5], body[64];
	long long sid;

	IT_REQUIRE_STACK();
	it_class_make(&k, "evround", NSTUDENTS, "ANDROID");
	sid = it_class_initiate(&k, otp);
	send_evidence(k.tokens[0], sid);
	send_evidence(k.tokens[0], sid);
	cr_assert_eq(it_sql_int("SELECT a.evidence FROM attendance_attempt a "
				"JOIN session se ON se.window_id = a.window_id "
				"WHERE se.session_id = ? AND "
				"a.student_email = ?",
			 "Is", sid, k.students[0]),
	    2, "the count a submit reads follows the events");
	snprintf(body, sizeof(body), "{\"session_id\":%lld}", sid);
	cr_assert_eq(it_post_json("/attendance/close", k.teacher_tok, body, &r),
	    0);
	cr_assert_eq(r.status, 200, "%s", r.body);
	it_resp_free(&r);
	cr_assert_str_eq(status_of(&k, sid, 0), "A");

	/* round 2: last round's evidence is not held against the student */
	cr_assert_eq(it_class_initiate(&k, otp), sid);
	send_evidence(k.tokens[1], sid);
	cr_assert_str_eq(submit_status(k.tokens[0], sid, otp), "P");
	cr_assert_str_eq(submit_status(k.tokens[1], sid, otp), "R");
	cr_assert_str_eq(status_of(&k, sid, 0), "P");
	cr_assert_str_eq(status_of(&k, sid, 1), "R");
}

Test(attendance, strangers_are_refused, .timeout = 30)
{
	struct it_class k, other;
	struct it_resp r;
	char otp[5], otp2[5], body[160];
	long long sid;

	IT_REQUIRE_STACK();
	it_class_make(&k, "own", NSTUDENTS, "ANDROID");
	it_class_make(&other, "oth", NSTUDENTS, "ANDROID");
	sid = it_class_initiate(&k, otp);
	(void)it_class_initiate(&other, otp2);

	/* a student of another class, with the right code */
	snprintf(body, sizeof(body), "{\"session_id\":%lld,\"otp\":\"%s\"}",
	    sid, otp);
	cr_assert_eq(it_post_json("/attendance/submit", other.tokens[0], body,
			 &r),
	    0);
	cr_assert_eq(r.status, 403, "%s", r.body);
	cr_assert_str_eq(it_error_code(&r), "not_enrolled");
	it_resp_free(&r);

	/* another teacher: initiate, close, live-status, manual mark */
	snprintf(body, sizeof(body), "{\"period_id\":%lld}", k.period_id);
	cr_assert_eq(it_post_json("/attendance/initiate", other.teacher_tok,
			 body, &r),
	    0);
	cr_assert_eq(r.status, 403, "%s", r.body);
	it_resp_free(&r);
	snprintf(body, sizeof(body), "{\"session_id\":%lld}", sid);
	cr_assert_eq(it_post_json("/attendance/close", other.teacher_tok, body,
			 &r),
	    0);
	cr_assert_eq(r.status, 403, "%s", r.body);
	it_resp_free(&r);
	snprintf(body, sizeof(body), "/attendance/live-status?session_id=%lld",
	    sid);
	cr_assert_eq(it_get(body, other.teacher_tok, &r), 0);
	cr_assert_eq(r.status, 403);
	it_resp_free(&r);

	/* a student cannot act as a teacher, nor a teacher submit */
	snprintf(body, sizeof(body), "{\"period_id\":%lld}", k.period_id);
	cr_assert_eq(it_post_json("/attendance/initiate", k.tokens[0], body,
			 &r),
	    0);
	cr_assert_eq(r.status, 403);
	it_resp_free(&r);
	snprintf(body, sizeof(body), "{\"session_id\":%lld,\"otp\":\"%s\"}",
	    sid, otp);
	cr_assert_eq(it_post_json("/attendance/submit", k.teacher_tok, body,
			 &r),
	    0);
	cr_assert_eq(r.status, 403);
	it_resp_free(&r);

	/* no session for a day that has not come yet */
	snprintf(body, sizeof(body),
	    "{\"period_id\":%lld,\"date\":\"2099-01-01\"}", k.period_id);
	cr_assert_eq(it_post_json("/attendance/initiate", k.teacher_tok, body,
			 &r),
	    0);
	cr_assert_eq(r.status, 400, "%s", r.body);
	cr_assert_str_eq(it_error_code(&r), "future_date");
	it_resp_free(&r);

	/* a second initiate while open is a conflict */
	snprintf(body, sizeof(body), "{\"period_id\":%lld}", k.period_id);
	cr_assert_eq(it_post_json("/attendance/initiate", k.teacher_tok, body,
			 &r),
	    0);
	cr_assert_eq(r.status, 409);
	cr_assert_str_eq(it_error_code(&r), "window_open");
	it_resp_free(&r);
	cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM attendance WHERE "
				"session_id = ?",
			 "I", sid),
	    0, "nothing was marked by the refused calls");
}

Test(attendance, live_status_close_manual_mark_and_a_second_round,
    .timeout = 30)
{
	struct it_class k;
	struct it_resp r;
	json_t *st;
	char otp[5], otp2[5], body[512], path[128];
	long long sid, sid2;
	size_t i;

	IT_REQUIRE_STACK();
	it_class_make(&k, "live", NSTUDENTS, "ANDROID");
	sid = it_class_initiate(&k, otp);
	snprintf(body, sizeof(body), "{\"session_id\":%lld,\"otp\":\"%s\"}",
	    sid, otp);
	cr_assert_eq(it_post_json("/attendance/submit", k.tokens[0], body, &r),
	    0);
	it_resp_free(&r);
	snprintf(body, sizeof(body), "{\"session_id\":%lld,\"otp\":\"%04u\"}",
	    sid, (unsigned)(atoi(otp) + 5) % 10000u);
	cr_assert_eq(it_post_json("/attendance/submit", k.tokens[1], body, &r),
	    0);
	cr_assert_eq(r.status, 422);
	it_resp_free(&r);

	snprintf(path, sizeof(path), "/attendance/live-status?session_id=%lld",
	    sid);
	cr_assert_eq(it_get(path, k.teacher_tok, &r), 0);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_assert_str_eq(json_string_value(
			     json_object_get(json_object_get(r.json, "window"),
				 "otp")),
	    otp);
	cr_assert(json_integer_value(
		      json_object_get(json_object_get(r.json, "window"),
			  "seconds_left")) > 0);
	st = json_object_get(r.json, "students");
	cr_assert_eq(json_array_size(st), NSTUDENTS);
	for (i = 0; i < json_array_size(st); i++) {
		json_t *s = json_array_get(st, i);
		const char *email =
		    json_string_value(json_object_get(s, "student_email"));
		const char *state =
		    json_string_value(json_object_get(s, "state"));

		if (strcmp(email, k.students[0]) == 0)
			cr_assert_str_eq(state, "present");
		else if (strcmp(email, k.students[1]) == 0)
			cr_assert_str_eq(state, "wrong_once");
		else
			cr_assert_str_eq(state, "pending");
	}
	it_resp_free(&r);

	/* a device that chose Hindi (POST /me/lang) is told in Hindi */
	cr_assert_eq(it_sql("UPDATE device SET lang = 'hi' WHERE "
			    "device_id = ?",
			 "I", k.devices[2]),
	    DB_OK);
	/* close now: the rest are absent at once */
	snprintf(body, sizeof(body), "{\"session_id\":%lld}", sid);
	cr_assert_eq(it_post_json("/attendance/close", k.teacher_tok, body, &r),
	    0);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_assert_eq(json_integer_value(
			 json_object_get(json_object_get(r.json, "totals"),
			     "absent")),
	    NSTUDENTS - 1);
	it_resp_free(&r);
	cr_assert_str_eq(status_of(&k, sid, 1), "A");
	cr_assert_eq(it_post_json("/attendance/close", k.teacher_tok, body, &r),
	    0);
	cr_assert_eq(r.status, 409, "closing twice is refused");
	it_resp_free(&r);
	cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM outbox WHERE kind = "
				"'push.absent' AND device_id = ?",
			 "I", k.devices[1]),
	    1, "the absentee is told once");
	cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM outbox WHERE kind = "
				"'push.absent' AND device_id = ? AND "
				"payload LIKE ?",
			 "Is", k.devices[1], "%\"Marked absent\"%"),
	    1, "English by default");
	cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM outbox WHERE kind = "
				"'push.absent' AND device_id = ? AND "
				"payload LIKE ?",
			 "Is", k.devices[2],
			 "%\"\u0905\u0928\u0941\u092a\u0938\u094d\u0925"
			 "\u093f\u0924 \u0926\u0930\u094d\u091c\"%"),
	    1, "in the language of the device");

	/* second round: a new code; the absentee can still be present */
	sid2 = it_class_initiate(&k, otp2);
	cr_assert_eq(sid2, sid, "same session, new round");
	submit_status(k.tokens[1], sid, otp2);
	cr_assert_str_eq(status_of(&k, sid, 1), "P");

	/* manual mark with a reason, audited */
	snprintf(body, sizeof(body),
	    "{\"session_id\":%lld,\"student_email\":\"%s\",\"status\":\"P\","
	    "\"reason\":\"battery dead, seen in class\"}",
	    sid, k.students[3]);
	cr_assert_eq(it_post_json("/attendance/manual-mark", k.teacher_tok,
			 body, &r),
	    0);
	cr_assert_eq(r.status, 200, "%s", r.body);
	it_resp_free(&r);
	cr_assert_str_eq(status_of(&k, sid, 3), "P");
	cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM audit_log WHERE action = "
				"'attendance.manual' AND subject = ? AND "
				"new_value = 'P' AND reason LIKE 'battery%'",
			 "s", k.students[3]),
	    1);
	snprintf(body, sizeof(body),
	    "{\"session_id\":%lld,\"student_email\":\"%s\",\"status\":\"X\","
	    "\"reason\":\"r\"}",
	    sid, k.students[3]);
	cr_assert_eq(it_post_json("/attendance/manual-mark", k.teacher_tok,
			 body, &r),
	    0);
	cr_assert_eq(r.status, 400);
	it_resp_free(&r);
}

Test(attendance, the_relay_finalises_overdue_windows_after_a_restart,
    .timeout = 60)
{
	struct it_class k;
	struct it_resp r;
	char otp[5], body[128];
	long long sid;
	pid_t pid = it_pid("relay");
	int i;

	IT_REQUIRE_STACK();
	cr_assert_gt(pid, 0);
	it_class_make(&k, "rly", NSTUDENTS, "ANDROID");
	cr_assert_eq(kill(pid, SIGKILL), 0);
	for (i = 0; i < 50 && kill(pid, 0) == 0; i++)
		usleep(100000);
	sid = it_class_initiate(&k, otp);
	snprintf(body, sizeof(body), "{\"session_id\":%lld,\"otp\":\"%s\"}",
	    sid, otp);
	cr_assert_eq(it_post_json("/attendance/submit", k.tokens[0], body, &r),
	    0);
	cr_assert_eq(r.status, 200);
	it_resp_free(&r);
	/* past expiry + grace with no relay: the workers still refuse */
	sleep((unsigned)(it_config()->otp_ttl + it_config()->otp_grace + 1));
	cr_assert_eq(it_post_json("/attendance/submit", k.tokens[1], body, &r),
	    0);
	cr_assert_eq(r.status, 410, "%s", r.body);
	it_resp_free(&r);
	cr_assert_str_eq(status_of(&k, sid, 1), "-", "nobody finalised yet");
	cr_assert_eq(it_stack("up"), 0);
	wait_finalized(sid, 10);
	cr_assert_str_eq(status_of(&k, sid, 1), "A");
	cr_assert_str_eq(status_of(&k, sid, 0), "P");
	cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM attendance WHERE "
				"session_id = ?",
			 "I", sid),
	    NSTUDENTS, "every student has exactly one record");
}

Test(attendance, a_reconnecting_teacher_misses_no_event, .timeout = 30)
{
	struct it_class k;
	struct ws *t;
	struct it_resp r;
	json_t *m;
	char otp[5], body[128], extra[128], *last;
	long long sid;
	int i, seen[NSTUDENTS] = { 0 };

	IT_REQUIRE_STACK();
	it_class_make(&k, "rec", NSTUDENTS, "ANDROID");
	t = connect_as(k.teacher_tok, "ws+meta.nchan", NULL);
	sid = it_class_initiate(&k, otp);
	m = ws_expect_type(t, "attendance.opened", 3000);
	cr_assert_not_null(m);
	json_decref(m);
	cr_assert_not_null(ws_last_id(t));
	last = strdup(ws_last_id(t));
	ws_close(t);

	/* while the screen is away, everyone submits */
	snprintf(body, sizeof(body), "{\"session_id\":%lld,\"otp\":\"%s\"}",
	    sid, otp);
	for (i = 0; i < NSTUDENTS; i++) {
		cr_assert_eq(it_post_json("/attendance/submit", k.tokens[i],
				 body, &r),
		    0);
		cr_assert_eq(r.status, 200);
		it_resp_free(&r);
	}
	snprintf(extra, sizeof(extra), "?last_event_id=%s", last);
	t = connect_as(k.teacher_tok, "ws+meta.nchan", extra);
	for (i = 0; i < NSTUDENTS; i++) {
		const char *email;
		int j;

		m = ws_expect_type(t, "attendance.submission", 3000);
		cr_assert_not_null(m, "replayed submission %d", i);
		email = json_string_value(json_object_get(m, "student_email"));
		for (j = 0; j < NSTUDENTS; j++)
			if (strcmp(email, k.students[j]) == 0)
				seen[j]++;
		json_decref(m);
	}
	for (i = 0; i < NSTUDENTS; i++)
		cr_assert_eq(seen[i], 1, "student %d replayed once", i);
	free(last);
	ws_close(t);
}

Test(attendance, the_websocket_refuses_bad_tokens)
{
	int status = 0;
	struct ws *w;

	IT_REQUIRE_STACK();
	w = ws_connect(port(), "/ws", "ws+meta.nchan, bearer.not.a.token", 3000,
	    &status);
	cr_assert_null(w);
	cr_assert_eq(status, 401);
	w = ws_connect(port(), "/ws", NULL, 3000, &status);
	cr_assert_null(w);
	cr_assert_eq(status, 401);
}

Test(attendance, the_campus_network_policy_applies_unless_online, .timeout = 30)
{
	struct it_class k;
	struct it_resp r;
	char otp[5], body[128];
	long long sid, sid2;

	IT_REQUIRE_STACK();
	it_class_make(&k, "net", NSTUDENTS, "ANDROID");
	cr_assert_eq(it_sql("UPDATE class SET allowed_cidrs = '10.0.0.0/8' "
			    "WHERE class_id = ?",
			 "I", k.class_id),
	    DB_OK);
	sid = it_class_initiate(&k, otp);
	snprintf(body, sizeof(body), "{\"session_id\":%lld,\"otp\":\"%s\"}",
	    sid, otp);
	cr_assert_eq(it_post_json("/attendance/submit", k.tokens[0], body, &r),
	    0);
	cr_assert_eq(r.status, 403, "%s", r.body);
	cr_assert_str_eq(it_error_code(&r), "off_campus");
	it_resp_free(&r);

	/* the same class online: another period, marked online */
	cr_assert_eq(it_sql("INSERT INTO period (subject_id, day_of_week, "
			    "period_no) SELECT subject_id, 2, 2 FROM period "
			    "WHERE period_id = ?",
			 "I", k.period_id),
	    DB_OK);
	snprintf(body, sizeof(body), "{\"period_id\":%lld,\"online\":true}",
	    it_sql_int("SELECT MAX(period_id) FROM period p JOIN subject s "
		       "ON s.subject_id = p.subject_id WHERE s.class_id = ?",
		"I", k.class_id));
	cr_assert_eq(it_post_json("/attendance/initiate", k.teacher_tok, body,
			 &r),
	    0);
	cr_assert_eq(r.status, 201, "%s", r.body);
	sid2 = json_integer_value(json_object_get(r.json, "session_id"));
	snprintf(body, sizeof(body), "{\"session_id\":%lld,\"otp\":\"%s\"}",
	    sid2, json_string_value(json_object_get(r.json, "otp")));
	it_resp_free(&r);
	cr_assert_eq(it_post_json("/attendance/submit", k.tokens[0], body, &r),
	    0);
	cr_assert_eq(r.status, 200, "%s", r.body);
	it_resp_free(&r);
}

Test(attendance, a_policy_change_applies_from_the_next_window, .timeout = 30)
{
	struct it_class k;
	struct it_resp r;
	char otp[5], body[128];
	long long sid;

	IT_REQUIRE_STACK();
	it_class_make(&k, "midwin", NSTUDENTS, "ANDROID");
	sid = it_class_initiate(&k, otp);
	/* a campus network is set while the window is open */
	cr_assert_eq(it_sql("UPDATE class SET allowed_cidrs = '10.0.0.0/8' "
			    "WHERE class_id = ?",
			 "I", k.class_id),
	    DB_OK);
	snprintf(body, sizeof(body), "{\"session_id\":%lld,\"otp\":\"%s\"}",
	    sid, otp);
	cr_assert_eq(it_post_json("/attendance/submit", k.tokens[0], body, &r),
	    0);
	cr_assert_eq(r.status, 200, "not half-way through: %s", r.body);
	it_resp_free(&r);
	/* the next window holds the new policy */
	snprintf(body, sizeof(body), "{\"session_id\":%lld}", sid);
	cr_assert_eq(it_post_json("/attendance/close", k.teacher_tok, body, &r),
	    0);
	cr_assert_eq(r.status, 200, "%s", r.body);
	it_resp_free(&r);
	cr_assert_eq(it_class_initiate(&k, otp), sid);
	snprintf(body, sizeof(body), "{\"session_id\":%lld,\"otp\":\"%s\"}",
	    sid, otp);
	cr_assert_eq(it_post_json("/attendance/submit", k.tokens[1], body, &r),
	    0);
	cr_assert_eq(r.status, 403, "%s", r.body);
	cr_assert_str_eq(it_error_code(&r), "off_campus");
	it_resp_free(&r);
}

Test(attendance, the_qr_code_is_an_svg_only_while_open, .timeout = 30)
{
	struct it_class k;
	struct it_resp r;
	char otp[5], path[128], body[64];
	long long sid;

	IT_REQUIRE_STACK();
	it_class_make(&k, "qr", NSTUDENTS, "ANDROID");
	sid = it_class_initiate(&k, otp);
	snprintf(path, sizeof(path), "/attendance/qr?session_id=%lld", sid);
	cr_assert_eq(it_get(path, k.teacher_tok, &r), 0);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_assert(strstr(r.content_type, "image/svg+xml") != NULL);
	cr_assert(strncmp(r.body, "<svg", 4) == 0);
	cr_assert(strstr(r.body, "<path") != NULL);
	cr_assert(strstr(r.body, otp) == NULL, "the code is not in clear text");
	it_resp_free(&r);
	cr_assert_eq(it_get(path, k.tokens[0], &r), 0);
	cr_assert_eq(r.status, 403, "students cannot fetch it");
	it_resp_free(&r);
	snprintf(body, sizeof(body), "{\"session_id\":%lld}", sid);
	cr_assert_eq(it_post_json("/attendance/close", k.teacher_tok, body, &r),
	    0);
	it_resp_free(&r);
	cr_assert_eq(it_get(path, k.teacher_tok, &r), 0);
	cr_assert_eq(r.status, 409);
	it_resp_free(&r);
}

/* Lines of the FCM stand-in's record that mention needle. */
static int
pushes_for(const char *needle, char *otp_seen_in, size_t n)
{
	const char *path = getenv("EHAZIRA_TEST_FCM_RECORD");
	char line[8192];
	FILE *fp;
	int count = 0;

	if (path == NULL || (fp = fopen(path, "r")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), fp))
		if (strstr(line, needle)) {
			count++;
			if (otp_seen_in)
				snprintf(otp_seen_in, n, "%s", line);
		}
	fclose(fp);
	return count;
}

Test(attendance, initiate_pushes_every_enrolled_active_device_and_no_otp,
    .timeout = 30)
{
	struct it_class k, other;
	char otp[5], line[8192];
	long long off;
	int i, sent = 0, t;
	json_t *msg, *data, *v;
	const char *key;

	IT_REQUIRE_STACK();
	if (getenv("EHAZIRA_TEST_FCM_RECORD") == NULL)
		cr_skip_test("no FCM stand-in");
	it_class_make(&k, "psh", NSTUDENTS, "ANDROID");
	it_class_make(&other, "pso", NSTUDENTS, "ANDROID");
	/* an inactive (replaced) phone of student 0 must stay silent */
	off = it_device_add(k.students[0], "student", "ANDROID");
	cr_assert_eq(it_sql("UPDATE device SET active = 0, approval = "
			    "'REPLACED' WHERE device_id = ?",
			 "I", off),
	    DB_OK);
	it_class_initiate(&k, otp);
	for (t = 0; t < 100 && sent < NSTUDENTS; t++) {
		sent = (int)it_sql_int("SELECT COUNT(*) FROM outbox o JOIN "
				       "device d ON d.device_id = o.device_id "
				       "JOIN student s ON s.student_email = "
				       "d.user_email WHERE s.class_id = ? AND "
				       "o.state = 'SENT'",
		    "I", k.class_id);
		if (sent < NSTUDENTS)
			usleep(100000);
	}
	cr_assert_eq(sent, NSTUDENTS, "every enrolled active device was sent");
	for (i = 0; i < NSTUDENTS; i++) {
		struct db_rows rows;

		cr_assert_eq(db_query(it_db(), it_arena(), &rows,
				 "SELECT push_token FROM device WHERE "
				 "device_id = ?",
				 "I", k.devices[i]),
		    DB_OK);
		cr_assert_eq(pushes_for(db_get(&rows, 0, 0), line,
				 sizeof(line)),
		    1, "one push reached the stand-in for student %d", i);
		msg = json_loads(line, 0, NULL);
		cr_assert_not_null(msg, "%s", line);
		data = json_object_get(json_object_get(msg, "message"), "data");
		if (data == NULL)
			data = json_object_get(msg, "data");
		cr_assert_not_null(data, "%s", line);
		cr_assert_str_eq(json_string_value(
				     json_object_get(data, "type")),
		    "attendance.started");
		json_object_foreach(data, key, v)
		    cr_assert(strcmp(json_string_value(v), otp) != 0,
			"'%s' carries the OTP", key);
		cr_assert(strstr(line, "otp") == NULL, "%s", line);
		json_decref(msg);
	}
	cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM outbox WHERE device_id = "
				"?",
			 "I", off),
	    0, "nothing queued for the inactive phone");
	for (i = 0; i < NSTUDENTS; i++)
		cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM outbox WHERE "
					"device_id = ?",
				 "I", other.devices[i]),
		    0, "nothing for another class");
}

Test(attendance, a_reconnecting_student_misses_no_event, .timeout = 30)
{
	struct it_class k;
	struct ws *s;
	struct it_resp r;
	json_t *m;
	char otp[5], body[64], extra[160], *last, *enc, *p;
	const char *q;
	long long sid;

	IT_REQUIRE_STACK();
	it_class_make(&k, "srec", NSTUDENTS, "ANDROID");
	s = connect_as(k.tokens[0], "ws+meta.nchan", NULL);
	sid = it_class_initiate(&k, otp);
	m = ws_expect_type(s, "attendance.started", 3000);
	cr_assert_not_null(m);
	json_decref(m);
	/* class + private channel: a compound id such as "123:[0],-" */
	cr_assert_not_null(ws_last_id(s));
	last = strdup(ws_last_id(s));
	ws_close(s);

	/* away: the round closes and a second one starts */
	snprintf(body, sizeof(body), "{\"session_id\":%lld}", sid);
	cr_assert_eq(it_post_json("/attendance/close", k.teacher_tok, body, &r),
	    0);
	cr_assert_eq(r.status, 200);
	it_resp_free(&r);
	it_class_initiate(&k, otp);

	enc = malloc(strlen(last) * 3 + 1);
	for (p = enc, q = last; *q; q++)
		p += strchr(":[],", *q)
		    ? sprintf(p, "%%%02X", (unsigned char)*q)
		    : sprintf(p, "%c", *q);
	snprintf(extra, sizeof(extra), "?last_event_id=%s", enc);
	s = connect_as(k.tokens[0], "ws+meta.nchan", extra);
	m = ws_expect_type(s, "attendance.closed", 3000);
	cr_assert_not_null(m, "the close was replayed");
	json_decref(m);
	m = ws_expect_type(s, "attendance.started", 3000);
	cr_assert_not_null(m, "the second round was replayed");
	cr_assert_eq(json_integer_value(json_object_get(m, "round")), 2);
	json_decref(m);
	free(enc);
	free(last);
	ws_close(s);
}

/* POSTs a frame straight to nginx's hook socket with a chosen subject. */
static long
hook_post(const char *subject, const char *frame)
{
	char cmd[4096];
	FILE *fp;
	long code = 0;

	snprintf(cmd, sizeof(cmd),
	    "curl -s -o /dev/null -w '%%{http_code}' --unix-socket "
	    "%s/run/hook.sock -H 'X-WS-Subject: %s' -H 'Content-Type: "
	    "application/json' -d '%s' http://localhost/ws/message",
	    getenv("EHAZIRA_STATE"), subject, frame);
	if ((fp = popen(cmd, "r")) != NULL) {
		if (fscanf(fp, "%ld", &code) != 1)
			code = 0;
		pclose(fp);
	}
	return code;
}

Test(attendance, a_forged_websocket_identity_is_refused, .timeout = 30)
{
	struct it_class k;
	char otp[5], subject[512], frame[128];
	long long sid;

	IT_REQUIRE_STACK();
	it_class_make(&k, "forge", NSTUDENTS, "ANDROID");
	sid = it_class_initiate(&k, otp);
	snprintf(frame, sizeof(frame),
	    "{\"type\":\"submit\",\"session_id\":%lld,\"otp\":\"%s\"}", sid,
	    otp);
	/* the old, unsigned form */
	snprintf(subject, sizeof(subject), "s:%lld:%s", k.devices[0],
	    k.students[0]);
	cr_assert_eq(hook_post(subject, frame), 401);
	/* the signed form with a made-up signature */
	snprintf(subject, sizeof(subject), "%064d:s:%lld:%s", 0, k.devices[0],
	    k.students[0]);
	cr_assert_eq(hook_post(subject, frame), 401);
	cr_assert_str_eq(status_of(&k, sid, 0), "-", "nobody was marked");
}

/*
 * Submits arriving together are decided and written in batches (submit.c);
 * these check that what comes out is what one-at-a-time would give.
 */
struct racer {
	pthread_barrier_t *go;
	const char *token;
	char body[96];
	struct it_resp resp;
};

static void *
race(void *arg)
{
	struct racer *r = arg;

	pthread_barrier_wait(r->go);
	it_post_json("/attendance/submit", r->token, r->body, &r->resp);
	return NULL;
}

/* Fires n submits at once, each from its own thread. */
static void
submit_together(struct racer *rs, int n)
{
	pthread_t th[IT_CLASS_MAX + 2];
	pthread_barrier_t go;
	int i;

	pthread_barrier_init(&go, NULL, (unsigned)n);
	for (i = 0; i < n; i++) {
		rs[i].go = &go;
		pthread_create(&th[i], NULL, race, &rs[i]);
	}
	for (i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&go);
}

/*
 * Counts the teacher's attendance.submission events per student, those
 * that came in an attendance.submissions group too (ws_expect_type
 * unpacks them).
 */
static void
collect_events(struct ws *teacher, struct it_class *k, const char *status,
    int *seen, int want, int ms)
{
	int got = 0, i;
	long long deadline = clock_mono_ms() + ms;

	while (got < want && clock_mono_ms() < deadline) {
		json_t *j =
		    ws_expect_type(teacher, "attendance.submission", 200);
		const char *email, *st;

		if (j == NULL)
			continue;
		email = json_string_value(json_object_get(j, "student_email"));
		st = json_string_value(json_object_get(j, "status"));
		if (email && st && strcmp(st, status) == 0)
			for (i = 0; i < k->n; i++)
				if (strcmp(email, k->students[i]) == 0) {
					seen[i]++;
					got++;
				}
		json_decref(j);
	}
}

Test(attendance, a_class_submitting_at_once_gets_what_one_at_a_time_would,
    .timeout = 60)
{
	struct it_class k;
	struct racer rs[IT_CLASS_MAX];
	struct ws *teacher;
	int seen[IT_CLASS_MAX] = { 0 }, i, n = IT_CLASS_MAX;
	char otp[5], wrong[5];
	long long sid;

	it_class_make(&k, "burst", n, "ANDROID");
	teacher = connect_as(k.teacher_tok, "ws+meta.nchan", NULL);
	sid = it_class_initiate(&k, otp);
	wrong_code(otp, wrong);
	/* each student submits once: a minute boundary changes no count */
	/* the first four get the code wrong, the rest right */
	memset(rs, 0, sizeof(rs));
	for (i = 0; i < n; i++) {
		rs[i].token = k.tokens[i];
		snprintf(rs[i].body, sizeof(rs[i].body),
		    "{\"session_id\":%lld,\"otp\":\"%s\"}", sid,
		    i < 4 ? wrong : otp);
	}
	submit_together(rs, n);
	for (i = 0; i < n; i++) {
		if (i < 4) {
			cr_expect_eq(rs[i].resp.status, 422, "student %d: %s",
			    i, rs[i].resp.body);
			cr_expect_str_eq(status_of(&k, sid, i), "-");
			cr_expect_eq(it_sql_int("SELECT wrong FROM "
						"attendance_attempt a JOIN "
						"attendance_window w USING "
						"(window_id) WHERE "
						"w.session_id = ? AND "
						"a.student_email = ?",
					 "Is", sid, k.students[i]),
			    1);
		} else {
			cr_expect_eq(rs[i].resp.status, 200, "student %d: %s",
			    i, rs[i].resp.body);
			cr_expect_str_eq(json_string_value(
					     json_object_get(rs[i].resp.json,
						 "status")),
			    "P");
			cr_expect_str_eq(status_of(&k, sid, i), "P");
		}
		/* a wrong code counts against the limit, the mark does not */
		cr_expect_eq(it_sql_int("SELECT COALESCE(SUM(hits), 0) FROM "
					"rate_limit WHERE rl_key = "
					"CONCAT('submit:', ?)",
				 "s", k.students[i]),
		    i < 4 ? 1 : 0, "student %d", i);
		it_resp_free(&rs[i].resp);
	}
	cr_expect_eq(it_sql_int("SELECT COUNT(*) FROM attendance WHERE "
				"session_id = ? AND status = 'P' AND source = "
				"'OTP'",
			 "I", sid),
	    n - 4);
	/* the teacher hears of each mark once */
	collect_events(teacher, &k, "P", seen, n - 4, 5000);
	for (i = 4; i < n; i++)
		cr_expect_eq(seen[i], 1, "events for student %d", i);
	ws_close(teacher);
}

/* The limiter's window now (ratelimit_hit's clock is this machine's). */
static long long
rate_window(void)
{
	return ratelimit_window_start((long long)time(NULL), 60);
}

/*
 * Six taps of one student at once; the rate_limit hits they left, or -1
 * when a minute boundary fell inside the taps (the counter started afresh
 * there, so the count says nothing).
 */
static long long
double_tap(struct it_class *k, int *seen)
{
	struct racer rs[6];
	struct ws *teacher;
	long long sid, w0 = rate_window(), hits;
	char otp[5];
	int i;

	teacher = connect_as(k->teacher_tok, "ws+meta.nchan", NULL);
	sid = it_class_initiate(k, otp);
	memset(rs, 0, sizeof(rs));
	for (i = 0; i < 6; i++) {
		rs[i].token = k->tokens[0];
		snprintf(rs[i].body, sizeof(rs[i].body),
		    "{\"session_id\":%lld,\"otp\":\"%s\"}", sid, otp);
	}
	submit_together(rs, 6);
	for (i = 0; i < 6; i++) {
		cr_expect_eq(rs[i].resp.status, 200, "tap %d: %s", i,
		    rs[i].resp.body);
		cr_expect_str_eq(json_string_value(
				     json_object_get(rs[i].resp.json,
					 "status")),
		    "P");
		it_resp_free(&rs[i].resp);
	}
	cr_expect_eq(it_sql_int("SELECT COUNT(*) FROM attendance WHERE "
				"session_id = ?",
			 "I", sid),
	    1);
	hits = it_sql_int("SELECT hits FROM rate_limit WHERE rl_key = "
			  "CONCAT('submit:', ?)",
	    "s", k->students[0]);
	collect_events(teacher, k, "P", seen, 2, 1500);
	ws_close(teacher);
	return rate_window() == w0 ? hits : -1;
}

Test(attendance, a_double_tap_marks_once_and_answers_both, .timeout = 30)
{
	struct it_class k;
	int seen[IT_CLASS_MAX] = { 0 }, try;
	long long hits = -1;

	/* a second try cannot meet a boundary too: it takes seconds */
	for (try = 0; try < 2 && hits < 0; try++) {
		it_class_make(&k, try ? "tap2" : "tap", NSTUDENTS, "ANDROID");
		memset(seen, 0, sizeof(seen));
		hits = double_tap(&k, seen);
	}
	cr_expect_eq(hits, 5, "every tap but the one that marked counted");
	cr_expect_eq(seen[0], 1, "the teacher heard of the mark once");
}

/*
 * Puts student 0 of k at its submit limit and submits the right code:
 * the status, or -1 when a minute boundary fell between the two (the
 * limiter then counted in a fresh window).
 */
static int
submit_at_limit(struct it_class *k, long long *sid, char *otp)
{
	struct it_resp r;
	char body[96];
	long long w0;
	int status;

	*sid = it_class_initiate(k, otp);
	snprintf(body, sizeof(body), "{\"session_id\":%lld,\"otp\":\"%s\"}",
	    *sid, otp);
	w0 = rate_window();
	cr_assert_eq(it_sql("INSERT INTO rate_limit (rl_key, window_start, "
			    "hits) VALUES (CONCAT('submit:', ?), "
			    "FROM_UNIXTIME(?), ?)",
			 "sII", k->students[0], w0,
			 (long long)it_config()->submit_rate),
	    DB_OK);
	cr_assert_eq(it_post_json("/attendance/submit", k->tokens[0], body, &r),
	    0);
	status = r.status;
	if (status == 429)
		cr_expect_str_eq(it_error_code(&r), "rate_limited");
	it_resp_free(&r);
	return rate_window() == w0 ? status : -1;
}

Test(attendance, a_student_over_the_limit_is_refused_even_with_the_right_code,
    .timeout = 30)
{
	struct it_class k;
	struct it_resp r;
	char body[96], otp[5];
	long long sid = 0;
	int status = -1, try;

	for (try = 0; try < 2 && status < 0; try++) {
		it_class_make(&k, try ? "lim2" : "lim", NSTUDENTS, "ANDROID");
		status = submit_at_limit(&k, &sid, otp);
	}
	cr_expect_eq(status, 429);
	cr_expect_str_eq(status_of(&k, sid, 0), "-");
	/* the next student, within limits, is marked */
	snprintf(body, sizeof(body), "{\"session_id\":%lld,\"otp\":\"%s\"}",
	    sid, otp);
	cr_assert_eq(it_post_json("/attendance/submit", k.tokens[1], body, &r),
	    0);
	cr_expect_eq(r.status, 200, "%s", r.body);
	cr_expect_str_eq(status_of(&k, sid, 1), "P");
	it_resp_free(&r);
}

/* Makes sid's window rotate every 10 s (overlap 3 s) under secret, opened
 * ago_ms before now (the database's clock), still open. */
static void
rotate_window(long long sid, const char *secret, long long ago_ms)
{
	cr_assert_eq(it_sql("UPDATE attendance_window SET rotate_every = 10, "
			    "rotate_overlap = 3, otp_secret = ?, opened_at = "
			    "NOW(3) - INTERVAL ? MICROSECOND, expires_at = "
			    "NOW(3) + INTERVAL 30 SECOND WHERE session_id = ?",
			 "sII", secret, ago_ms * 1000, sid),
	    DB_OK);
}

static long long
delay_of(struct it_class *k, long long sid, int i)
{
	return it_sql_int("SELECT delay_ms FROM attendance WHERE session_id = "
			  "? AND student_email = ?",
	    "Is", sid, k->students[i]);
}

Test(attendance, a_rotating_code_is_taken_now_and_briefly_after_the_change,
    .timeout = 30)
{
	const char *secret = "0123456789abcdef0123456789abcdef";
	struct arena *ar = arena_new(1 << 16);
	struct it_class k;
	struct it_resp r;
	char otp[5], body[128], path[96];
	long long sid;

	IT_REQUIRE_STACK();
	it_class_make(&k, "rot", NSTUDENTS, "ANDROID");
	sid = it_class_initiate(&k, otp);
	/* 11 s in: slot 1 shows, slot 0's code lives 2 s more */
	rotate_window(sid, secret, 11000);
	cr_assert_str_eq(submit_status(k.tokens[0], sid,
			     rotation_code(secret, 1, ar)),
	    "P");
	cr_assert_str_eq(submit_status(k.tokens[1], sid,
			     rotation_code(secret, 0, ar)),
	    "P", "typed at the change: the overlap takes it");
	/* the delay counts from when the typed code was first shown */
	cr_assert_lt(delay_of(&k, sid, 0), 5000);
	cr_assert_gt(delay_of(&k, sid, 1), 10000);

	/* 15 s in: slot 0's code was relayed too late */
	rotate_window(sid, secret, 15000);
	snprintf(body, sizeof(body), "{\"session_id\":%lld,\"otp\":\"%s\"}",
	    sid, rotation_code(secret, 0, ar));
	cr_assert_eq(it_post_json("/attendance/submit", k.tokens[2], body, &r),
	    0);
	cr_assert_eq(r.status, 422, "%s", r.body);
	cr_assert_str_eq(it_error_code(&r), "wrong_otp");
	it_resp_free(&r);

	/* the teacher's screen shows the code of the moment */
	snprintf(path, sizeof(path), "/attendance/live-status?session_id=%lld",
	    sid);
	cr_assert_eq(it_get(path, k.teacher_tok, &r), 0);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_assert_str_eq(json_string_value(
			     json_object_get(json_object_get(r.json, "window"),
				 "otp")),
	    rotation_code(secret, 1, ar));
	cr_assert_eq(json_integer_value(
			 json_object_get(json_object_get(r.json, "window"),
			     "rotate_every")),
	    10);
	it_resp_free(&r);
	arena_free(ar);
}

/* The students the live board marks slow; *which* gets the one marked. */
static int
live_slow(struct it_class *k, long long sid, const char **which)
{
	struct it_resp r;
	char path[96];
	size_t i;
	json_t *st;
	int slow = 0;

	snprintf(path, sizeof(path), "/attendance/live-status?session_id=%lld",
	    sid);
	cr_assert_eq(it_get(path, k->teacher_tok, &r), 0);
	cr_assert_eq(r.status, 200, "%s", r.body);
	*which = NULL;
	json_array_foreach(json_object_get(r.json, "students"), i, st)
	{
		if (!json_is_true(json_object_get(st, "slow")))
			continue;
		slow++;
		for (size_t j = 0; j < 6; j++)
			if (strcmp(json_string_value(
				       json_object_get(st, "student_email")),
				k->students[j]) == 0)
				*which = k->students[j];
	}
	it_resp_free(&r);
	return slow;
}

Test(attendance, a_submission_far_slower_than_the_class_is_marked_slow,
    .timeout = 30)
{
	struct it_class k;
	const char *which;
	char otp[5];
	long long sid;
	size_t i;

	IT_REQUIRE_STACK();
	it_class_make(&k, "slow", 6, "ANDROID");
	sid = it_class_initiate(&k, otp);
	for (i = 0; i < 6; i++)
		cr_assert_str_eq(submit_status(k.tokens[i], sid, otp), "P");
	cr_assert_geq(delay_of(&k, sid, 0), 0, "a delay is recorded");
	/* the last one came a minute after the code was shown */
	cr_assert_eq(it_sql("UPDATE attendance SET delay_ms = 60000 WHERE "
			    "session_id = ? AND student_email = ?",
			 "Is", sid, k.students[5]),
	    DB_OK);
	cr_assert_eq(live_slow(&k, sid, &which), 1);
	cr_assert_eq(which, k.students[5]);
	/* the board keeps the window's margin, as finalisation does: a
	 * margin raised mid-window applies from the next window */
	cr_assert_eq(it_sql("UPDATE class SET slow_margin_ms = 600000 WHERE "
			    "class_id = ?",
			 "I", k.class_id),
	    DB_OK);
	cr_assert_eq(live_slow(&k, sid, &which), 1);
	cr_assert_eq(which, k.students[5]);
}
