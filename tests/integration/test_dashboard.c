/*
 * test_dashboard.c - the dashboard's views (GET /admin/...) and their
 * ehazira-admin twins on a fixture worked out by hand, the exports, the
 * role command, and the import that reports every problem of a row.
 *
 * Fixture (January 2025), department D, class K, subject S (teacher T):
 * period P1 on Mondays, P2 on Tuesdays; 2025-01-14 is a holiday.
 *
 *   P1 session   01-06  01-13  01-20  01-27 (opened, no marks)
 *   A  roll 01     P      P      P        100.0
 *   B  roll 02     P      A      P         66.7  shortage
 *   C  roll 03     A      A      A          0.0  shortage
 *   D  roll 04     R      P      P         66.7  shortage (R: not present)
 *   totals 12 marks, 7 P, 4 A, 1 R: 58.3 %
 *   weekly W02 2/4 50.0, W03 2/4 50.0, W04 3/4 75.0
 *   not marked: P1 01-27 (no marks), P2 01-07, 01-21, 01-28 (01-14 is a
 *   holiday) - 4 periods
 *
 * A second subject of K (teacher T2, Sundays) holds one session on
 * 2025-02-02 with A and B present: January and February together are one
 * department of 14 marks, 9 present, and two teachers.
 */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "it.h"
#include "itadmin.h"

#define RANGE "from=2025-01-01&to=2025-01-31"

static struct {
	char t[96], adm[96], st[4][96], c[40];
	long long dep, cls, s, p1, p2;
	char *tok_adm;
} fx;

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

static void
marks(const char *date, const char *row)
{
	long long ses = insert("INSERT INTO session (period_id, date) VALUES "
			       "(?, ?)",
	    "Is", fx.p1, date);
	int i;

	for (i = 0; row[i]; i++)
		insert("INSERT INTO attendance (session_id, student_email, "
		       "status) VALUES (?, ?, ?)",
		    "Iss", ses, fx.st[i], (char[]){ row[i], '\0' });
}

/*
 * A second subject of K, taught by T2 on Sundays, with one session on
 * 2025-02-02 (A and B present): a department of two teachers.
 */
static void
two_teachers(const char *u)
{
	char t2[96], c2[40];
	long long s2, p, ses;

	snprintf(t2, sizeof(t2), "dash-t2.%s@t.ehazira.in", u);
	snprintf(c2, sizeof(c2), "DASH2-%s", u);
	insert("INSERT INTO teacher (teacher_email, name, department_id, "
	       "verified) VALUES (?, 'Dash T2', ?, 1)",
	    "sI", t2, fx.dep);
	insert("INSERT INTO course (course_id, course_name) VALUES (?, 'Two')",
	    "s", c2);
	s2 = insert("INSERT INTO subject (course_id, class_id, teacher_email) "
		    "VALUES (?, ?, ?)",
	    "sIs", c2, fx.cls, t2);
	p = insert("INSERT INTO period (subject_id, day_of_week, period_no) "
		   "VALUES (?, 7, 1)",
	    "I", s2);
	ses = insert("INSERT INTO session (period_id, date) VALUES (?, "
		     "'2025-02-02')",
	    "I", p);
	insert("INSERT INTO attendance (session_id, student_email, status) "
	       "VALUES (?, ?, 'P'), (?, ?, 'P')",
	    "IsIs", ses, fx.st[0], ses, fx.st[1]);
}

