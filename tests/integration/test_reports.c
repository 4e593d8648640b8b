/*
 * test_reports.c - the reporting endpoints, exports, cron and warnings
 * against the running stack, on fixture rows inserted directly and checked
 * against numbers worked out by hand (below).
 *
 * Fixture (January 2025), subject S1 "Algorithms" taught by T1, class K:
 *
 *   session      01-06 P1  01-08 P2  01-13 P1  01-15 P2  01-20 P1
 *   A  roll 01       P         A         A         A      (no rows at all:
 *   B  roll 02       A(T)      P         P(M)      P       not held)
 *   C  roll 03       A*        P         P         A(M)
 *   D  roll 10       P         P         R         -
 *
 *   * C joined on 01-08: the 01-06 row does not count.  - no row: not
 *   counted.  (T) TIMEOUT, (M) MANUAL, others OTP.
 *
 *   A 4 held 1P 3A 0R 25.0% at risk, longest absence run 3 (01-08..01-15)
 *   B 4 held 3P 1A 0R 75.0% not at risk (exactly the threshold), run 1
 *   C 3 held 2P 1A 0R 66.7% at risk, run 1 (01-15)
 *   D 3 held 2P 0A 1R 66.7% at risk (flagged is not present), run 0
 *   totals 14 held 8P 5A 1R 57.1%; 3 at risk
 *   weekly 2025-W02: 7 marks 5 present 71.4; 2025-W03: 7 marks 3P 42.9
 *
 * Subject S2 "Networks" (teacher T2), one session 01-07: A P, B A.
 * Student E is in another class K2.
 */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "attstats.h"
#include "it.h"
#include "itadmin.h"
#include "reportbuild.h"
#include "reportexport.h"
#include "reportfile.h"
#include "reportjson.h"
#include "warnings.h"

struct fx {
	char t1[96], t2[96], a[96], b[96], c[96], d[96], e[96];
	char c1[40], c2[40];
	long long dep, cls, cls2, s1, s2;
	long long s1_sessions[5], s2_session;
	char *tok_t1, *tok_t2, *tok_a, *tok_e;
};

static long long
last_id(void)
{
	return db_insert_id(it_db());
}

static long long
device(const char *email, const char *role, int active)
{
	cr_assert_eq(it_sql("INSERT INTO device (user_email, role, "
			    "device_uuid, fingerprint_hash, platform, active, "
			    "approval) VALUES (?, ?, 'uuid', 'fp', "
			    "'ANDROID', ?, ?)",
			 "ssis", email, role, active,
			 active ? "ACTIVE" : "REPLACED"),
	    DB_OK);
	return last_id();
}

static void
teacher(const char *email, long long dep)
{
	cr_assert_eq(it_sql("INSERT INTO teacher (teacher_email, name, "
			    "department_id, verified) VALUES (?, 'T', ?, 1)",
			 "sI", email, dep),
	    DB_OK);
}

static void
student(const char *email, const char *name, const char *roll, long long cls,
    const char *joined)
{
	cr_assert_eq(it_sql("INSERT INTO student (student_email, name, "
			    "roll_no, class_id, verified, joined_on) "
			    "VALUES (?, ?, ?, ?, 1, ?)",
			 "sssIs", email, name, roll, cls, joined),
	    DB_OK);
}

static long long
subject(const char *course, const char *name, long long cls,
    const char *teacher_email)
{
	cr_assert_eq(it_sql("INSERT INTO course (course_id, course_name) "
			    "VALUES (?, ?)",
			 "ss", course, name),
	    DB_OK);
	cr_assert_eq(it_sql("INSERT INTO subject (course_id, class_id, "
			    "teacher_email) VALUES (?, ?, ?)",
			 "sIs", course, cls, teacher_email),
	    DB_OK);
	return last_id();
}

static long long
period(long long subj, int dow, int no)
{
	cr_assert_eq(it_sql("INSERT INTO period (subject_id, day_of_week, "
			    "period_no) VALUES (?, ?, ?)",
			 "Iii", subj, dow, no),
	    DB_OK);
	return last_id();
}

static long long
session(long long per, const char *date)
{
	cr_assert_eq(it_sql("INSERT INTO session (period_id, date) "
			    "VALUES (?, ?)",
			 "Is", per, date),
	    DB_OK);
	return last_id();
}

static void
mark(long long ses, const char *email, const char *status, const char *source)
{
	cr_assert_eq(
	    it_sql("INSERT INTO attendance (session_id, "
		   "student_email, status, source) VALUES (?, ?, ?, ?)",
		"Isss", ses, email, status, source),
	    DB_OK);
}

