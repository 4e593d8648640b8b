/*
 * test_guard.c - the per-request account re-check (fcgi/http/guard.c)
 * against the real database: each thing that can change about an account
 * or a device after its token was issued, and what the guard answers;
 * and the late guard's bookkeeping (owed, settled).
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>

#include "guard.h"
#include "it.h"
#include "itclass.h"

/* A request as the router hands it to the guard, for one account. */
static void
request(struct http_req *r, const char *email, enum role role, long long device)
{
	memset(r, 0, sizeof(*r));
	r->arena = it_arena();
	r->db = it_db();
	r->cfg = it_config();
	r->auth.email = email;
	r->auth.role = role;
	r->auth.device_id = device;
}

/* strings inline: Criterion runs each case in a process of its own */
struct guard_case {
	char who[8];   /* "student" or "teacher" */
	char sql[128]; /* run with the email and the device id; "": none */
	int status;
	char code[24]; /* "": allowed */
};

static struct guard_case cases[] = {
	{ "student", "", 0, "" },
	{ "teacher", "", 0, "" },
	{ "student",
	    "UPDATE student SET blocked = 1 WHERE student_email = ? "
	    "AND ? > 0",
	    403, "account_blocked" },
	{ "teacher",
	    "UPDATE teacher SET blocked = 1 WHERE teacher_email = ? "
	    "AND ? > 0",
	    403, "account_blocked" },
	{ "student",
	    "UPDATE student SET verified = 0 WHERE student_email = ? "
	    "AND ? > 0",
	    403, "not_verified" },
	{ "teacher",
	    "UPDATE teacher SET verified = 0 WHERE teacher_email = ? "
	    "AND ? > 0",
	    403, "not_verified" },
	{ "teacher",
	    "UPDATE teacher SET role = 'head' WHERE teacher_email = ? "
	    "AND ? > 0",
	    401, "role_changed" },
	{ "student",
	    "UPDATE device SET active = 0 WHERE user_email = ? AND "
	    "device_id = ?",
	    401, "device_inactive" },
	{ "teacher",
	    "DELETE FROM device WHERE user_email = ? AND device_id = ?", 401,
	    "device_inactive" },
};

ParameterizedTestParameters(guard, each_change_since_the_token_is_answered)
{
	return cr_make_param_array(struct guard_case, cases,
	    sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct guard_case *c, guard,
    each_change_since_the_token_is_answered)
{
	struct it_class k;
	struct http_req r;
	const char *code = NULL, *msg = NULL, *email;
	long long dev;
	int student = strcmp(c->who, "student") == 0;

	IT_REQUIRE_STACK();
	it_class_make(&k, "guard", 1, "ANDROID");
	email = student ? k.students[0] : k.teacher;
	dev = student ? k.devices[0] : k.teacher_dev;
	if (c->sql[0])
		cr_assert_eq(it_sql(c->sql, "sI", email, dev), DB_OK);
	request(&r, email, student ? ROLE_STUDENT : ROLE_TEACHER, dev);
	cr_assert_eq(guard_account(&r, &code, &msg), c->status, "%s %s", c->who,
	    c->code[0] ? c->code : "allowed");
	if (c->code[0]) {
		cr_assert_str_eq(code, c->code);
		cr_assert_not_null(msg);
		/* guard_session answers the same with the error reply set */
		cr_assert_eq(guard_session(&r), c->status);
		cr_assert_eq(r.status, c->status);
	} else {
		cr_assert_eq(guard_session(&r), 0);
	}
}

Test(guard, another_accounts_device_is_not_this_accounts)
{
	struct it_class k;
	struct http_req r;
	const char *code = NULL, *msg = NULL;

	IT_REQUIRE_STACK();
	it_class_make(&k, "other", 2, "ANDROID");
	request(&r, k.students[0], ROLE_STUDENT, k.devices[1]);
	cr_assert_eq(guard_account(&r, &code, &msg), 401);
	cr_assert_str_eq(code, "device_inactive");
}

Test(guard, the_late_guard_runs_once_when_owed_and_not_when_settled)
{
	struct it_class k;
	struct http_req r;
	const char *code = NULL, *msg = NULL;

	IT_REQUIRE_STACK();
	it_class_make(&k, "late", 1, "ANDROID");
	request(&r, k.students[0], ROLE_STUDENT, k.devices[0]);

	/* not owed: no check at all, even for a blocked account */
	cr_assert_eq(it_sql("UPDATE student SET blocked = 1 WHERE "
			    "student_email = ?",
			 "s", k.students[0]),
	    DB_OK);
	cr_assert_eq(guard_late(&r, &code, &msg), 0);
	/* owed: the check runs and refuses; the debt stays */
	r.guard_owed = 1;
	cr_assert_eq(guard_late(&r, &code, &msg), 403);
	cr_assert_str_eq(code, "account_blocked");
	cr_assert_eq(r.guard_owed, 1);
	/* allowed again: the check passes and settles the debt */
	cr_assert_eq(it_sql("UPDATE student SET blocked = 0 WHERE "
			    "student_email = ?",
			 "s", k.students[0]),
	    DB_OK);
	cr_assert_eq(guard_late(&r, &code, &msg), 0);
	cr_assert_eq(r.guard_owed, 0);
	/* a handler's own read settles it without a query */
	r.guard_owed = 1;
	guard_settle(&r);
	cr_assert_eq(r.guard_owed, 0);
}