static void
fixture(void)
{
	const char *u = it_uniq();
	int i;

	it_config(); /* exports EHAZIRA_CONF for ehazira-admin */
	fx.dep = insert("INSERT INTO department (department_name) VALUES (?)",
	    "s", arena_printf(it_arena(), "Dash %s", u));
	fx.cls = insert("INSERT INTO class (department_id, batch, semester, "
			"section) VALUES (?, '2023', 5, 'B')",
	    "I", fx.dep);
	snprintf(fx.t, sizeof(fx.t), "dash-t.%s@t.ehazira.in", u);
	snprintf(fx.adm, sizeof(fx.adm), "dash-adm.%s@t.ehazira.in", u);
	insert("INSERT INTO teacher (teacher_email, name, department_id, "
	       "verified, role) VALUES (?, 'Dash T', ?, 1, 'teacher'), "
	       "(?, 'Dash Adm', ?, 1, 'admin')",
	    "sIsI", fx.t, fx.dep, fx.adm, fx.dep);
	for (i = 0; i < 4; i++) {
		snprintf(fx.st[i], sizeof(fx.st[i]), "dash-%c.%s@t.ehazira.in",
		    'a' + i, u);
		insert("INSERT INTO student (student_email, name, roll_no, "
		       "class_id, verified) VALUES (?, ?, ?, ?, 1)",
		    "sssI", fx.st[i], fx.st[i],
		    arena_printf(it_arena(), "%02d", i + 1), fx.cls);
	}
	snprintf(fx.c, sizeof(fx.c), "DASH-%s", u);
	insert("INSERT INTO course (course_id, course_name) VALUES (?, "
	       "'Dashboards')",
	    "s", fx.c);
	fx.s = insert("INSERT INTO subject (course_id, class_id, "
		      "teacher_email) VALUES (?, ?, ?)",
	    "sIs", fx.c, fx.cls, fx.t);
	fx.p1 = insert("INSERT INTO period (subject_id, day_of_week, "
		       "period_no) VALUES (?, 1, 1)",
	    "I", fx.s);
	fx.p2 = insert("INSERT INTO period (subject_id, day_of_week, "
		       "period_no) VALUES (?, 2, 3)",
	    "I", fx.s);
	marks("2025-01-06", "PPAR");
	marks("2025-01-13", "PAAP");
	marks("2025-01-20", "PPAP");
	marks("2025-01-27", "");
	two_teachers(u);
	it_sql("INSERT IGNORE INTO holiday (date, name) VALUES "
	       "('2025-01-14', 'Makar Sankranti')",
	    "");
	fx.tok_adm = it_token(fx.adm, "admin",
	    insert("INSERT INTO device (user_email, role, device_uuid, "
		   "fingerprint_hash, platform, active, approval) VALUES "
		   "(?, 'admin', 'u', 'f', 'WEB', 1, 'ACTIVE')",
		"s", fx.adm),
	    600);
}

TestSuite(dashboard, .init = fixture);

/* GET path as the administrator; the JSON rows (borrowed from r). */
static json_t *
rows_of(const char *path, struct it_resp *r)
{
	cr_assert_eq(it_get(path, fx.tok_adm, r), 0);
	cr_assert_eq(r->status, 200, "%s: %ld %s", path, r->status, r->body);
	cr_assert_not_null(r->json);
	return json_object_get(r->json, "rows");
}

static const char *
str(json_t *row, const char *k)
{
	const char *s = json_string_value(json_object_get(row, k));

	return s ? s : "";
}

static double
num(json_t *row, const char *k)
{
	return json_number_value(json_object_get(row, k));
}

Test(dashboard, attendance_by_class_counts_marks_in_the_database)
{
	struct it_resp r;
	json_t *rows = rows_of(arena_printf(it_arena(),
				   "/admin/attendance?by=class&department_id="
				   "%lld&" RANGE,
				   fx.dep),
	    &r);

	cr_assert_eq(json_array_size(rows), 1);
	cr_expect_eq(num(json_array_get(rows, 0), "sessions"), 3);
	cr_expect_eq(num(json_array_get(rows, 0), "marks"), 12);
	cr_expect_eq(num(json_array_get(rows, 0), "present"), 7);
	cr_expect_eq(num(json_array_get(rows, 0), "absent"), 4);
	cr_expect_eq(num(json_array_get(rows, 0), "flagged"), 1);
	cr_expect_float_eq(num(json_array_get(rows, 0), "percent"), 58.3, 1e-9);
	it_resp_free(&r);
}