static void
make_fixture(struct fx *f)
{
	const char *u = it_uniq();
	char name[96];
	long long p1, p2, p3;
	long long *s;

	memset(f, 0, sizeof(*f));
	snprintf(name, sizeof(name), "Reports %s", u);
	cr_assert_eq(it_sql("INSERT INTO department (department_name) "
			    "VALUES (?)",
			 "s", name),
	    DB_OK);
	f->dep = last_id();
	cr_assert_eq(it_sql("INSERT INTO class (department_id, batch, "
			    "semester, section) VALUES (?, '2024', 3, 'A')",
			 "I", f->dep),
	    DB_OK);
	f->cls = last_id();
	cr_assert_eq(it_sql("INSERT INTO class (department_id, batch, "
			    "semester, section) VALUES (?, '2024', 3, 'B')",
			 "I", f->dep),
	    DB_OK);
	f->cls2 = last_id();
	snprintf(f->t1, sizeof(f->t1), "t1-%s@rep.edu", u);
	snprintf(f->t2, sizeof(f->t2), "t2-%s@rep.edu", u);
	snprintf(f->a, sizeof(f->a), "a-%s@rep.edu", u);
	snprintf(f->b, sizeof(f->b), "b-%s@rep.edu", u);
	snprintf(f->c, sizeof(f->c), "c-%s@rep.edu", u);
	snprintf(f->d, sizeof(f->d), "d-%s@rep.edu", u);
	snprintf(f->e, sizeof(f->e), "e-%s@rep.edu", u);
	snprintf(f->c1, sizeof(f->c1), "ALG%s", u);
	snprintf(f->c2, sizeof(f->c2), "NET%s", u);
	teacher(f->t1, f->dep);
	teacher(f->t2, f->dep);
	student(f->a, "Asha", "01", f->cls, NULL);
	student(f->b, "Bo, Jr", "02", f->cls, NULL);
	student(f->c, "Chen", "03", f->cls, "2025-01-08");
	student(f->d, "Dev", "10", f->cls, NULL);
	student(f->e, "Eve", "01", f->cls2, NULL);
	f->s1 = subject(f->c1, "Algorithms", f->cls, f->t1);
	f->s2 = subject(f->c2, "Networks", f->cls, f->t2);
	p1 = period(f->s1, 1, 1);
	p2 = period(f->s1, 3, 2);
	p3 = period(f->s2, 2, 3);
	s = f->s1_sessions;
	s[0] = session(p1, "2025-01-06");
	s[1] = session(p2, "2025-01-08");
	s[2] = session(p1, "2025-01-13");
	s[3] = session(p2, "2025-01-15");
	s[4] = session(p1, "2025-01-20");
	f->s2_session = session(p3, "2025-01-07");

	mark(s[0], f->a, "P", "OTP");
	mark(s[0], f->b, "A", "TIMEOUT");
	mark(s[0], f->c, "A", "TIMEOUT");
	mark(s[0], f->d, "P", "OTP");
	mark(s[1], f->a, "A", "TIMEOUT");
	mark(s[1], f->b, "P", "OTP");
	mark(s[1], f->c, "P", "OTP");
	mark(s[1], f->d, "P", "OTP");
	mark(s[2], f->a, "A", "TIMEOUT");
	mark(s[2], f->b, "P", "MANUAL");
	mark(s[2], f->c, "P", "OTP");
	mark(s[2], f->d, "R", "OTP");
	mark(s[3], f->a, "A", "TIMEOUT");
	mark(s[3], f->b, "P", "OTP");
	mark(s[3], f->c, "A", "MANUAL");
	mark(f->s2_session, f->a, "P", "OTP");
	mark(f->s2_session, f->b, "A", "TIMEOUT");

	f->tok_t1 =
	    it_token(f->t1, "teacher", device(f->t1, "teacher", 1), 600);
	f->tok_t2 =
	    it_token(f->t2, "teacher", device(f->t2, "teacher", 1), 600);
	f->tok_a = it_token(f->a, "student", device(f->a, "student", 1), 600);
	f->tok_e = it_token(f->e, "student", device(f->e, "student", 1), 600);
}

