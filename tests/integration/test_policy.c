/*
 * test_policy.c - a class's policy from the teacher's screen (GET and PUT
 * /classes/:id/policy) and what the server does with it: only a teacher
 * of the class may change it, every change is an audit row, bad values
 * are refused with a message and change nothing, a change during an open
 * window applies from the next window, the geofence turns a position far
 * outside the room into R with the distance kept, and the slow policy
 * flags the window's slowest submissions R at finalisation.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "it.h"
#include "itclass.h"
#include "ws.h"

#define NST 6

struct klass {
	long long class_id, period_id, subject_id;
	char teacher[128], students[NST][128];
	char *teacher_tok, *tokens[NST];
};

static long long
add_device(const char *email, const char *role)
{
	char uuid[64];

	snprintf(uuid, sizeof(uuid), "pol-%s-%d", it_uniq(), rand());
	cr_assert_eq(
	    it_sql("INSERT INTO device (user_email, role, device_uuid, "
		   "fingerprint_hash, platform, active, approval) VALUES "
		   "(?, ?, ?, SHA2(?, 256), 'ANDROID', 1, 'ACTIVE')",
		"ssss", email, role, uuid, uuid),
	    DB_OK);
	return it_sql_int("SELECT device_id FROM device WHERE device_uuid = ?",
	    "s", uuid);
}

static long long
one_int(const char *sql, const char *s)
{
	return it_sql_int(sql, "s", s);
}

/* A department, a class of NST students, its teacher, a subject, a period. */
static void
make_class(struct klass *k, const char *tag)
{
	char name[160], course[32];
	long long dep;
	int i;

	memset(k, 0, sizeof(*k));
	snprintf(name, sizeof(name), "Pol %s %s %d", tag, it_uniq(), rand());
	cr_assert_eq(it_sql("INSERT INTO department (department_name) VALUES "
			    "(?)",
			 "s", name),
	    DB_OK);
	dep = one_int("SELECT department_id FROM department WHERE "
		      "department_name = ?",
	    name);
	cr_assert_eq(it_sql("INSERT INTO class (department_id, batch, "
			    "semester, section) VALUES (?, '2025', 1, 'A')",
			 "I", dep),
	    DB_OK);
	k->class_id = it_sql_int("SELECT class_id FROM class WHERE "
				 "department_id = ?",
	    "I", dep);
	snprintf(k->teacher, sizeof(k->teacher), "t-%s-%s-%d@it.edu", tag,
	    it_uniq(), rand() % 1000);
	cr_assert_eq(it_sql("INSERT INTO teacher (teacher_email, name, "
			    "department_id, verified) VALUES (?, 'T', ?, 1)",
			 "sI", k->teacher, dep),
	    DB_OK);
	snprintf(course, sizeof(course), "P%.6s%.8s%d", tag, it_uniq(),
	    rand() % 1000);
	cr_assert_eq(it_sql("INSERT INTO course (course_id, course_name) "
			    "VALUES (?, 'Policy')",
			 "s", course),
	    DB_OK);
	cr_assert_eq(it_sql("INSERT INTO subject (course_id, class_id, "
			    "teacher_email) VALUES (?, ?, ?)",
			 "sIs", course, k->class_id, k->teacher),
	    DB_OK);
	k->subject_id = one_int("SELECT subject_id FROM subject WHERE "
				"course_id = ?",
	    course);
	cr_assert_eq(it_sql("INSERT INTO period (subject_id, day_of_week, "
			    "period_no) VALUES (?, 1, 1)",
			 "I", k->subject_id),
	    DB_OK);
	k->period_id = it_sql_int("SELECT period_id FROM period WHERE "
				  "subject_id = ?",
	    "I", k->subject_id);
	k->teacher_tok = it_token(k->teacher, "teacher",
	    add_device(k->teacher, "teacher"), 900);
	for (i = 0; i < NST; i++) {
		char roll[8];

		snprintf(k->students[i], sizeof(k->students[i]),
		    "s%d-%s-%s-%d@it.edu", i, tag, it_uniq(), rand() % 1000);
		snprintf(roll, sizeof(roll), "%02d", i + 1);
		cr_assert_eq(it_sql("INSERT INTO student (student_email, "
				    "name, roll_no, class_id, verified) "
				    "VALUES (?, 'S', ?, ?, 1)",
				 "ssI", k->students[i], roll, k->class_id),
		    DB_OK);
		k->tokens[i] = it_token(k->students[i], "student",
		    add_device(k->students[i], "student"), 900);
	}
}