Test(dashboard, a_department_of_two_teachers_is_one_row)
{
	struct it_resp r;
	json_t *rows = rows_of(arena_printf(it_arena(),
				   "/admin/attendance?by=department&"
				   "department_id=%lld&from=2025-01-01&"
				   "to=2025-02-28",
				   fx.dep),
	    &r);

	cr_assert_eq(json_array_size(rows), 1, "%s", r.body);
	cr_expect_eq(num(json_array_get(rows, 0), "marks"), 14);
	cr_expect_eq(num(json_array_get(rows, 0), "present"), 9);
	it_resp_free(&r);
	rows = rows_of(arena_printf(it_arena(),
			   "/admin/attendance?by=teacher&department_id=%lld&"
			   "from=2025-01-01&to=2025-02-28",
			   fx.dep),
	    &r);
	cr_expect_eq(json_array_size(rows), 2, "%s", r.body);
	it_resp_free(&r);
}

Test(dashboard, the_trend_is_week_by_week)
{
	static const struct {
		const char *week;
		double marks, present, percent;
	} want[] = { { "2025-W02", 4, 2, 50.0 }, { "2025-W03", 4, 2, 50.0 },
		{ "2025-W04", 4, 3, 75.0 } };
	struct it_resp r;
	json_t *rows =
	    rows_of(arena_printf(it_arena(),
			"/admin/trend?department_id=%lld&" RANGE, fx.dep),
		&r);
	size_t i;

	cr_assert_eq(json_array_size(rows), 3);
	for (i = 0; i < 3; i++) {
		json_t *w = json_array_get(rows, i);

		cr_expect_str_eq(str(w, "week"), want[i].week);
		cr_expect_eq(num(w, "marks"), want[i].marks);
		cr_expect_eq(num(w, "present"), want[i].present);
		cr_expect_float_eq(num(w, "percent"), want[i].percent, 1e-9);
	}
	it_resp_free(&r);
}

Test(dashboard, the_shortage_list_is_below_the_threshold_lowest_first)
{
	struct it_resp r;
	json_t *rows =
	    rows_of(arena_printf(it_arena(),
			"/admin/shortage?department_id=%lld&" RANGE, fx.dep),
		&r);

	cr_assert_eq(json_array_size(rows), 3, "%s", r.body);
	cr_expect_str_eq(str(json_array_get(rows, 0), "student_email"),
	    fx.st[2]);
	cr_expect_eq(num(json_array_get(rows, 0), "percent"), 0.0);
	cr_expect_str_eq(str(json_array_get(rows, 1), "student_email"),
	    fx.st[1]);
	cr_expect_str_eq(str(json_array_get(rows, 2), "student_email"),
	    fx.st[3]);
	cr_expect_float_eq(num(json_array_get(rows, 2), "percent"), 66.7, 1e-9);
	cr_expect_eq(num(json_array_get(rows, 2), "held"), 3);
	it_resp_free(&r);
}

Test(dashboard, not_marked_lists_periods_without_marks_but_not_holidays)
{
	static const char *const want[] = { "2025-01-07", "2025-01-21",
		"2025-01-27", "2025-01-28" };
	struct it_resp r;
	json_t *rows =
	    rows_of(arena_printf(it_arena(),
			"/admin/not-marked?department_id=%lld&" RANGE, fx.dep),
		&r);
	size_t i, k = 0;

	/* T's periods (T2's Sundays are not marked either: other rows) */
	for (i = 0; i < json_array_size(rows); i++) {
		json_t *row = json_array_get(rows, i);

		if (strcmp(str(row, "teacher_email"), fx.t) != 0)
			continue;
		cr_assert_lt(k, 4, "%s", r.body);
		cr_expect_str_eq(str(row, "date"), want[k]);
		k++;
	}
	cr_expect_eq(k, 4, "%s", r.body);
	it_resp_free(&r);
}

