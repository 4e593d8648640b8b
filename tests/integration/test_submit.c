/*
 * test_submit.c - the submit paths only a refusal or a race reaches
 * (fcgi/http/submit.c): a session without a window, a student the
 * teacher marked by hand, the late guard's refusals, and the races the
 * test build's hook (fcgi/http/testhook.c) makes happen between a
 * submit's read and its write: a manual mark, a close, and a window that
 * is closed for every write.  Each case asserts the answer and the row.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <string.h>

#include "it.h"
#include "itclass.h"

/* POST /attendance/submit, with the X-Ehazira-Test-Race header if race. */
static void
submit(const char *token, long long sid, const char *otp, const char *race,
    struct it_resp *r)
{
	char body[128], auth[4200], hook[64];
	const char *hdrs[4] = { auth, "Content-Type: application/json", NULL,
		NULL };

	snprintf(body, sizeof(body), "{\"session_id\":%lld,\"otp\":\"%s\"}",
	    sid, otp);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
	if (race) {
		snprintf(hook, sizeof(hook), "X-Ehazira-Test-Race: %s", race);
		hdrs[2] = hook;
	}
	cr_assert_eq(it_request("POST", "/attendance/submit", body,
			 strlen(body), hdrs, r),
	    0);
}

/* A submit that must be answered 200. */
static void
submit_ok(const char *token, long long sid, const char *otp)
{
	struct it_resp r;

	submit(token, sid, otp, NULL, &r);
	cr_assert_eq(r.status, 200, "%s", r.body);
	it_resp_free(&r);
}

/* The student's row: "P/OTP", "A/TIMEOUT", ... or "" when none. */
static const char *
row_of(long long sid, const char *email)
{
	static char out[32];
	struct db_rows rows;

	out[0] = '\0';
	if (db_query_one(it_db(), it_arena(), &rows,
		"SELECT CONCAT(status, '/', source) FROM attendance WHERE "
		"session_id = ? AND student_email = ?",
		"Is", sid, email) == DB_OK)
		snprintf(out, sizeof(out), "%s", db_get(&rows, 0, 0));
	return out;
}

/* A first round closed at once (everyone A), a second round open. */
static long long
second_round(struct it_class *k, char otp[5])
{
	long long sid = it_class_initiate(k, otp);

	it_class_close(k->teacher_tok, sid);
	cr_assert_str_eq(row_of(sid, k->students[0]), "A/TIMEOUT");
	cr_assert_eq(it_class_initiate(k, otp), sid);
	return sid;
}

Test(submit, a_session_that_never_had_a_window_is_404_no_window)
{
	struct it_class k;
	struct it_resp r;

	IT_REQUIRE_STACK();
	it_class_make(&k, "nowin", 1, "ANDROID");
	submit(k.tokens[0], 4294967295LL, "1234", NULL, &r);
	cr_assert_eq(r.status, 404, "%s", r.body);
	cr_assert_str_eq(it_error_code(&r), "no_window");
	it_resp_free(&r);
	cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM attendance WHERE "
				"student_email = ?",
			 "s", k.students[0]),
	    0);
}

Test(submit, a_student_marked_by_hand_is_told_so_and_the_mark_stays)
{
	struct it_class k;
	struct it_resp r;
	char otp[5], body[512];
	long long sid;

	IT_REQUIRE_STACK();
	it_class_make(&k, "byhand", 1, "ANDROID");
	sid = it_class_initiate(&k, otp);
	snprintf(body, sizeof(body),
	    "{\"session_id\":%lld,\"student_email\":\"%s\",\"status\":\"A\","
	    "\"reason\":\"left before the roll\"}",
	    sid, k.students[0]);
	cr_assert_eq(it_post_json("/attendance/manual-mark", k.teacher_tok,
			 body, &r),
	    0);
	cr_assert_eq(r.status, 200, "%s", r.body);
	it_resp_free(&r);
	submit(k.tokens[0], sid, otp, NULL, &r);
	cr_assert_eq(r.status, 409, "%s", r.body);
	cr_assert_str_eq(it_error_code(&r), "already_marked");
	it_resp_free(&r);
	cr_assert_str_eq(row_of(sid, k.students[0]), "A/MANUAL");
}

/* The late guard: what changed about the account since the token. */
/* strings inline: Criterion runs each case in a process of its own */
struct guard_case {
	char sql[128]; /* run with the student's email and device */
	long status;
	char code[24];
};

static struct guard_case guard_cases[] = {
	{ "UPDATE student SET blocked = 1 WHERE student_email = ? AND ? > 0",
	    403, "account_blocked" },
	{ "UPDATE student SET verified = 0 WHERE student_email = ? AND ? > 0",
	    403, "not_verified" },
	{ "UPDATE device SET active = 0 WHERE user_email = ? AND device_id = ?",
	    401, "device_inactive" },
	{ "DELETE FROM device WHERE user_email = ? AND device_id = ?", 401,
	    "device_inactive" },
};

ParameterizedTestParameters(submit, the_late_guard_refuses_before_any_write)
{
	return cr_make_param_array(struct guard_case, guard_cases,
	    sizeof(guard_cases) / sizeof(guard_cases[0]));
}