/* PUT /classes/:id/policy body as token; the status, the reply in r. */
static long
put_policy(long long class_id, const char *token, const char *body,
    struct it_resp *r)
{
	char path[64], auth[4200];
	const char *hdrs[] = { auth, "Content-Type: application/json", NULL };

	snprintf(path, sizeof(path), "/classes/%lld/policy", class_id);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
	cr_assert_eq(it_request("PUT", path, body, strlen(body), hdrs, r), 0);
	return r->status;
}

static long long
audits(long long class_id, const char *actor)
{
	char subject[64];

	snprintf(subject, sizeof(subject), "class %lld", class_id);
	return it_sql_int("SELECT COUNT(*) FROM audit_log WHERE action = "
			  "'class.policy' AND subject = ? AND actor = ?",
	    "ss", subject, actor);
}

static long long
initiate(struct klass *k, char otp[5])
{
	struct it_resp r;
	char body[96];
	long long sid;

	snprintf(body, sizeof(body), "{\"period_id\":%lld}", k->period_id);
	cr_assert_eq(it_post_json("/attendance/initiate", k->teacher_tok, body,
			 &r),
	    0);
	cr_assert_eq(r.status, 201, "%s", r.body);
	sid = json_integer_value(json_object_get(r.json, "session_id"));
	snprintf(otp, 5, "%s",
	    json_string_value(json_object_get(r.json, "otp")));
	it_resp_free(&r);
	return sid;
}

/* Submits otp with an optional position ("" for none); the reply. */
static long
submit(const char *token, long long sid, const char *otp, const char *pos,
    struct it_resp *r)
{
	char body[256];

	snprintf(body, sizeof(body), "{\"session_id\":%lld,\"otp\":\"%s\"%s%s}",
	    sid, otp, *pos ? ",\"position\":" : "", pos);
	cr_assert_eq(it_post_json("/attendance/submit", token, body, r), 0);
	return r->status;
}

static const char *
submit_status(const char *token, long long sid, const char *otp,
    const char *pos)
{
	static char st[8];
	struct it_resp r;

	cr_assert_eq(submit(token, sid, otp, pos, &r), 200, "%s", r.body);
	snprintf(st, sizeof(st), "%s",
	    json_string_value(json_object_get(r.json, "status")));
	it_resp_free(&r);
	return st;
}

static long long
column(struct klass *k, long long sid, int i, const char *expr)
{
	char sql[256];

	snprintf(sql, sizeof(sql),
	    "SELECT COALESCE(%s, -1) FROM attendance WHERE session_id = ? "
	    "AND student_email = ?",
	    expr);
	return it_sql_int(sql, "Is", sid, k->students[i]);
}