static json_t *get_json(const char *token, int want, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* GET a path (printf-style), assert the status, return the JSON (owned). */
static json_t *
get_json(const char *token, int want, const char *fmt, ...)
{
	char path[1024];
	struct it_resp r;
	va_list ap;
	json_t *j;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	cr_assert_eq(it_get(path, token, &r), 0);
	cr_assert_eq(r.status, want, "%s -> %ld %s", path, r.status, r.body);
	j = json_incref(r.json);
	it_resp_free(&r);
	return j;
}

static json_t *
student_row(json_t *body, const char *email)
{
	json_t *s = json_object_get(body, "students"), *o;
	size_t i;

	json_array_foreach(s, i,
	    o) if (strcmp(json_string_value(json_object_get(o, "email")),
		       email) == 0) return o;
	cr_assert_fail("no row for %s", email);
	return NULL;
}

static void
expect_counts(json_t *o, int held, int p, int a, int r, double pct)
{
	cr_assert_eq(json_integer_value(json_object_get(o, "held")), held);
	cr_assert_eq(json_integer_value(json_object_get(o, "present")), p);
	cr_assert_eq(json_integer_value(json_object_get(o, "absent")), a);
	cr_assert_eq(json_integer_value(json_object_get(o, "flagged")), r);
	if (pct < 0)
		cr_assert(json_is_null(json_object_get(o, "percent")));
	else
		cr_assert_float_eq(json_number_value(
				       json_object_get(o, "percent")),
		    pct, 1e-9);
}

static int
jbool(json_t *o, const char *k)
{
	return json_is_true(json_object_get(o, k));
}

static const char *
jstr(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "(null)";
}

Test(reports, class_summary_matches_the_hand_computed_register)
{
	struct fx f;
	json_t *b, *o, *w;

	IT_REQUIRE_STACK();
	make_fixture(&f);
	b = get_json(f.tok_t1, 200,
	    "/attendance/class-summary?class_id=%lld&subject_id=%lld"
	    "&from=2025-01-01&to=2025-01-31",
	    f.cls, f.s1);
	cr_assert_str_eq(jstr(b, "from"), "2025-01-01");
	cr_assert_eq(json_array_size(json_object_get(b, "sessions")), 4,
	    "the 01-20 session had no marks: not held");
	o = json_object_get(b, "students");
	cr_assert_eq(json_array_size(o), 4);
	/* by roll number, "10" after "03" */
	cr_assert_str_eq(jstr(json_array_get(o, 0), "roll_no"), "01");
	cr_assert_str_eq(jstr(json_array_get(o, 3), "roll_no"), "10");

	o = student_row(b, f.a);
	expect_counts(o, 4, 1, 3, 0, 25.0);
	cr_assert(jbool(o, "at_risk"));
	cr_assert_eq(json_integer_value(
			 json_object_get(o, "longest_absent_run")),
	    3);
	cr_assert_str_eq(jstr(o, "longest_absent_from"), "2025-01-08");
	cr_assert_str_eq(jstr(o, "longest_absent_to"), "2025-01-15");

	o = student_row(b, f.b);
	expect_counts(o, 4, 3, 1, 0, 75.0);
	cr_assert(!jbool(o, "at_risk"), "75%% is not below 75%%");
	cr_assert_eq(json_integer_value(
			 json_object_get(o, "longest_absent_run")),
	    1);

	o = student_row(b, f.c);
	expect_counts(o, 3, 2, 1, 0, 66.7);
	cr_assert(jbool(o, "at_risk"));
	cr_assert_str_eq(jstr(o, "joined_on"), "2025-01-08");
	cr_assert_str_eq(jstr(o, "longest_absent_from"), "2025-01-15");

	o = student_row(b, f.d);
	expect_counts(o, 3, 2, 0, 1, 66.7);
	cr_assert(jbool(o, "at_risk"), "flagged does not count as present");
	cr_assert_eq(json_integer_value(
			 json_object_get(o, "longest_absent_run")),
	    0);
	cr_assert(json_is_null(json_object_get(o, "longest_absent_from")));

	o = json_object_get(b, "totals");
	expect_counts(o, 14, 8, 5, 1, 57.1);
	cr_assert_eq(json_integer_value(json_object_get(o, "students")), 4);
	cr_assert_eq(json_integer_value(json_object_get(o, "sessions_held")),
	    4);
	cr_assert_eq(json_integer_value(json_object_get(o, "at_risk")), 3);
	cr_assert_eq(json_array_size(json_object_get(b, "at_risk")), 3);
	cr_assert_eq(json_integer_value(json_object_get(b, "threshold")), 75);

	w = json_object_get(b, "weekly");
	cr_assert_eq(json_array_size(w), 2);
	o = json_array_get(w, 0);
	cr_assert_str_eq(jstr(o, "week"), "2025-W02");
	cr_assert_eq(json_integer_value(json_object_get(o, "marks")), 7);
	cr_assert_eq(json_integer_value(json_object_get(o, "present")), 5);
	cr_assert_float_eq(json_number_value(json_object_get(o, "percent")),
	    71.4, 1e-9);
	o = json_array_get(w, 1);
	cr_assert_str_eq(jstr(o, "week"), "2025-W03");
	cr_assert_eq(json_integer_value(json_object_get(o, "present")), 3);
	cr_assert_float_eq(json_number_value(json_object_get(o, "percent")),
	    42.9, 1e-9);
	json_decref(b);
}

Test(reports, an_empty_range_has_zero_held_and_no_percentages)
{
	struct fx f;
	json_t *b, *o;

	IT_REQUIRE_STACK();
	make_fixture(&f);
	b = get_json(f.tok_t1, 200,
	    "/attendance/class-summary?subject_id=%lld"
	    "&from=2025-02-01&to=2025-02-28",
	    f.s1);
	cr_assert_eq(json_array_size(json_object_get(b, "sessions")), 0);
	cr_assert_eq(json_array_size(json_object_get(b, "students")), 4);
	o = student_row(b, f.a);
	expect_counts(o, 0, 0, 0, 0, -1);
	cr_assert(!jbool(o, "at_risk"));
	expect_counts(json_object_get(b, "totals"), 0, 0, 0, 0, -1);
	cr_assert_eq(json_array_size(json_object_get(b, "at_risk")), 0);
	cr_assert_eq(json_array_size(json_object_get(b, "weekly")), 0);
	json_decref(b);

	b = get_json(f.tok_a, 200,
	    "/attendance/student-summary?from=2025-02-01&to=2025-02-28");
	cr_assert_eq(json_array_size(json_object_get(b, "days")), 0);
	cr_assert_eq(json_array_size(json_object_get(b, "subjects")), 2);
	expect_counts(json_object_get(b, "totals"), 0, 0, 0, 0, -1);
	json_decref(b);
}

Test(reports, a_student_sees_every_subject_day_by_day)
{
	struct fx f;
	json_t *b, *subj, *days, *d;

	IT_REQUIRE_STACK();
	make_fixture(&f);
	b = get_json(f.tok_a, 200,
	    "/attendance/student-summary?from=2025-01-01&to=2025-01-31");
	cr_assert_str_eq(jstr(json_object_get(b, "student"), "email"), f.a);
	subj = json_object_get(b, "subjects");
	cr_assert_eq(json_array_size(subj), 2);
	/* by course name: Algorithms, Networks */
	cr_assert_str_eq(jstr(json_array_get(subj, 0), "course_name"),
	    "Algorithms");
	expect_counts(json_array_get(subj, 0), 4, 1, 3, 0, 25.0);
	cr_assert(jbool(json_array_get(subj, 0), "at_risk"));
	expect_counts(json_array_get(subj, 1), 1, 1, 0, 0, 100.0);
	cr_assert(!jbool(json_array_get(subj, 1), "at_risk"));
	expect_counts(json_object_get(b, "totals"), 5, 2, 3, 0, 40.0);
	days = json_object_get(b, "days");
	cr_assert_eq(json_array_size(days), 5);
	d = json_array_get(days, 1);
	cr_assert_str_eq(jstr(d, "date"), "2025-01-07");
	cr_assert_str_eq(jstr(d, "course_name"), "Networks");
	cr_assert_eq(json_integer_value(json_object_get(d, "period_no")), 3);
	cr_assert_str_eq(jstr(d, "status"), "P");
	d = json_array_get(days, 4);
	cr_assert_str_eq(jstr(d, "date"), "2025-01-15");
	cr_assert_str_eq(jstr(d, "status"), "A");
	cr_assert_str_eq(jstr(d, "source"), "TIMEOUT");
	json_decref(b);

	/* naming oneself explicitly is the same; a subject filter narrows */
	b = get_json(f.tok_a, 200,
	    "/attendance/student-summary?student_email=%s&subject_id=%lld"
	    "&from=2025-01-01&to=2025-01-31",
	    f.a, f.s2);
	cr_assert_eq(json_array_size(json_object_get(b, "subjects")), 1);
	cr_assert_eq(json_array_size(json_object_get(b, "days")), 1);
	json_decref(b);
}

/* The drill-down's leave: the student's records that overlap the range. */
Test(reports, the_summary_lists_the_students_leave_in_the_range)
{
	static const struct {
		const char *who, *kind, *from, *to, *state;
	} rows[] = {
		{ "a", "MEDICAL", "2025-01-08", "2025-01-09", "APPROVED" },
		{ "a", "DUTY", "2025-01-30", "2025-02-02", "PENDING" },
		{ "a", "OTHER", "2024-12-01", "2024-12-05", "REJECTED" },
		{ "b", "MEDICAL", "2025-01-10", "2025-01-10", "APPROVED" },
	};
	struct fx f;
	json_t *b, *l;
	size_t i;

	IT_REQUIRE_STACK();
	make_fixture(&f);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		cr_assert_eq(it_sql("INSERT INTO student_leave (student_email, "
				    "kind, from_date, to_date, state, reason, "
				    "entered_by) VALUES (?, ?, ?, ?, ?, "
				    "'why', 'admin')",
				 "sssss", *rows[i].who == 'a' ? f.a : f.b,
				 rows[i].kind, rows[i].from, rows[i].to,
				 rows[i].state),
		    DB_OK);
	b = get_json(f.tok_t1, 200,
	    "/attendance/student-summary?student_email=%s&from=2025-01-01"
	    "&to=2025-01-31",
	    f.a);
	l = json_object_get(b, "leave");
	cr_assert_eq(json_array_size(l), 2, "a's two in January only");
	cr_assert_str_eq(jstr(json_array_get(l, 0), "kind"), "MEDICAL");
	cr_assert_str_eq(jstr(json_array_get(l, 0), "from"), "2025-01-08");
	cr_assert_str_eq(jstr(json_array_get(l, 0), "state"), "APPROVED");
	cr_assert_str_eq(jstr(json_array_get(l, 1), "to"), "2025-02-02");
	cr_assert_str_eq(jstr(json_array_get(l, 1), "state"), "PENDING");
	json_decref(b);
	b = get_json(f.tok_a, 200,
	    "/attendance/student-summary?from=2025-02-01&to=2025-02-28");
	cr_assert_eq(json_array_size(json_object_get(b, "leave")), 1);
	json_decref(b);
}

Test(reports, a_mid_term_joiner_counts_only_from_the_joining_day)
{
	struct fx f;
	json_t *b, *days;

	IT_REQUIRE_STACK();
	make_fixture(&f);
	b = get_json(f.tok_t1, 200,
	    "/attendance/student-summary?student_email=%s"
	    "&from=2025-01-01&to=2025-01-31",
	    f.c);
	cr_assert_eq(json_array_size(json_object_get(b, "subjects")), 1,
	    "T1 sees only the subject T1 teaches");
	expect_counts(json_array_get(json_object_get(b, "subjects"), 0), 3, 2,
	    1, 0, 66.7);
	days = json_object_get(b, "days");
	cr_assert_eq(json_array_size(days), 3);
	cr_assert_str_eq(jstr(json_array_get(days, 0), "date"), "2025-01-08");
	cr_assert_str_eq(jstr(json_array_get(days, 2), "source"), "MANUAL");
	json_decref(b);
}

Test(reports, others_are_refused)
{
	struct fx f;
	json_t *b;

	IT_REQUIRE_STACK();
	make_fixture(&f);
	/* the other teacher may not see S1's register */
	b = get_json(f.tok_t2, 403, "/attendance/class-summary?subject_id=%lld",
	    f.s1);
	json_decref(b);
	/* a student may not see a register at all */
	b = get_json(f.tok_a, 403, "/attendance/class-summary?subject_id=%lld",
	    f.s1);
	json_decref(b);
	/* a student peeking at another student */
	b = get_json(f.tok_a, 403,
	    "/attendance/student-summary?student_email=%s", f.b);
	json_decref(b);
	b = get_json(f.tok_a, 403,
	    "/attendance/student-summary?student_email=nobody-%s@x.edu",
	    it_uniq());
	json_decref(b);
	/* a teacher asking about a student they do not teach */
	b = get_json(f.tok_t1, 403,
	    "/attendance/student-summary?student_email=%s", f.e);
	json_decref(b);
	/* or through a subject they do not teach */
	b = get_json(f.tok_t1, 403,
	    "/attendance/student-summary?student_email=%s&subject_id=%lld", f.a,
	    f.s2);
	json_decref(b);
	/* the other teacher sees A only through S2 */
	b = get_json(f.tok_t2, 200,
	    "/attendance/student-summary?student_email=%s"
	    "&from=2025-01-01&to=2025-01-31",
	    f.a);
	cr_assert_eq(json_array_size(json_object_get(b, "subjects")), 1);
	cr_assert_str_eq(jstr(json_array_get(json_object_get(b, "subjects"), 0),
			     "course_name"),
	    "Networks");
	json_decref(b);
	/* no token at all */
	b = get_json(NULL, 401, "/attendance/student-summary");
	json_decref(b);
}

Test(reports, bad_parameters_are_400_and_unknowns_404)
{
	struct fx f;
	json_t *b;
	static const char *bad[] = { "from=2025-02-30", "to=2025/01/01",
		"from=2025-02-01&to=2025-01-01",
		"from=2023-01-01&to=2025-01-01", "format=pdf",
		"subject_id=abc" };
	char path[256];
	size_t i;

	IT_REQUIRE_STACK();
	make_fixture(&f);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(path, sizeof(path),
		    "/attendance/class-summary?subject_id=%lld&%s", f.s1,
		    bad[i]);
		if (strncmp(bad[i], "subject_id", 10) == 0)
			snprintf(path, sizeof(path),
			    "/attendance/class-summary?%s", bad[i]);
		b = get_json(f.tok_t1, 400, "%s", path);
		cr_assert_str_eq(jstr(json_object_get(b, "error"), "code"),
		    "bad_request");
		json_decref(b);
		snprintf(path, sizeof(path), "/attendance/student-summary?%s",
		    bad[i]);
		json_decref(get_json(f.tok_a, 400, "%s", path));
	}
	json_decref(get_json(f.tok_t1, 400, "/attendance/class-summary"));
	json_decref(get_json(f.tok_t1, 400, "/attendance/student-summary"));
	json_decref(get_json(f.tok_t1, 404,
	    "/attendance/class-summary?subject_id=4000000000"));
	json_decref(get_json(f.tok_t1, 404,
	    "/attendance/class-summary?subject_id=%lld&class_id=%lld", f.s1,
	    f.cls2));
	json_decref(get_json(f.tok_t1, 404,
	    "/attendance/student-summary?student_email=nobody-%s@x.edu",
	    it_uniq()));
	json_decref(get_json(f.tok_a, 404,
	    "/attendance/student-summary?subject_id=4000000000"));
}