ParameterizedTest(struct guard_case *c, submit,
    the_late_guard_refuses_before_any_write)
{
	struct it_class k;
	struct it_resp r;
	char otp[5];
	long long sid;

	IT_REQUIRE_STACK();
	it_class_make(&k, "guard", 1, "ANDROID");
	sid = it_class_initiate(&k, otp);
	cr_assert_eq(it_sql(c->sql, "sI", k.students[0], k.devices[0]), DB_OK);
	submit(k.tokens[0], sid, otp, NULL, &r);
	cr_assert_eq(r.status, c->status, "%s: %s", c->code, r.body);
	cr_assert_str_eq(it_error_code(&r), c->code);
	it_resp_free(&r);
	cr_assert_str_eq(row_of(sid, k.students[0]), "", "no mark");
	cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM rate_limit WHERE "
				"rl_key = CONCAT('submit:', ?)",
			 "s", k.students[0]),
	    0, "refused before the submit was counted");
}

/*
 * The races of testhook.c on a retake (a second round for a student the
 * first marked absent: the single path), and what the submit must answer.
 */
struct race_case {
	char race[16];
	long status;
	char code[24];  /* error code, or "" for none */
	char row[16];   /* the student's row afterwards */
	long long open; /* the window still open afterwards */
};

static struct race_case race_cases[] = {
	/* the teacher's mark wins (not overwritten); the re-read finds the
	 * student present and says so */
	{ "mark", 200, "", "P/MANUAL", 1 },
	/* the close wins; the re-read finds the window closed */
	{ "close", 410, "window_closed", "A/TIMEOUT", 0 },
	/* every read says open, no write lands: given up after two rounds */
	{ "flicker", 410, "window_closed", "A/TIMEOUT", 1 },
};

ParameterizedTestParameters(submit, a_retake_that_loses_a_race_answers_who_won)
{
	return cr_make_param_array(struct race_case, race_cases,
	    sizeof(race_cases) / sizeof(race_cases[0]));
}

ParameterizedTest(struct race_case *c, submit,
    a_retake_that_loses_a_race_answers_who_won)
{
	struct it_class k;
	struct it_resp r;
	char otp[5];
	long long sid;

	IT_REQUIRE_STACK();
	it_class_make(&k, "race", 1, "ANDROID");
	sid = second_round(&k, otp);
	submit(k.tokens[0], sid, otp, c->race, &r);
	cr_assert_eq(r.status, c->status, "%s: %s", c->race, r.body);
	cr_assert_str_eq(it_error_code(&r), c->code);
	it_resp_free(&r);
	cr_assert_str_eq(row_of(sid, k.students[0]), c->row, "%s", c->race);
	cr_assert_eq(it_sql_int("SELECT closed_at IS NULL FROM "
				"attendance_window w JOIN session se ON "
				"se.window_id = w.window_id WHERE "
				"se.session_id = ?",
			 "I", sid),
	    c->open, "%s", c->race);
}

Test(submit, a_retake_without_a_race_turns_the_absence_into_a_mark)
{
	struct it_class k;
	char otp[5];
	long long sid;

	IT_REQUIRE_STACK();
	it_class_make(&k, "retake", 1, "ANDROID");
	sid = second_round(&k, otp);
	submit_ok(k.tokens[0], sid, otp);
	cr_assert_str_eq(row_of(sid, k.students[0]), "P/OTP");
}

/* What the session's tally counts for the student: "P", "A", ... or "-". */
static const char *
counted_of(long long sid, const char *email)
{
	static char out[8];
	struct db_rows rows;

	cr_assert_eq(
	    db_query_one(it_db(), it_arena(), &rows,
		"SELECT COALESCE(tallied, '-') FROM attendance a "
		"JOIN student st ON st.student_email = a.student_email "
		"AND st.student_no = a.student_no WHERE a.session_id "
		"= ? AND a.student_email = ?",
		"Is", sid, email),
	    DB_OK, "no mark, or a wrong student number");
	snprintf(out, sizeof(out), "%s", db_get(&rows, 0, 0));
	return out;
}

/*
 * schema/025_tally_at_finalise.sql: a submit's mark carries its student's
 * number and is counted when its window ends, not before; a retake's
 * change of an absence counted in the first round waits for the second.
 */
Test(submit, a_mark_is_counted_in_the_tallies_when_its_window_ends)
{
	struct it_class k;
	char otp[5];
	long long sid;

	IT_REQUIRE_STACK();
	it_class_make(&k, "counted", 2, "ANDROID");
	sid = it_class_initiate(&k, otp);
	submit_ok(k.tokens[0], sid, otp);
	cr_assert_str_eq(counted_of(sid, k.students[0]), "-");
	it_class_close(k.teacher_tok, sid);
	cr_assert_str_eq(counted_of(sid, k.students[0]), "P");
	cr_assert_str_eq(counted_of(sid, k.students[1]), "A");

	cr_assert_eq(it_class_initiate(&k, otp), sid, "a second round");
	submit_ok(k.tokens[1], sid, otp);
	cr_assert_str_eq(row_of(sid, k.students[1]), "P/OTP");
	cr_assert_str_eq(counted_of(sid, k.students[1]), "A", "while open");
	it_class_close(k.teacher_tok, sid);
	cr_assert_str_eq(counted_of(sid, k.students[1]), "P");
	cr_assert_eq(it_sql_int("SELECT present FROM session_tally WHERE "
				"session_id = ?",
			 "I", sid),
	    2);
}