Test(policy, a_teacher_sets_the_policy_and_each_change_is_audited)
{
	struct klass k;
	struct it_resp r;
	char path[64];
	json_t *p;

	IT_REQUIRE_STACK();
	make_class(&k, "set");
	cr_assert_eq(put_policy(k.class_id, k.teacher_tok,
			 "{\"allowed_cidrs\":[\"10.20.0.0/16\","
			 "\"2001:db8:20::/48\"],\"flag_on_focus_loss\":false,"
			 "\"online_default\":true,\"window_ttl\":30,"
			 "\"rotate_every\":10,\"rotate_overlap\":3,"
			 "\"slow_margin_ms\":3000,\"flag_slow\":true,"
			 "\"geofence_lat\":12.9716,\"geofence_lon\":77.5946,"
			 "\"geofence_radius\":150,\"geofence_accuracy\":60,"
			 "\"geofence_missing\":\"flag\"}",
			 &r),
	    200, "%s", r.body);
	it_resp_free(&r);
	cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM class WHERE class_id = ? "
				"AND allowed_cidrs = '10.20.0.0/16,"
				"2001:db8:20::/48' AND NOT flag_on_focus_loss "
				"AND online_default AND window_ttl = 30 AND "
				"rotate_every = 10 AND rotate_overlap = 3 AND "
				"slow_margin_ms = 3000 AND flag_slow AND "
				"ABS(geofence_lat - 12.9716) < 1e-9 AND "
				"geofence_radius = 150 AND geofence_accuracy = "
				"60 AND geofence_missing = 'flag'",
			 "I", k.class_id),
	    1);
	/* thirteen values changed: thirteen rows, the teacher as actor */
	cr_assert_eq(audits(k.class_id, k.teacher), 13);
	/* the same again changes nothing and writes nothing */
	cr_assert_eq(put_policy(k.class_id, k.teacher_tok,
			 "{\"rotate_every\":10,\"geofence_lat\":12.9716}", &r),
	    200, "%s", r.body);
	it_resp_free(&r);
	cr_assert_eq(audits(k.class_id, k.teacher), 13);
	snprintf(path, sizeof(path), "/classes/%lld/policy", k.class_id);
	cr_assert_eq(it_get(path, k.teacher_tok, &r), 0);
	cr_assert_eq(r.status, 200, "%s", r.body);
	p = json_object_get(r.json, "policy");
	cr_expect_eq(json_integer_value(json_object_get(p, "rotate_every")),
	    10);
	cr_expect_str_eq(json_string_value(
			     json_object_get(p, "geofence_missing")),
	    "flag");
	cr_expect(json_is_true(json_object_get(p, "online_default")));
	cr_expect_eq(json_integer_value(
			 json_object_get(json_object_get(r.json, "bounds"),
			     "radius_max")),
	    5000);
	it_resp_free(&r);
}

Test(policy, only_a_teacher_of_the_class_may_see_or_change_it)
{
	struct klass k, other;
	struct it_resp r;
	char path[64];

	IT_REQUIRE_STACK();
	make_class(&k, "own");
	make_class(&other, "oth");
	cr_assert_eq(put_policy(k.class_id, other.teacher_tok,
			 "{\"flag_slow\":true}", &r),
	    403, "%s", r.body);
	cr_assert_str_eq(it_error_code(&r), "not_your_class");
	it_resp_free(&r);
	cr_assert_eq(put_policy(k.class_id, k.tokens[0], "{\"flag_slow\":true}",
			 &r),
	    403, "a student: %s", r.body);
	it_resp_free(&r);
	cr_assert_eq(put_policy(4000000000LL, k.teacher_tok,
			 "{\"flag_slow\":true}", &r),
	    404, "%s", r.body);
	it_resp_free(&r);
	snprintf(path, sizeof(path), "/classes/%lld/policy", k.class_id);
	cr_assert_eq(it_get(path, other.teacher_tok, &r), 0);
	cr_assert_eq(r.status, 403, "%s", r.body);
	it_resp_free(&r);
	cr_assert_eq(it_sql_int("SELECT flag_slow FROM class WHERE class_id = "
				"?",
			 "I", k.class_id),
	    0);
	cr_assert_eq(audits(k.class_id, other.teacher), 0);
}

static const struct bad {
	const char *body, *message;
} bad[] = {
	{ "{\"allowed_cidrs\":\"10.0.0.0/33\"}", "10.0.0.0/33" },
	{ "{\"allowed_cidrs\":[\"10.1.0.0/16\",\"2001:db8::/129\"]}",
	    "2001:db8::/129" },
	{ "{\"geofence_radius\":10}",
	    "geofence_radius must be 0 or 20 to 5000" },
	{ "{\"geofence_lat\":95}", "geofence_lat must be a number of degrees" },
	{ "{\"geofence_radius\":100}", "needs the classroom's centre" },
	{ "{\"geofence_missing\":\"maybe\"}", "allow, flag or refuse" },
	{ "{\"window_ttl\":20,\"rotate_every\":7}", "divide" },
	{ "{\"window_ttl\":601}", "window_ttl must be 0 or 5 to 600" },
	{ "{\"geofence\":true}", "unknown policy 'geofence'" },
	{ "{\"flag_slow\":{}}", "must be a string, number, boolean" },
	/* a good value first: nothing of it stays either */
	{ "{\"flag_slow\":true,\"rotate_overlap\":11}",
	    "rotate_overlap must be 0 to 10" },
};