/* --- files --- */

static void
save(const char *path, const char *body, size_t len)
{
	FILE *fp = fopen(path, "wb");

	cr_assert(fp != NULL);
	cr_assert_eq(fwrite(body, 1, len, fp), len);
	fclose(fp);
}

/* The text of one member of a zip file (malloc'd). */
static char *
unzip_member(const char *zip, const char *member)
{
	char cmd[1024], *out = NULL;
	size_t n = 0, got;
	char buf[8192];
	FILE *p;

	snprintf(cmd, sizeof(cmd), "unzip -p '%s' '%s'", zip, member);
	p = popen(cmd, "r");
	cr_assert(p != NULL);
	while ((got = fread(buf, 1, sizeof(buf), p)) > 0) {
		out = realloc(out, n + got + 1);
		memcpy(out + n, buf, got);
		n += got;
		out[n] = '\0';
	}
	cr_assert_eq(pclose(p), 0, "unzip %s %s failed", zip, member);
	cr_assert(out != NULL, "%s is empty", member);
	return out;
}

/* The i-th <si> of sharedStrings.xml, unescaped enough for our names. */
static void
shared_string(const char *sst, int idx, char *out, size_t n)
{
	const char *p = sst, *t, *e;
	int i;

	out[0] = '\0';
	for (i = 0; i <= idx; i++) {
		if ((p = strstr(p, "<si>")) == NULL)
			return;
		p += 4;
	}
	if ((t = strstr(p, "<t")) == NULL || (t = strchr(t, '>')) == NULL)
		return;
	t++;
	if ((e = strstr(t, "</t>")) == NULL)
		return;
	snprintf(out, n, "%.*s", (int)(e - t), t);
}