Test(dashboard, every_view_exports_csv_and_xlsx)
{
	static const char *const views[] = { "attendance", "trend", "shortage",
		"not-marked", "accounts", "jobs", "departments" };
	struct it_resp r;
	size_t i;

	for (i = 0; i < sizeof(views) / sizeof(views[0]); i++) {
		cr_assert_eq(it_get(arena_printf(it_arena(),
					"/admin/%s?department_id=%lld&" RANGE
					"&format=csv",
					views[i], fx.dep),
				 fx.tok_adm, &r),
		    0);
		cr_expect_eq(r.status, 200, "%s csv", views[i]);
		cr_expect(strncmp(r.content_type, "text/csv", 8) == 0);
		cr_expect(strstr(r.headers, "attachment") != NULL);
		it_resp_free(&r);
		cr_assert_eq(it_get(arena_printf(it_arena(),
					"/admin/%s?department_id=%lld&" RANGE
					"&format=xlsx",
					views[i], fx.dep),
				 fx.tok_adm, &r),
		    0);
		cr_expect_eq(r.status, 200, "%s xlsx", views[i]);
		cr_expect(r.len > 4 && memcmp(r.body, "PK", 2) == 0,
		    "%s: a zip", views[i]);
		it_resp_free(&r);
	}
	cr_assert_eq(it_get(arena_printf(it_arena(),
				"/admin/shortage?department_id=%lld&" RANGE
				"&format=csv",
				fx.dep),
			 fx.tok_adm, &r),
	    0);
	cr_expect(strncmp(r.body, "roll_no,name,student_email,", 27) == 0, "%s",
	    r.body);
	cr_expect(strstr(r.body, fx.st[2]) != NULL);
	it_resp_free(&r);
}

Test(dashboard, bad_input_is_a_clear_4xx)
{
	static const struct {
		const char *path;
		int status;
		const char *code;
	} cases[] = {
		{ "/admin/attendance?by=nonsense", 400, "bad_request" },
		{ "/admin/attendance?from=2025-13-01", 400, "bad_request" },
		{ "/admin/trend?from=2025-02-01&to=2025-01-01", 400,
		    "bad_request" },
		{ "/admin/trend?from=2023-01-01&to=2025-01-01", 400,
		    "range_too_long" },
		{ "/admin/shortage?department_id=x", 400, "bad_request" },
		{ "/admin/shortage?format=edfi", 400, "bad_request" },
		{ "/admin/jobs?department_id=4000000000", 404, "not_found" },
	};
	struct it_resp r;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cr_assert_eq(it_get(cases[i].path, fx.tok_adm, &r), 0);
		cr_expect_eq(r.status, cases[i].status, "%s: %ld",
		    cases[i].path, r.status);
		cr_expect_str_eq(it_error_code(&r), cases[i].code, "%s",
		    cases[i].path);
		it_resp_free(&r);
	}
}

/* ehazira-admin ARGS...; exit code, output in out. */
#define ADMIN(out, ...)               \
	it_admin(out, sizeof(out), 0, \
	    (const char *const[]){ __VA_ARGS__, NULL })

Test(dashboard, the_cli_lists_views_with_exit_codes)
{
	char out[16384], *dep = arena_printf(it_arena(), "%lld", fx.dep);
	char path[] = "/tmp/ehz-dash-XXXXXX.xlsx";
	FILE *fp;
	char magic[2] = { 0 };
	int fd;

	cr_expect_eq(ADMIN(out, "shortage", "--department", dep, "--from",
			 "2025-01-01", "--to", "2025-01-31"),
	    0, "%s", out);
	cr_expect(strstr(out, fx.st[2]) != NULL, "%s", out);
	cr_expect(strstr(out, fx.st[0]) == NULL, "%s", out);
	cr_expect_eq(ADMIN(out, "shortage", "--department", dep, "--from",
			 "2025-01-01", "--to", "2025-01-31", "--check"),
	    3);
	cr_expect_eq(ADMIN(out, "not-marked", "--department", dep, "--from",
			 "2025-01-01", "--to", "2025-01-31", "--format",
			 "json"),
	    0, "%s", out);
	cr_expect(strstr(out, "\"2025-01-28\"") != NULL, "%s", out);
	cr_expect(strstr(out, "\"2025-01-14\"") == NULL, "%s", out);
	cr_expect_eq(ADMIN(out, "list", "trend", "--department", dep, "--from",
			 "2025-01-01", "--to", "2025-01-31"),
	    0);
	cr_expect(strstr(out, "2025-W04") != NULL, "%s", out);
	cr_expect_eq(ADMIN(out, "list", "shortage", "--department",
			 "4000000000"),
	    4, "%s", out);
	cr_expect_eq(ADMIN(out, "list", "nonsense"), 2);
	cr_expect_eq(ADMIN(out, "list", "trend", "--from", "2025-02-30x"), 2);
	cr_assert((fd = mkstemps(path, 5)) >= 0);
	close(fd);
	cr_expect_eq(ADMIN(out, "export", "attendance", "--by", "teacher",
			 "--department", dep, "--format", "xlsx", "--out",
			 path),
	    0, "%s", out);
	cr_assert_not_null(fp = fopen(path, "rb"));
	cr_expect_eq(fread(magic, 1, 2, fp), 2);
	fclose(fp);
	unlink(path);
	cr_expect(memcmp(magic, "PK", 2) == 0);
}