Test(policy, bad_values_are_refused_with_a_message_and_change_nothing)
{
	struct klass k;
	struct it_resp r;
	size_t i;

	IT_REQUIRE_STACK();
	make_class(&k, "bad");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_assert_eq(put_policy(k.class_id, k.teacher_tok, bad[i].body,
				 &r),
		    422, "case %zu: %s", i, r.body);
		cr_expect(strstr(json_string_value(
				     json_object_get(json_object_get(r.json,
							 "error"),
					 "message")),
			      bad[i].message),
		    "case %zu: %s", i, r.body);
		it_resp_free(&r);
	}
	cr_assert_eq(audits(k.class_id, k.teacher), 0);
	cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM class WHERE class_id = ? "
				"AND NOT flag_slow AND rotate_every = 0 AND "
				"geofence_radius = 0 AND allowed_cidrs = ''",
			 "I", k.class_id),
	    1);
}

/* A centre, a 100 m radius, positions good to 50 m, no position: flag. */
static const char geofence[] =
    "{\"window_ttl\":60,\"geofence_lat\":12.9716,\"geofence_lon\":77.5946,"
    "\"geofence_radius\":100,\"geofence_accuracy\":50,"
    "\"geofence_missing\":\"flag\"}";

Test(policy, a_change_during_an_open_window_applies_from_the_next,
    .timeout = 40)
{
	struct klass k;
	struct it_resp r;
	char otp[5];
	long long sid;

	IT_REQUIRE_STACK();
	make_class(&k, "next");
	cr_assert_eq(put_policy(k.class_id, k.teacher_tok,
			 "{\"window_ttl\":60}", &r),
	    200, "%s", r.body);
	cr_assert(json_is_false(json_object_get(r.json, "open_window")));
	it_resp_free(&r);
	sid = initiate(&k, otp);
	cr_assert_eq(put_policy(k.class_id, k.teacher_tok, geofence, &r), 200,
	    "%s", r.body);
	cr_assert(json_is_true(json_object_get(r.json, "open_window")),
	    "the screen is told the change waits: %s", r.body);
	it_resp_free(&r);
	/* this window opened without a geofence: no position is fine */
	cr_assert_str_eq(submit_status(k.tokens[0], sid, otp, ""), "P");
	it_class_close(k.teacher_tok, sid);
	/* the next round has it: no position is flagged */
	cr_assert_eq(initiate(&k, otp), sid);
	cr_assert_str_eq(submit_status(k.tokens[1], sid, otp, ""), "R");
	it_class_close(k.teacher_tok, sid);
}