/*
 * The value of cell ref ("C3") in a sheet: the shared string for t="s"
 * cells, else the <v> text.  *style gets the s attribute (0 if none).
 */
static void
cell(const char *sheet, const char *sst, const char *ref, char *out, size_t n,
    int *style)
{
	char key[32];
	const char *c, *end, *v, *s;

	out[0] = '\0';
	*style = 0;
	snprintf(key, sizeof(key), "<c r=\"%s\"", ref);
	if ((c = strstr(sheet, key)) == NULL)
		return;
	end = strstr(c, "</c>");
	if ((s = strstr(c, " s=\"")) != NULL && (!end || s < end))
		*style = atoi(s + 4);
	if (end == NULL || (v = strstr(c, "<v>")) == NULL || v > end)
		return;
	if (strstr(c, "t=\"s\"") && strstr(c, "t=\"s\"") < v)
		shared_string(sst, atoi(v + 3), out, n);
	else
		snprintf(out, n, "%.*s", (int)(strstr(v, "</v>") - v - 3),
		    v + 3);
}

static void
expect_cell(const char *sheet, const char *sst, const char *ref,
    const char *want)
{
	char got[256];
	int style;

	cell(sheet, sst, ref, got, sizeof(got), &style);
	cr_assert_str_eq(got, want, "cell %s", ref);
}

static int
style_of(const char *sheet, const char *ref)
{
	char got[256];
	int style;

	cell(sheet, "", ref, got, sizeof(got), &style);
	return style;
}

/*
 * `ehazira-admin report class --format json` writes the API's JSON
 * (classjson.c's text read back and indented): the same values.
 */