Test(dashboard, role_changes_a_staff_account_with_an_audit_row)
{
	char out[4096];

	cr_expect_eq(ADMIN(out, "role", fx.t, "head"), 0, "%s", out);
	cr_expect_eq(it_sql_int("SELECT COUNT(*) FROM teacher WHERE "
				"teacher_email = ? AND role = 'head'",
			 "s", fx.t),
	    1);
	cr_expect_eq(it_sql_int("SELECT COUNT(*) FROM audit_log WHERE "
				"subject = ? AND action = 'user.role' AND "
				"new_value = 'head'",
			 "s", fx.t),
	    1);
	cr_expect_eq(ADMIN(out, "role", fx.t, "emperor"), 2);
	cr_expect_eq(ADMIN(out, "role", fx.st[0], "head"), 1);
}

Test(dashboard, a_bad_import_reports_every_problem_and_applies_nothing)
{
	char out[8192], path[] = "/tmp/ehz-dash-XXXXXX.csv";
	const char *u = it_uniq();
	FILE *fp;
	int fd;
	long long runs = it_sql_int("SELECT COUNT(*) FROM job_run WHERE "
				    "kind = 'import' AND ok = 0",
	    "");

	cr_assert((fd = mkstemps(path, 4)) >= 0);
	cr_assert_not_null(fp = fdopen(fd, "w"));
	fprintf(fp,
	    "teacher_email,name,department,role\n"
	    "good.%s@t.ehazira.in,Good,Dash %s,head\n"
	    "not-an-email,,No Such Dept %s,emperor\n"
	    "fine.%s@t.ehazira.in,Fine,Dash %s,\n",
	    u, u, u, u, u);
	fclose(fp);
	cr_expect_eq(ADMIN(out, "import", "teachers", path), 1);
	unlink(path);
	/* line 3: all four problems, on one line */
	cr_expect(strstr(out, ":3: ") != NULL, "%s", out);
	cr_expect(strstr(out, "not an e-mail address") != NULL, "%s", out);
	cr_expect(strstr(out, "'name' is empty") != NULL, "%s", out);
	cr_expect(strstr(out, "unknown department") != NULL, "%s", out);
	cr_expect(strstr(out, "'role' must be") != NULL, "%s", out);
	cr_expect(strstr(out, ":2: ") == NULL, "%s", out);
	cr_expect_eq(it_sql_int("SELECT COUNT(*) FROM teacher WHERE "
				"teacher_email IN (?, ?)",
			 "ss",
			 arena_printf(it_arena(), "good.%s@t.ehazira.in", u),
			 arena_printf(it_arena(), "fine.%s@t.ehazira.in", u)),
	    0);
	cr_expect_eq(it_sql_int("SELECT COUNT(*) FROM job_run WHERE "
				"kind = 'import' AND ok = 0",
			 ""),
	    runs + 1);
}
