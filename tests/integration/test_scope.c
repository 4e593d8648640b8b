/*
 * test_scope.c - who may read what: a matrix of role x endpoint x foreign
 * object over every signed-in route of the contract, against the stack.
 *
 * Fixture: departments D1 and D2, class K1 in D1 and K2 in D2.  Teacher
 * T1 teaches S1 to K1, T2 teaches S2 to K2; H1 is the head of D1 (teaches
 * nothing), ADM the administrator (filed under D1).  Students ST1 (K1)
 * and ST2 (K2) each have an active phone and a second one awaiting a
 * teacher (DEV1, DEV2).  Sessions SES1 (S1) and SES2 (S2) hold a mark each.
 * ADM substitutes for T1's period PER1 in three days (SUB1).
 *
 * The rule the matrix checks (documented in README "Roles and scope"):
 * the router refuses a wrong role with 403 forbidden; a handler refuses
 * an existing object outside the caller's scope with 403 (out_of_scope,
 * or the older per-object codes not_your_session, not_your_period,
 * not_your_student); an object that does not exist is 404 for staff.  A
 * student asking about anyone else gets 403 whether or not they exist.
 * Lists (pending devices, shortage, ...) answer 200 but hold nothing
 * foreign: "absent" names what must not appear in the body.
 */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "it.h"
#include "router.h"

enum who { ST1, ST2, T1, T2, H1, ADM, NWHO };

static const char *const who_role[NWHO] = { "student", "student", "teacher",
	"teacher", "head", "admin" };

struct fx {
	char email[NWHO][96];
	char *tok[NWHO];
	long long d1, d2, k1, k2, s1, s2, per1, ses1, ses2, dev1, dev2, sub1;
	char c1[40], c2[40];
};

static struct fx fx;
static int fx_ready;

static long long
insert(const char *sql, const char *types, ...)
{
	va_list ap;
	int rc;

	va_start(ap, types);
	rc = db_vexec(it_db(), sql, types, ap);
	va_end(ap);
	cr_assert_eq(rc, DB_OK, "%s", sql);
	return db_insert_id(it_db());
}

static long long
device(const char *email, const char *role, const char *approval)
{
	return insert("INSERT INTO device (user_email, role, device_uuid, "
		      "fingerprint_hash, platform, active, approval) "
		      "VALUES (?, ?, 'uuid', 'fp', 'ANDROID', ?, ?)",
	    "ssis", email, role, strcmp(approval, "ACTIVE") == 0, approval);
}

static void
people(const char *u)
{
	static const char *const tag[NWHO] = { "st1", "st2", "t1", "t2", "h1",
		"adm" };
	int i;

	for (i = 0; i < NWHO; i++)
		snprintf(fx.email[i], sizeof(fx.email[i]),
		    "scope-%s.%s@t.ehazira.in", tag[i], u);
	for (i = T1; i <= ADM; i++)
		insert("INSERT INTO teacher (teacher_email, name, "
		       "department_id, verified, role) VALUES (?, ?, ?, 1, ?)",
		    "ssIs", fx.email[i], fx.email[i], i == T2 ? fx.d2 : fx.d1,
		    who_role[i]);
	insert("INSERT INTO student (student_email, name, roll_no, class_id, "
	       "verified) VALUES (?, 'St One', '01', ?, 1), "
	       "(?, 'St Two', '01', ?, 1)",
	    "sIsI", fx.email[ST1], fx.k1, fx.email[ST2], fx.k2);
	for (i = 0; i < NWHO; i++)
		fx.tok[i] = it_token(fx.email[i], who_role[i],
		    device(fx.email[i], who_role[i], "ACTIVE"), 600);
	fx.dev1 = device(fx.email[ST1], "student", "PENDING");
	fx.dev2 = device(fx.email[ST2], "student", "PENDING");
}