Test(reports, the_admin_cli_writes_the_class_summary_the_api_sends)
{
	struct fx f;
	json_error_t err;
	json_t *api, *file;
	char path[256], out[4096];

	IT_REQUIRE_STACK();
	make_fixture(&f);
	api = get_json(f.tok_t1, 200,
	    "/attendance/class-summary?subject_id=%lld&from=2025-01-01"
	    "&to=2025-01-31",
	    f.s1);
	snprintf(path, sizeof(path), "/tmp/ehz-test-%s.json", it_uniq());
	cr_assert_eq(it_admin_sh(out, sizeof(out),
			 "report class %lld --out %s --format json "
			 "--from 2025-01-01 --to 2025-01-31",
			 f.s1, path),
	    0, "%s", out);
	file = json_load_file(path, 0, &err);
	unlink(path);
	cr_assert_not_null(file, "%s", err.text);
	cr_expect(json_equal(api, file), "the file's JSON is the API's");
	cr_expect_eq(json_array_size(json_object_get(file, "students")), 4);
	json_decref(api);
	json_decref(file);
}

Test(reports, the_class_workbook_opens_with_register_and_summary)
{
	struct fx f;
	struct it_resp r;
	char path[256], file[256], *sheet1, *sheet2, *sst, *wb;

	IT_REQUIRE_STACK();
	make_fixture(&f);
	snprintf(path, sizeof(path),
	    "/attendance/class-summary?subject_id=%lld&from=2025-01-01"
	    "&to=2025-01-31&format=xlsx",
	    f.s1);
	cr_assert_eq(it_get(path, f.tok_t1, &r), 0);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_assert(strstr(r.content_type, "spreadsheetml") != NULL);
	cr_assert(strstr(r.headers, "attachment; filename=\"attendance_") !=
		NULL,
	    "%s", r.headers);
	cr_assert(strstr(r.headers, f.c1) != NULL, "names the subject");
	cr_assert(strstr(r.headers, "2025-01-01_2025-01-31.xlsx") != NULL);
	cr_assert(r.len > 1000 && memcmp(r.body, "PK", 2) == 0, "a zip");
	snprintf(file, sizeof(file), "/tmp/ehz-test-%s.xlsx", it_uniq());
	save(file, r.body, r.len);
	it_resp_free(&r);

	wb = unzip_member(file, "xl/workbook.xml");
	cr_assert(strstr(wb, "name=\"Register\"") != NULL);
	cr_assert(strstr(wb, "name=\"Summary\"") != NULL);
	sheet1 = unzip_member(file, "xl/worksheets/sheet1.xml");
	sheet2 = unzip_member(file, "xl/worksheets/sheet2.xml");
	sst = unzip_member(file, "xl/sharedStrings.xml");
	/* frozen: two header rows and the roll/name columns */
	cr_assert(strstr(sheet1, "xSplit=\"2\" ySplit=\"2\"") != NULL);
	cr_assert(strstr(sheet1, "state=\"frozen\"") != NULL);
	cr_assert(strstr(sheet2, "state=\"frozen\"") != NULL);
	expect_cell(sheet1, sst, "A2", "Roll no");
	expect_cell(sheet1, sst, "C2", "2025-01-06 P1");
	expect_cell(sheet1, sst, "F2", "2025-01-15 P2");
	expect_cell(sheet1, sst, "G2", "Remarks");
	/* the legend under the register, and a print setup on each sheet */
	expect_cell(sheet1, sst, "A8", "Legend");
	expect_cell(sheet1, sst, "A11", "R");
	cr_assert(strstr(sheet1, "orientation=\"landscape\"") != NULL);
	cr_assert(strstr(sheet1, "fitToPage=\"1\"") != NULL);
	cr_assert(strstr(sheet1, "fitToHeight=\"0\"") != NULL);
	expect_cell(sheet1, sst, "B3", "Asha");
	expect_cell(sheet1, sst, "C3", "P");
	expect_cell(sheet1, sst, "D3", "A");
	expect_cell(sheet1, sst, "C5", "-"); /* C before joining */
	expect_cell(sheet1, sst, "E6", "R");
	expect_cell(sheet1, sst, "F6", "-"); /* no row */
	/* P, A and R are coloured differently */
	cr_assert_neq(style_of(sheet1, "C3"), style_of(sheet1, "D3"));
	cr_assert_neq(style_of(sheet1, "C3"), style_of(sheet1, "E6"));
	cr_assert_neq(style_of(sheet1, "D3"), style_of(sheet1, "E6"));

	expect_cell(sheet2, sst, "H2", "%");
	expect_cell(sheet2, sst, "A3", "01");
	expect_cell(sheet2, sst, "D3", "4");
	expect_cell(sheet2, sst, "H3", "25");
	expect_cell(sheet2, sst, "H4", "75");
	expect_cell(sheet2, sst, "J3", "yes");
	expect_cell(sheet2, sst, "J4", "no");
	expect_cell(sheet2, sst, "A7", "Total");
	expect_cell(sheet2, sst, "D7", "14");
	/* at-risk rows (A) are highlighted, others (B) are not */
	cr_assert_neq(style_of(sheet2, "A3"), style_of(sheet2, "A4"));
	cr_assert_eq(style_of(sheet2, "A3"), style_of(sheet2, "A5"));
	free(wb);
	free(sheet1);
	free(sheet2);
	free(sst);
	unlink(file);
}

Test(reports, the_student_workbook_opens)
{
	struct fx f;
	struct it_resp r;
	char file[256], *sheet1, *sst;

	IT_REQUIRE_STACK();
	make_fixture(&f);
	cr_assert_eq(it_get("/attendance/student-summary?from=2025-01-01"
			    "&to=2025-01-31&format=xlsx",
			 f.tok_a, &r),
	    0);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_assert(strstr(r.headers,
		      "attendance_01_2025-01-01_2025-01-31"
		      ".xlsx") != NULL,
	    "%s", r.headers);
	snprintf(file, sizeof(file), "/tmp/ehz-test-s-%s.xlsx", it_uniq());
	save(file, r.body, r.len);
	it_resp_free(&r);
	sheet1 = unzip_member(file, "xl/worksheets/sheet1.xml");
	sst = unzip_member(file, "xl/sharedStrings.xml");
	expect_cell(sheet1, sst, "A3", "2025-01-06");
	expect_cell(sheet1, sst, "D4", "Networks");
	expect_cell(sheet1, sst, "E7", "A");
	expect_cell(sheet1, sst, "F7", "TIMEOUT");
	free(sheet1);
	free(sst);
	unlink(file);
}