Test(policy, a_position_outside_the_geofence_is_flagged_with_its_distance,
    .timeout = 40)
{
	struct klass k;
	struct it_resp r;
	struct ws *w;
	json_t *res;
	char otp[5], msg[256], offer[4200], port[16];
	long long sid;
	int status = 0;

	IT_REQUIRE_STACK();
	make_class(&k, "geo");
	cr_assert_eq(put_policy(k.class_id, k.teacher_tok, geofence, &r), 200,
	    "%s", r.body);
	it_resp_free(&r);
	sid = initiate(&k, otp);
	/* about 1.1 km north, good to 20 m: R, the distance kept */
	cr_assert_eq(submit(k.tokens[0], sid, otp,
			 "{\"lat\":12.9816,\"lon\":77.5946,\"accuracy\":20}",
			 &r),
	    200, "%s", r.body);
	cr_assert_str_eq(json_string_value(json_object_get(r.json, "status")),
	    "R");
	it_resp_free(&r);
	cr_assert_geq(column(&k, sid, 0, "geo_distance_m"), 1100);
	cr_assert_leq(column(&k, sid, 0, "geo_distance_m"), 1125);
	/* in the room: P, the distance kept too */
	cr_assert_str_eq(submit_status(k.tokens[1], sid, otp,
			     "{\"lat\":12.9717,\"lon\":77.5946,"
			     "\"accuracy\":15}"),
	    "P");
	cr_assert_leq(column(&k, sid, 1, "geo_distance_m"), 20);
	/* far, but too coarse to tell: treated as no position (flag) */
	cr_assert_str_eq(submit_status(k.tokens[2], sid, otp,
			     "{\"lat\":12.9816,\"lon\":77.5946,"
			     "\"accuracy\":900}"),
	    "R");
	/* out of range: refused, nothing written */
	cr_assert_eq(submit(k.tokens[3], sid, otp,
			 "{\"lat\":91,\"lon\":0,\"accuracy\":10}", &r),
	    400, "%s", r.body);
	it_resp_free(&r);
	cr_assert_eq(column(&k, sid, 3, "1"), -1);
	/* the WebSocket submit carries the position the same way */
	snprintf(port, sizeof(port), "%s",
	    getenv("EHAZIRA_HTTP_PORT") ? getenv("EHAZIRA_HTTP_PORT") : "8080");
	snprintf(offer, sizeof(offer), "bearer.%s", k.tokens[4]);
	cr_assert_not_null(w = ws_connect(atoi(port), "/ws", offer, 5000,
			       &status),
	    "upgrade %d", status);
	snprintf(msg, sizeof(msg),
	    "{\"type\":\"submit\",\"session_id\":%lld,\"otp\":\"%s\","
	    "\"position\":{\"lat\":12.9816,\"lon\":77.5946,\"accuracy\":20}}",
	    sid, otp);
	cr_assert_eq(ws_send_text(w, msg), 0);
	cr_assert_not_null(res = ws_expect_type(w, "submit.result", 5000));
	cr_expect_str_eq(json_string_value(json_object_get(res, "status")),
	    "R");
	json_decref(res);
	ws_close(w);
	cr_assert_geq(column(&k, sid, 4, "geo_distance_m"), 1100);
	it_class_close(k.teacher_tok, sid);
}

Test(policy, refuse_asks_for_the_position_and_marks_nothing, .timeout = 30)
{
	struct klass k;
	struct it_resp r;
	char otp[5];
	long long sid;

	IT_REQUIRE_STACK();
	make_class(&k, "ref");
	cr_assert_eq(put_policy(k.class_id, k.teacher_tok, geofence, &r), 200,
	    "%s", r.body);
	it_resp_free(&r);
	cr_assert_eq(put_policy(k.class_id, k.teacher_tok,
			 "{\"geofence_missing\":\"refuse\"}", &r),
	    200, "%s", r.body);
	it_resp_free(&r);
	sid = initiate(&k, otp);
	cr_assert_eq(submit(k.tokens[0], sid, otp, "", &r), 403, "%s", r.body);
	cr_assert_str_eq(it_error_code(&r), "position_required");
	it_resp_free(&r);
	cr_assert_eq(column(&k, sid, 0, "1"), -1);
	cr_assert_str_eq(submit_status(k.tokens[0], sid, otp,
			     "{\"lat\":12.9716,\"lon\":77.5946,"
			     "\"accuracy\":10}"),
	    "P");
	it_class_close(k.teacher_tok, sid);
}

/* Six submit; student 5's delay is set to a minute; the window closes. */
static long long
slow_round(struct klass *k)
{
	char otp[5];
	long long sid;
	int i;

	sid = initiate(k, otp);
	for (i = 0; i < NST; i++)
		cr_assert_str_eq(submit_status(k->tokens[i], sid, otp, ""),
		    "P");
	cr_assert_eq(it_sql("UPDATE attendance SET delay_ms = 60000 WHERE "
			    "session_id = ? AND student_email = ?",
			 "Is", sid, k->students[NST - 1]),
	    DB_OK);
	it_class_close(k->teacher_tok, sid);
	return sid;
}