static void
make_fixture(void)
{
	const char *u = it_uniq();

	if (fx_ready)
		return;
	fx.d1 = insert("INSERT INTO department (department_name) VALUES (?)",
	    "s", arena_printf(it_arena(), "Scope D1 %s", u));
	fx.d2 = insert("INSERT INTO department (department_name) VALUES (?)",
	    "s", arena_printf(it_arena(), "Scope D2 %s", u));
	fx.k1 = insert("INSERT INTO class (department_id, batch, semester, "
		       "section) VALUES (?, '2024', 3, 'A')",
	    "I", fx.d1);
	fx.k2 = insert("INSERT INTO class (department_id, batch, semester, "
		       "section) VALUES (?, '2024', 3, 'A')",
	    "I", fx.d2);
	people(u);
	snprintf(fx.c1, sizeof(fx.c1), "SC1-%s", u);
	snprintf(fx.c2, sizeof(fx.c2), "SC2-%s", u);
	insert("INSERT INTO course (course_id, course_name) VALUES (?, 'Scope "
	       "One'), (?, 'Scope Two')",
	    "ss", fx.c1, fx.c2);
	fx.s1 = insert("INSERT INTO subject (course_id, class_id, "
		       "teacher_email) VALUES (?, ?, ?)",
	    "sIs", fx.c1, fx.k1, fx.email[T1]);
	fx.s2 = insert("INSERT INTO subject (course_id, class_id, "
		       "teacher_email) VALUES (?, ?, ?)",
	    "sIs", fx.c2, fx.k2, fx.email[T2]);
	fx.per1 = insert("INSERT INTO period (subject_id, day_of_week, "
			 "period_no) VALUES (?, 1, 1)",
	    "I", fx.s1);
	fx.ses1 = insert("INSERT INTO session (period_id, date) VALUES (?, "
			 "CURDATE() - INTERVAL 7 DAY)",
	    "I", fx.per1);
	fx.ses2 = insert("INSERT INTO session (period_id, date) SELECT "
			 "?, CURDATE() - INTERVAL 7 DAY",
	    "I",
	    insert("INSERT INTO period (subject_id, day_of_week, "
		   "period_no) VALUES (?, 1, 1)",
		"I", fx.s2));
	insert("INSERT INTO attendance (session_id, student_email, status) "
	       "VALUES (?, ?, 'A'), (?, ?, 'A')",
	    "IsIs", fx.ses1, fx.email[ST1], fx.ses2, fx.email[ST2]);
	/* ADM substitutes for T1 in three days (T2 must not see it) */
	fx.sub1 = insert("INSERT INTO substitute (period_id, date, "
			 "teacher_email, assigned_by) VALUES (?, CURDATE() + "
			 "INTERVAL 3 DAY, ?, ?)",
	    "Iss", fx.per1, fx.email[ADM], fx.email[T1]);
	fx_ready = 1;
}

/*
 * {ST1} {ST2} {S1} {S2} {D1} {D2} {SES1} {PER1} {DEV1} {DEV2} {SUB1} {K1}
 * -> values.
 */
static char *
fill(const char *tmpl)
{
	char *out = arena_printf(it_arena(), "%s", tmpl), *p;
	static const char *const keys[] = { "{ST1}", "{ST2}", "{S1}", "{S2}",
		"{D1}", "{D2}", "{SES1}", "{PER1}", "{DEV1}", "{DEV2}",
		"{SUB1}", "{K1}" };
	char vals[12][112];
	size_t i;

	snprintf(vals[0], 112, "%s", fx.email[ST1]);
	snprintf(vals[1], 112, "%s", fx.email[ST2]);
	snprintf(vals[2], 112, "%lld", fx.s1);
	snprintf(vals[3], 112, "%lld", fx.s2);
	snprintf(vals[4], 112, "%lld", fx.d1);
	snprintf(vals[5], 112, "%lld", fx.d2);
	snprintf(vals[6], 112, "%lld", fx.ses1);
	snprintf(vals[7], 112, "%lld", fx.per1);
	snprintf(vals[8], 112, "%lld", fx.dev1);
	snprintf(vals[9], 112, "%lld", fx.dev2);
	snprintf(vals[10], 112, "%lld", fx.sub1);
	snprintf(vals[11], 112, "%lld", fx.k1);
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		while ((p = strstr(out, keys[i])) != NULL)
			out = arena_printf(it_arena(), "%.*s%s%s",
			    (int)(p - out), out, vals[i], p + strlen(keys[i]));
	}
	return out;
}

struct probe {
	enum who who;
	const char *method, *route; /* the route table's row */
	const char *path, *body;    /* with {PLACEHOLDERS} */
	int status;
	const char *code;   /* error code, NULL: not checked */
	const char *absent; /* must not be in the body, e.g. "{ST2}" */
};