Test(reports, csv_and_edfi_exports_carry_the_same_numbers)
{
	struct fx f;
	struct it_resp r;
	char path[256], line[512];
	const char *p;
	int lines = 0;

	IT_REQUIRE_STACK();
	make_fixture(&f);
	snprintf(path, sizeof(path),
	    "/attendance/class-summary?subject_id=%lld&from=2025-01-01"
	    "&to=2025-01-31&format=csv",
	    f.s1);
	cr_assert_eq(it_get(path, f.tok_t1, &r), 0);
	cr_assert_eq(r.status, 200);
	cr_assert(strstr(r.content_type, "text/csv") != NULL);
	snprintf(line, sizeof(line),
	    "\r\n01,Asha,%s,4,1,3,0,25.0,3,yes,P,A,A,A,\r\n", f.a);
	cr_assert(strstr(r.body, line) != NULL, "%s", r.body);
	snprintf(line, sizeof(line),
	    "\r\n02,\"Bo, Jr\",%s,4,3,1,0,75.0,1,no,A,P,P,P,\r\n", f.b);
	cr_assert(strstr(r.body, line) != NULL, "%s", r.body);
	snprintf(line, sizeof(line),
	    "\r\n03,Chen,%s,3,2,1,0,66.7,1,yes,,P,P,A,\r\n", f.c);
	cr_assert(strstr(r.body, line) != NULL, "%s", r.body);
	it_resp_free(&r);

	snprintf(path, sizeof(path),
	    "/attendance/class-summary?subject_id=%lld&from=2025-01-01"
	    "&to=2025-01-31&format=edfi",
	    f.s1);
	cr_assert_eq(it_get(path, f.tok_t1, &r), 0);
	cr_assert_eq(r.status, 200);
	cr_assert(strstr(r.headers, "_edfi_2025-01-01_2025-01-31.csv") != NULL);
	for (p = r.body; (p = strstr(p, "\r\n")) != NULL; p += 2)
		lines++;
	cr_assert_eq(lines, 15, "a header and the 14 counted marks");
	snprintf(line, sizeof(line),
	    "#In Attendance,2025-01-13,%s-2024-S3-A,%s,marked present by the "
	    "teacher,P1\r\n",
	    f.c1, f.b);
	cr_assert(strstr(r.body, line) != NULL, "%s", r.body);
	snprintf(line, sizeof(line),
	    "#Unexcused Absence,2025-01-13,%s-2024-S3-A,%s,flagged", f.c1, f.d);
	cr_assert(strstr(r.body, line) != NULL, "%s", r.body);
	it_resp_free(&r);

	cr_assert_eq(it_get("/attendance/student-summary?from=2025-01-01"
			    "&to=2025-01-31&format=csv",
			 f.tok_a, &r),
	    0);
	cr_assert_eq(r.status, 200);
	cr_assert(strncmp(r.body, "date,period_no,subject_id,", 26) == 0);
	snprintf(line, sizeof(line),
	    "2025-01-07,3,%lld,%s,Networks,P,OTP,,\r\n", f.s2, f.c2);
	cr_assert(strstr(r.body, line) != NULL, "%s", r.body);
	it_resp_free(&r);
}

/* --- cron --- */