Test(policy, the_slow_mark_is_kept_at_finalisation_and_flag_slow_makes_it_R,
    .timeout = 40)
{
	struct klass k, plain;
	struct it_resp r;
	char path[128];
	long long sid;
	int i;

	IT_REQUIRE_STACK();
	make_class(&k, "slowr");
	make_class(&plain, "slowp");
	cr_assert_eq(put_policy(k.class_id, k.teacher_tok,
			 "{\"window_ttl\":60,\"flag_slow\":true}", &r),
	    200, "%s", r.body);
	it_resp_free(&r);
	cr_assert_eq(put_policy(plain.class_id, plain.teacher_tok,
			 "{\"window_ttl\":60}", &r),
	    200, "%s", r.body);
	it_resp_free(&r);
	sid = slow_round(&k);
	cr_assert_eq(column(&k, sid, NST - 1, "slow"), 1);
	cr_assert_eq(column(&k, sid, NST - 1, "status = 'R'"), 1,
	    "flag_slow: the slow one is R");
	for (i = 0; i < NST - 1; i++)
		cr_expect_eq(column(&k, sid, i, "status = 'P' AND NOT slow"), 1,
		    "student %d", i);
	/* without flag_slow: marked slow, still present */
	sid = slow_round(&plain);
	cr_assert_eq(column(&plain, sid, NST - 1, "slow"), 1);
	cr_assert_eq(column(&plain, sid, NST - 1, "status = 'P'"), 1);
	/* the export marks it */
	snprintf(path, sizeof(path),
	    "/attendance/class-summary?subject_id=%lld&format=csv",
	    plain.subject_id);
	cr_assert_eq(it_get(path, plain.teacher_tok, &r), 0);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_assert(strstr(r.body, "P (slow)"), "%s", r.body);
	it_resp_free(&r);
}

/* PUT body with the nth statement of the handler failing (test hook). */
static long
put_policy_failing(long long class_id, const char *token, const char *body,
    int nth, struct it_resp *r)
{
	char path[64], auth[4200], fault[64];
	const char *hdrs[] = { auth, "Content-Type: application/json", fault,
		NULL };

	snprintf(path, sizeof(path), "/classes/%lld/policy", class_id);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
	snprintf(fault, sizeof(fault), "X-Ehazira-Test-Fail-Statement: %d",
	    nth);
	cr_assert_eq(it_request("PUT", path, body, strlen(body), hdrs, r), 0);
	return r->status;
}

/*
 * A database failure anywhere in a policy change (the lookup, the write,
 * the audit row, the whole-policy check, the commit) is the outage it
 * is: a retryable JSON 503 db_unavailable - not the 422 of a bad value,
 * which would tell the teacher to fix a value that is fine - and the
 * class's policy and audit trail are as before.
 */
Test(policy, a_database_failure_is_a_retryable_503_and_changes_nothing,
    .timeout = 60)
{
	static const char body[] =
	    "{\"flag_slow\":true,\"geofence_accuracy\":60}";
	struct klass k;
	struct it_resp r;
	int nth, failed = 0;

	IT_REQUIRE_STACK();
	make_class(&k, "dbf");
	for (nth = 1; nth <= 12; nth++) {
		if (put_policy_failing(k.class_id, k.teacher_tok, body, nth,
			&r) == 200) {
			it_resp_free(&r);
			break; /* past the handler's last statement */
		}
		cr_assert_eq(r.status, 503, "statement %d: %ld %s", nth,
		    r.status, r.body);
		cr_assert_str_eq(it_error_code(&r), "db_unavailable",
		    "statement %d: %s", nth, r.body);
		failed++;
		if (audits(k.class_id, k.teacher) > 0) {
			/* only the read-back after the commit may fail so,
			 * and it says the change is in (a retry is a no-op) */
			cr_assert(strstr(r.body, "was saved"),
			    "statement %d left a change behind: %s", nth,
			    r.body);
			it_resp_free(&r);
			break;
		}
		it_resp_free(&r);
		cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM class WHERE "
					"class_id = ? AND NOT flag_slow AND "
					"geofence_accuracy = 100",
				 "I", k.class_id),
		    1, "statement %d left a change behind", nth);
	}
	/* the lookup, two reads and two writes with their audits at least */
	cr_assert_geq(failed, 5, "%d statements failed", failed);
	cr_assert_lt(nth, 12, "the change never went through");
	cr_assert_eq(audits(k.class_id, k.teacher), 2);
}