#define ADMIN_VIEW(rt)                                                     \
	{ ST1, "GET", rt, rt, NULL, 403, "forbidden", NULL },              \
	    { T1, "GET", rt, rt, NULL, 403, "forbidden", NULL },           \
	    { H1, "GET", rt, rt, NULL, 200, NULL, "{ST2}" },               \
	    { H1, "GET", rt, rt "?department_id={D2}", NULL, 403,          \
		    "out_of_scope", NULL },                                \
	    { ADM, "GET", rt, rt "?department_id={D2}", NULL, 200, NULL,   \
		    "{ST1}" },                                             \
	    { ADM, "GET", rt, rt "?department_id=4000000000", NULL, 404,   \
		    "not_found", NULL },                                   \
	{                                                                  \
		ADM, "GET", rt, rt "?from=2020-01-01&to=2024-01-01", NULL, \
		    400, "range_too_long", NULL                            \
	}

static const struct probe probes[] = {
	/* self-only routes: the object is the caller */
	{ ST1, "GET", "/me", "/me", NULL, 200, NULL, "{ST2}" },
	{ H1, "GET", "/me", "/me", NULL, 200, NULL, "{ST1}" },
	{ ST2, "GET", "/timetable", "/timetable", NULL, 200, NULL, "SC1-" },
	{ T2, "GET", "/timetable", "/timetable", NULL, 200, NULL, "SC1-" },
	{ ST2, "POST", "/devices/push-token", "/devices/push-token", "{}", 400,
	    NULL, NULL },
	/* devices: only the student's own teachers decide */
	{ T2, "GET", "/devices/pending", "/devices/pending", NULL, 200, NULL,
	    "{ST1}" },
	{ ST1, "GET", "/devices/pending", "/devices/pending", NULL, 403,
	    "forbidden", NULL },
	{ T2, "POST", "/devices/:id/approve", "/devices/{DEV1}/approve", "{}",
	    403, "not_your_student", NULL },
	{ H1, "POST", "/devices/:id/approve", "/devices/{DEV2}/approve", "{}",
	    403, "not_your_student", NULL },
	{ ST2, "POST", "/devices/:id/approve", "/devices/{DEV2}/approve", "{}",
	    403, "forbidden", NULL },
	{ T2, "POST", "/devices/:id/reject", "/devices/{DEV1}/reject", "{}",
	    403, "not_your_student", NULL },
	{ ADM, "POST", "/devices/:id/reject", "/devices/{DEV1}/reject", "{}",
	    403, "not_your_student", NULL },
	/* live attendance: only the subject's teacher, whatever the role */
	{ T1, "GET", "/attendance/open", "/attendance/open", NULL, 403,
	    "forbidden", NULL },
	{ ST2, "GET", "/attendance/open", "/attendance/open", NULL, 200, NULL,
	    "SC1-" },
	{ T2, "POST", "/attendance/initiate", "/attendance/initiate",
	    "{\"period_id\":{PER1}}", 403, "not_your_period", NULL },
	{ H1, "POST", "/attendance/initiate", "/attendance/initiate",
	    "{\"period_id\":{PER1}}", 403, "not_your_period", NULL },
	{ ST1, "POST", "/attendance/initiate", "/attendance/initiate",
	    "{\"period_id\":{PER1}}", 403, "forbidden", NULL },
	{ T2, "POST", "/attendance/close", "/attendance/close",
	    "{\"session_id\":{SES1}}", 403, "not_your_session", NULL },
	{ ADM, "POST", "/attendance/close", "/attendance/close",
	    "{\"session_id\":{SES1}}", 403, "not_your_session", NULL },
	{ T2, "GET", "/attendance/live-status",
	    "/attendance/live-status?session_id={SES1}", NULL, 403,
	    "not_your_session", NULL },
	{ H1, "GET", "/attendance/live-status",
	    "/attendance/live-status?session_id={SES1}", NULL, 403,
	    "not_your_session", NULL },
	{ T2, "POST", "/attendance/manual-mark", "/attendance/manual-mark",
	    "{\"session_id\":{SES1},\"student_email\":\"{ST1}\","
	    "\"status\":\"P\",\"reason\":\"scope test\"}",
	    403, "not_your_session", NULL },
	{ T2, "GET", "/attendance/qr", "/attendance/qr?session_id={SES1}", NULL,
	    403, "not_your_session", NULL },
	{ T1, "POST", "/attendance/submit", "/attendance/submit",
	    "{\"session_id\":{SES1},\"otp\":\"1234\"}", 403, "forbidden",
	    NULL },
	{ ST2, "POST", "/attendance/submit", "/attendance/submit",
	    "{\"session_id\":{SES1},\"otp\":\"1234\"}", 404, "no_window",
	    NULL },
	{ ST2, "POST", "/attendance/telemetry", "/attendance/telemetry",
	    "{\"session_id\":{SES1},\"type\":\"focus_lost\"}", 200, NULL,
	    NULL },
	/* reports */
	{ ST1, "GET", "/attendance/student-summary",
	    "/attendance/student-summary?student_email={ST2}", NULL, 403,
	    "out_of_scope", NULL },
	{ ST1, "GET", "/attendance/student-summary",
	    "/attendance/student-summary?student_email=nobody@x.in", NULL, 403,
	    "out_of_scope", NULL },
	{ T1, "GET", "/attendance/student-summary",
	    "/attendance/student-summary?student_email={ST2}", NULL, 403,
	    "out_of_scope", NULL },
	{ H1, "GET", "/attendance/student-summary",
	    "/attendance/student-summary?student_email={ST2}", NULL, 403,
	    "out_of_scope", NULL },
	{ H1, "GET", "/attendance/student-summary",
	    "/attendance/student-summary?student_email={ST1}", NULL, 200, NULL,
	    "{ST2}" },
	{ H1, "GET", "/attendance/student-summary",
	    "/attendance/student-summary?student_email=nobody@x.in", NULL, 404,
	    "not_found", NULL },
	{ ADM, "GET", "/attendance/student-summary",
	    "/attendance/student-summary?student_email={ST2}", NULL, 200, NULL,
	    "{ST1}" },
	{ ST1, "GET", "/attendance/class-summary",
	    "/attendance/class-summary?subject_id={S1}", NULL, 403, "forbidden",
	    NULL },
	{ T1, "GET", "/attendance/class-summary",
	    "/attendance/class-summary?subject_id={S2}", NULL, 403,
	    "out_of_scope", NULL },
	{ H1, "GET", "/attendance/class-summary",
	    "/attendance/class-summary?subject_id={S2}", NULL, 403,
	    "out_of_scope", NULL },
	{ H1, "GET", "/attendance/class-summary",
	    "/attendance/class-summary?subject_id={S1}", NULL, 200, NULL,
	    "{ST2}" },
	{ ADM, "GET", "/attendance/class-summary",
	    "/attendance/class-summary?subject_id={S2}", NULL, 200, NULL,
	    "{ST1}" },
	{ ADM, "GET", "/attendance/class-summary",
	    "/attendance/class-summary?subject_id=4000000000", NULL, 404,
	    "not_found", NULL },
	/* the register and Web Push: a student is refused teachers' routes */
	{ ST1, "POST", "/attendance/mark-all", "/attendance/mark-all", "{}",
	    403, "forbidden", NULL },
	{ ST1, "POST", "/attendance/remark", "/attendance/remark", "{}", 403,
	    "forbidden", NULL },
	{ ST1, "GET", "/register/day", "/register/day", NULL, 403, "forbidden",
	    NULL },
	{ ST1, "GET", "/register/settings", "/register/settings", NULL, 403,
	    "forbidden", NULL },
	{ ST1, "POST", "/leave/:id/approve", "/leave/1/approve", "{}", 403,
	    "forbidden", NULL },
	{ ST1, "POST", "/leave/:id/reject", "/leave/1/reject", "{}", 403,
	    "forbidden", NULL },
	{ ST1, "POST", "/holidays", "/holidays", "{}", 403, "forbidden", NULL },
	{ ST1, "DELETE", "/holidays/:id", "/holidays/1", NULL, 403, "forbidden",
	    NULL },
	{ ST1, "GET", "/leave", "/leave", NULL, 200, NULL, "{ST2}" },
	{ ST1, "GET", "/holidays", "/holidays", NULL, 200, NULL, NULL },
	/* substitutes: the subject's teacher, the department's head, admins */
	{ ST1, "POST", "/substitutes", "/substitutes", "{}", 403, "forbidden",
	    NULL },
	{ T2, "POST", "/substitutes", "/substitutes",
	    "{\"period_id\":{PER1},\"date\":\"2030-01-07\","
	    "\"teacher_email\":\"x@t.ehazira.in\"}",
	    403, "out_of_scope", NULL },
	{ ST1, "GET", "/substitutes", "/substitutes", NULL, 403, "forbidden",
	    NULL },
	{ T2, "GET", "/substitutes", "/substitutes", NULL, 200, NULL, "SC1-" },
	{ ST1, "DELETE", "/substitutes/:id", "/substitutes/{SUB1}", NULL, 403,
	    "forbidden", NULL },
	{ T2, "DELETE", "/substitutes/:id", "/substitutes/{SUB1}", NULL, 403,
	    "out_of_scope", NULL },
	{ ST1, "POST", "/leave", "/leave", "{}", 400, NULL, NULL },
	{ ST1, "POST", "/devices/web-push", "/devices/web-push", "{}", 0, NULL,
	    NULL },
	{ ST1, "DELETE", "/devices/web-push", "/devices/web-push", NULL, 0,
	    NULL, NULL },
	{ ST1, "POST", "/me/lang", "/me/lang", "{}", 400, NULL, NULL },
	/* class policy: only a teacher of the class, whatever the role */
	{ T2, "GET", "/classes/:id/policy", "/classes/{K1}/policy", NULL, 403,
	    "not_your_class", NULL },
	{ H1, "GET", "/classes/:id/policy", "/classes/{K1}/policy", NULL, 403,
	    "not_your_class", NULL },
	{ T1, "GET", "/classes/:id/policy", "/classes/4000000000/policy", NULL,
	    404, "class_not_found", NULL },
	{ T2, "PUT", "/classes/:id/policy", "/classes/{K1}/policy",
	    "{\"flag_slow\":true}", 403, "not_your_class", NULL },
	{ ADM, "PUT", "/classes/:id/policy", "/classes/{K1}/policy",
	    "{\"flag_slow\":true}", 403, "not_your_class", NULL },
	{ ST1, "PUT", "/classes/:id/policy", "/classes/{K1}/policy",
	    "{\"flag_slow\":true}", 403, "forbidden", NULL },
	/* biometric presence: students' own device only */
	{ T1, "GET", "/webauthn/status", "/webauthn/status", NULL, 403,
	    "forbidden", NULL },
	{ ST1, "GET", "/webauthn/status", "/webauthn/status", NULL, 200, NULL,
	    NULL },
	{ T1, "POST", "/webauthn/register/options",
	    "/webauthn/register/options", "{}", 403, "forbidden", NULL },
	{ T1, "POST", "/webauthn/register", "/webauthn/register", "{}", 403,
	    "forbidden", NULL },
	{ ST1, "POST", "/webauthn/register", "/webauthn/register", "{}", 400,
	    "uv_malformed", NULL },
	{ T1, "GET", "/webauthn/challenge",
	    "/webauthn/challenge?session_id="
	    "{SES1}",
	    NULL, 403, "forbidden", NULL },
	{ ST2, "GET", "/webauthn/challenge",
	    "/webauthn/challenge?session_id="
	    "{SES1}",
	    NULL, 404, "no_window", NULL },
	/* the dashboard */
	ADMIN_VIEW("/admin/departments"),
	ADMIN_VIEW("/admin/attendance"),
	ADMIN_VIEW("/admin/trend"),
	ADMIN_VIEW("/admin/shortage"),
	ADMIN_VIEW("/admin/not-marked"),
	ADMIN_VIEW("/admin/accounts"),
	ADMIN_VIEW("/admin/jobs"),
	/* last: it revokes the caller's refresh tokens (its own device) */
	{ T2, "POST", "/auth/logout", "/auth/logout", "{}", 200, NULL, NULL },
};