static int
run(const char *cmd)
{
	int rc = system(cmd);

	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

Test(reports, cron_writes_workbooks_and_the_at_risk_list_and_reruns_safely)
{
	struct fx f;
	char dir[256], cmd[1024], today[ATTSTATS_DATE_LEN], file[600];
	const char *root = getenv("EHAZIRA_TEST_ROOT");
	struct stat st;
	FILE *fp;
	char buf[65536];
	size_t n;
	int i;

	IT_REQUIRE_STACK();
	if (root == NULL)
		cr_skip_test("EHAZIRA_TEST_ROOT not set");
	make_fixture(&f);
	/* --no-warnings: the global check would touch other tests' rows */
	snprintf(dir, sizeof(dir), "/tmp/ehz-cron-%s", it_uniq());
	setenv("EHAZIRA_REPORT_DIR", dir, 1);
	setenv("TZ", it_config()->timezone, 1);
	attstats_format_date(attstats_today(), today);
	snprintf(cmd, sizeof(cmd),
	    "cd '%s' && scripts/cron-report --no-warnings --from 2025-01-06 "
	    "--to 2025-01-15 >/dev/null 2>&1",
	    root);
	for (i = 0; i < 2; i++)
		cr_assert_eq(run(cmd), 0, "run %d", i + 1);
	snprintf(file, sizeof(file),
	    "%s/%s/attendance_Reports-%s-2024-S3-A_%s_2025-01-06_2025-01-15"
	    ".xlsx",
	    dir, today, it_uniq(), f.c1);
	cr_assert_eq(stat(file, &st), 0, "%s", file);
	cr_assert(st.st_size > 1000);
	snprintf(cmd, sizeof(cmd), "unzip -tq '%s' >/dev/null", file);
	cr_assert_eq(run(cmd), 0, "the workbook is a sound zip");
	snprintf(file, sizeof(file), "%s/%s/at-risk.csv", dir, today);
	cr_assert((fp = fopen(file, "r")) != NULL, "%s", file);
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	cr_assert(strncmp(buf, "from,to,class_id,", 17) == 0);
	/* A is at risk in Algorithms; B is not at risk in Networks:
	 * 0 of 1 is below the threshold, but one held session is fewer
	 * than WARNINGS_MIN_HELD */
	snprintf(cmd, sizeof(cmd), ",%s,Algorithms,%s,01,Asha,%s,", f.c1, f.t1,
	    f.a);
	cr_assert(strstr(buf, cmd) != NULL, "%s", buf);
	snprintf(cmd, sizeof(cmd), ",%s,Algorithms,%s,02,", f.c1, f.t1);
	cr_assert(strstr(buf, cmd) == NULL, "%s", buf);
	snprintf(cmd, sizeof(cmd), ",%s,Networks,%s,02,\"Bo, Jr\",%s,", f.c2,
	    f.t2, f.b);
	cr_assert(strstr(buf, cmd) == NULL, "%s", buf);
	snprintf(cmd, sizeof(cmd), "test -z \"$(find '%s' -name '*.tmp.*')\"",
	    dir);
	cr_assert_eq(run(cmd), 0, "no temporary files are left");
	/* a bad range fails loudly */
	snprintf(cmd, sizeof(cmd),
	    "cd '%s' && scripts/cron-report --no-warnings --from 2025-01-16 "
	    "--to 2025-01-15 >/dev/null 2>&1",
	    root);
	cr_assert_neq(run(cmd), 0);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	run(cmd);
}

/* --- low-attendance warnings --- */

static long long
count_pushes(const char *email, long long subj)
{
	char key[32];

	snprintf(key, sizeof(key), "low-%lld", subj);
	return it_sql_int("SELECT COUNT(*) FROM outbox o JOIN device d "
			  "ON d.device_id = o.device_id WHERE d.user_email = ? "
			  "AND o.kind = 'push.low_attendance' "
			  "AND o.collapse_key = ?",
	    "ss", email, key);
}

/* One mark a day for n days from from_ago days back (sessions shared). */
static void
marks_on_days(long long per, const char *email, int from_ago, int n,
    const char *status)
{
	char date[ATTSTATS_DATE_LEN];
	long today = attstats_today();
	long long ses;
	int i;

	for (i = 0; i < n; i++) {
		attstats_format_date(today - from_ago + i, date);
		cr_assert_eq(it_sql("INSERT IGNORE INTO session (period_id, "
				    "date) VALUES (?, ?)",
				 "Is", per, date),
		    DB_OK);
		ses = it_sql_int("SELECT session_id FROM session WHERE "
				 "period_id = ? AND date = ?",
		    "Is", per, date);
		mark(ses, email, status, "OTP");
	}
}

Test(reports, a_low_attendance_warning_is_queued_once_per_crossing)
{
	struct fx f;
	long long per, dev_on, dev_off;
	int n = -1;
	const struct config *cfg = it_config();

	IT_REQUIRE_STACK();
	setenv("TZ", cfg->timezone, 1);
	make_fixture(&f);
	per = period(f.s1, 5, 7);
	dev_on = device(f.b, "student", 1);
	dev_off = device(f.b, "student", 0);
	(void)dev_off;
	/* recent marks: B 1 P of 3 (33%); C 3 of 3 */
	marks_on_days(per, f.b, 30, 1, "P");
	marks_on_days(per, f.b, 29, 2, "A");
	marks_on_days(per, f.c, 30, 3, "P");
	cr_assert_eq(warnings_check(it_db(), it_arena(), cfg, f.s1, &n), DB_OK);
	cr_assert_eq(n, 1);
	cr_assert_eq(count_pushes(f.b, f.s1), 1,
	    "one push, to the one active device");
	cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM outbox WHERE "
				"device_id = ? AND kind = "
				"'push.low_attendance'",
			 "I", dev_on),
	    1);
	cr_assert_eq(it_sql_int("SELECT below FROM attendance_warning WHERE "
				"student_email = ? AND subject_id = ?",
			 "sI", f.b, f.s1),
	    1);
	/* still below the next day: no second notice */
	cr_assert_eq(warnings_check(it_db(), it_arena(), cfg, f.s1, &n), DB_OK);
	cr_assert_eq(n, 0);
	cr_assert_eq(count_pushes(f.b, f.s1), 1);
	/* back above (7 of 9 = 77.8%): the flag clears, nothing is sent */
	marks_on_days(per, f.b, 27, 6, "P");
	cr_assert_eq(warnings_after_session(it_db(), it_arena(), cfg,
			 f.s1_sessions[0]),
	    DB_OK);
	cr_assert_eq(it_sql_int("SELECT below FROM attendance_warning WHERE "
				"student_email = ? AND subject_id = ?",
			 "sI", f.b, f.s1),
	    0);
	cr_assert_eq(count_pushes(f.b, f.s1), 1);
	/* below again (7 of 12 = 58%): a new crossing, a new notice */
	marks_on_days(per, f.b, 20, 3, "A");
	cr_assert_eq(warnings_check(it_db(), it_arena(), cfg, f.s1, &n), DB_OK);
	cr_assert_eq(n, 1);
	cr_assert_eq(count_pushes(f.b, f.s1), 2);
	cr_assert_eq(count_pushes(f.c, f.s1), 0, "C never fell below");
	cr_assert(it_sql_int("SELECT COUNT(*) FROM outbox o JOIN device d ON "
			     "d.device_id = o.device_id WHERE d.user_email = "
			     "? AND o.payload LIKE '%%58.3%%'",
		      "s", f.b) == 1,
	    "the notice carries the percentage");
}