#define NPROBES (sizeof(probes) / sizeof(probes[0]))

Test(scope, every_signed_in_route_of_the_contract_is_in_the_matrix)
{
	size_t n, i, k;
	const struct route *rt = router_table(&n);

	for (i = 0; i < n; i++) {
		if (!(rt[i].flags & ROUTE_SIGNED_IN) ||
		    (rt[i].flags & ROUTE_INTERNAL))
			continue;
		for (k = 0; k < NPROBES; k++)
			if (strcmp(probes[k].route, rt[i].pattern) == 0 &&
			    strcmp(probes[k].method, rt[i].method) == 0)
				break;
		cr_expect_lt(k, NPROBES, "%s %s has no row in the matrix",
		    rt[i].method, rt[i].pattern);
	}
}

Test(scope, each_role_reads_only_what_is_in_its_scope)
{
	struct it_resp r;
	size_t k;

	IT_REQUIRE_STACK();
	make_fixture();
	for (k = 0; k < NPROBES; k++) {
		const struct probe *p = &probes[k];
		const char *path = fill(p->path), *absent;

		if (strcmp(p->method, "DELETE") == 0 ||
		    strcmp(p->method, "PUT") == 0) {
			char auth[4200];
			const char *hdrs[] = { auth,
				"Content-Type: application/json", NULL };
			const char *b = p->body ? fill(p->body) : NULL;

			snprintf(auth, sizeof(auth), "Authorization: Bearer %s",
			    fx.tok[p->who]);
			cr_assert_eq(it_request(p->method, path, b,
					 b ? strlen(b) : 0, hdrs, &r),
			    0);
		} else if (p->body)
			cr_assert_eq(it_post_json(path, fx.tok[p->who],
					 fill(p->body), &r),
			    0);
		else
			cr_assert_eq(it_get(path, fx.tok[p->who], &r), 0);
		/* status 0: the caller's own object, any answer but a 5xx */
		if (p->status == 0)
			cr_expect(r.status >= 200 && r.status < 500,
			    "%s %s as %s: %ld %s", p->method, path,
			    who_role[p->who], r.status, r.body ? r.body : "");
		else
			cr_expect_eq(r.status, p->status, "%s %s as %s: %ld %s",
			    p->method, path, who_role[p->who], r.status,
			    r.body ? r.body : "");
		if (p->code)
			cr_expect_str_eq(it_error_code(&r), p->code,
			    "%s %s as %s", p->method, path, who_role[p->who]);
		if (p->absent && r.body) {
			absent = fill(p->absent);
			cr_expect_null(strstr(r.body, absent),
			    "%s %s as %s shows %s", p->method, path,
			    who_role[p->who], absent);
		}
		it_resp_free(&r);
	}
	/* refusals changed nothing */
	cr_expect_eq(it_sql_int("SELECT COUNT(*) FROM device WHERE device_id "
				"IN (?, ?) AND approval = 'PENDING'",
			 "II", fx.dev1, fx.dev2),
	    2);
	cr_expect_eq(it_sql_int("SELECT COUNT(*) FROM attendance_window "
				"WHERE session_id = ?",
			 "I", fx.ses1),
	    0);
	cr_expect_eq(it_sql_int("SELECT flag_slow FROM class WHERE class_id = "
				"?",
			 "I", fx.k1),
	    0);
	cr_expect_eq(it_sql_int("SELECT COUNT(*) FROM telemetry WHERE "
				"student_email = ?",
			 "s", fx.email[ST2]),
	    0);
	cr_expect_eq(it_sql_int("SELECT COUNT(*) FROM attendance WHERE "
				"session_id = ? AND status = 'A'",
			 "I", fx.ses1),
	    1);
}

Test(scope, a_changed_role_must_sign_in_again)
{
	struct it_resp r;

	IT_REQUIRE_STACK();
	make_fixture();
	cr_assert_eq(it_sql("UPDATE teacher SET role = 'teacher' WHERE "
			    "teacher_email = ?",
			 "s", fx.email[ADM]),
	    DB_OK);
	cr_assert_eq(it_get("/admin/jobs", fx.tok[ADM], &r), 0);
	cr_expect_eq(r.status, 401);
	cr_expect_str_eq(it_error_code(&r), "role_changed");
	it_resp_free(&r);
	cr_assert_eq(it_sql("UPDATE teacher SET role = 'admin' WHERE "
			    "teacher_email = ?",
			 "s", fx.email[ADM]),
	    DB_OK);
}
