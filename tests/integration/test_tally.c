/*
 * test_tally.c - the dashboard's views read tallies (schema/019_tallies.sql)
 * kept by triggers on attendance; these tests prove the tallies give the
 * numbers that counting the marks gives.  Each view is compared, cell by
 * cell, with the query that counted every mark (the dashboard's SQL before
 * the tallies, kept here as the reference) over ranges that take each
 * path of the shortage sum: a term, a long range cut mid-week, a short
 * range of whole weeks and edges, whole weeks only, and days of one week.
 *
 * Fixture (2025-01-06 .. 2025-03-28, twelve weeks), department A: class
 * K1 of six students (one joined on 2025-02-12), subject S1 on Mon, Wed,
 * Fri and S2 on Tue, Thu; department B: class K2 of three students,
 * subject S3 on Mondays.  Marks of every status come through every kind
 * of write: plain inserts, manual marks (insert or update on duplicate),
 * status updates, remark edits, deletions, ignored duplicates, and a bulk
 * load with the triggers off and the subject recounted after.  Approved
 * leave and a holiday are there too (the views do not count them); some
 * sessions are opened and never marked.
 */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attstats.h"
#include "dashboard.h"
#include "it.h"

static struct {
	long long dep[2], cls[2], subj[3], period[6];
	char st[9][96];
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
people(const char *u)
{
	int d, i;

	for (d = 0; d < 2; d++) {
		fx.dep[d] = insert("INSERT INTO department (department_name) "
				   "VALUES (?)",
		    "s", arena_printf(it_arena(), "Tally %c %s", 'A' + d, u));
		fx.cls[d] = insert("INSERT INTO class (department_id, batch, "
				   "semester, section) VALUES (?, ?, 3, 'T')",
		    "Is", fx.dep[d], u);
		insert("INSERT INTO teacher (teacher_email, name, "
		       "department_id, verified) VALUES (?, ?, ?, 1)",
		    "ssI",
		    arena_printf(it_arena(), "tally-t%d.%s@t.ehazira.in", d, u),
		    arena_printf(it_arena(), "Tally T%d", d), fx.dep[d]);
	}
	for (i = 0; i < 9; i++) {
		snprintf(fx.st[i], sizeof(fx.st[i]),
		    "tally-s%d.%s@t.ehazira.in", i, u);
		insert("INSERT INTO student (student_email, name, roll_no, "
		       "class_id, verified, joined_on) VALUES (?, ?, ?, ?, 1, "
		       "?)",
		    "sssIs", fx.st[i], fx.st[i],
		    arena_printf(it_arena(), "%02d", i + 1), fx.cls[i / 6],
		    i == 5 ? "2025-02-12" : NULL);
	}
}

/* S1 (Mon, Wed, Fri) and S2 (Tue, Thu) of K1; S3 (Mon) of K2. */
static void
timetable(const char *u)
{
	static const int days[6] = { 1, 3, 5, 2, 4, 1 };
	static const int of[6] = { 0, 0, 0, 1, 1, 2 };
	int s, p;

	for (s = 0; s < 3; s++) {
		const char *c = arena_printf(it_arena(), "TALLY%d-%s", s, u);

		insert("INSERT INTO course (course_id, course_name) VALUES "
		       "(?, ?)",
		    "ss", c, arena_printf(it_arena(), "Tally %d", s));
		fx.subj[s] = insert("INSERT INTO subject (course_id, "
				    "class_id, teacher_email) VALUES (?, ?, ?)",
		    "sIs", c, fx.cls[s / 2],
		    arena_printf(it_arena(), "tally-t%d.%s@t.ehazira.in", s / 2,
			u));
	}
	for (p = 0; p < 6; p++)
		fx.period[p] =
		    insert("INSERT INTO period (subject_id, "
			   "day_of_week, period_no) VALUES (?, ?, ?)",
			"Iii", fx.subj[of[p]], days[p], p + 1);
}

/* The status of student i in the n-th session: every status, unevenly. */
static char
status_of(int i, int n)
{
	return "PPPAPRPPAP"[(i * 7 + n * 3) % 10];
}

/* Sessions of the twelve weeks; one in nine opened and never marked. */
static void
sessions(void)
{
	static const int off[6] = { 0, 2, 4, 1, 3, 0 };
	long day0;
	int p, n = 0, i, first, w;
	char date[11];

	attstats_parse_date("2025-01-06", &day0);
	for (w = 0; w < 12; w++)
		for (p = 0; p < 6; p++) {
			long long ses;

			attstats_format_date(day0 + 7 * w + off[p], date);
			ses = insert("INSERT INTO session (period_id, date) "
				     "VALUES (?, ?)",
			    "Is", fx.period[p], date);
			if (++n % 9 == 0)
				continue;
			first = p == 5 ? 6 : 0;
			for (i = first; i < first + (p == 5 ? 3 : 6); i++)
				insert("INSERT INTO attendance (session_id, "
				       "student_email, status, source) VALUES "
				       "(?, ?, ?, 'OTP')",
				    "Iss", ses, fx.st[i],
				    (char[]){ status_of(i, n), '\0' });
		}
}

/* The session of period p on date. */
static long long
session_of(int p, const char *date)
{
	return it_sql_int("SELECT session_id FROM session WHERE period_id = ? "
			  "AND date = ?",
	    "Is", fx.period[p], date);
}

/*
 * The other writers: a manual mark over an existing one and a new one
 * (insert ... on duplicate key update, as the register writes), status
 * and remark updates, a deletion, an ignored duplicate (as a submit that
 * lost a race), and a bulk load with the triggers off and S2 recounted.
 */
static void
other_writes(void)
{
	long long s1 = session_of(0, "2025-02-03"),
		  s2 = session_of(3, "2025-02-18");
	long long s3 = session_of(1, "2025-03-05");

	insert("INSERT INTO attendance (session_id, student_email, status, "
	       "source, remark) VALUES (?, ?, 'P', 'MANUAL', 'came late'), "
	       "(?, ?, 'A', 'MANUAL', NULL) ON DUPLICATE KEY UPDATE "
	       "status = VALUES(status), source = VALUES(source)",
	    "IsIs", s1, fx.st[0], s1, fx.st[1]);
	insert("UPDATE attendance SET status = 'R' WHERE session_id = ? AND "
	       "student_email = ?",
	    "Is", s1, fx.st[2]);
	insert("UPDATE attendance SET remark = 'noted' WHERE session_id = ?",
	    "I", s1);
	insert("DELETE FROM attendance WHERE session_id = ? AND "
	       "student_email = ?",
	    "Is", s3, fx.st[3]);
	insert("INSERT IGNORE INTO attendance (session_id, student_email, "
	       "status) VALUES (?, ?, 'P')",
	    "Is", s3, fx.st[4]);
	/* every mark of a session gone: its tally row stays, with 0 marks */
	insert("DELETE FROM attendance WHERE session_id = ?", "I",
	    session_of(0, "2025-02-10"));
	/* bulk: S2's session of 02-18 rewritten without the triggers */
	insert("SET @ehazira_tally_bulk = 1", "");
	insert("DELETE FROM attendance WHERE session_id = ?", "I", s2);
	insert("INSERT INTO attendance (session_id, student_email, status) "
	       "SELECT ?, student_email, IF(roll_no < '03', 'A', 'P') FROM "
	       "student WHERE class_id = ?",
	    "II", s2, fx.cls[0]);
	insert("SET @ehazira_tally_bulk = NULL", "");
	insert("CALL attendance_tally_subject(?)", "I", fx.subj[1]);
	insert("INSERT IGNORE INTO holiday (date, name) VALUES "
	       "('2025-02-19', 'Tally holiday')",
	    "");
	insert("INSERT INTO student_leave (student_email, kind, from_date, "
	       "to_date, state, entered_by) VALUES (?, 'MEDICAL', "
	       "'2025-01-20', '2025-01-24', 'APPROVED', 'admin')",
	    "s", fx.st[1]);
}

static void
setup(void)
{
	const char *u = it_uniq();

	people(u);
	timetable(u);
	sessions();
	other_writes();
}

TestSuite(tally, .init = setup, .timeout = 120);

/* The dashboard's queries before the tallies: they count every mark. */
#define REF_SCOPE REF_FROM REF_WHERE
#define REF_FROM                                                    \
	"FROM session se "                                          \
	"JOIN period p ON p.period_id = se.period_id "              \
	"JOIN subject sj ON sj.subject_id = p.subject_id "          \
	"JOIN class c ON c.class_id = sj.class_id "                 \
	"JOIN department dp ON dp.department_id = c.department_id " \
	"JOIN teacher t ON t.teacher_email = sj.teacher_email "     \
	"JOIN course co ON co.course_id = sj.course_id "            \
	"JOIN attendance a ON a.session_id = se.session_id "
#define REF_WHERE                        \
	"WHERE se.date BETWEEN ? AND ? " \
	"AND (? = 0 OR c.department_id = ?) "
#define REF_CLASS                                                          \
	"CONCAT(dp.department_name, ' ', c.batch, ' S', c.semester, ' ', " \
	"c.section)"
#define REF_COUNTS                                                        \
	"COUNT(*) AS marks, SUM(a.status = 'P') AS present, "             \
	"SUM(a.status = 'A') AS absent, SUM(a.status = 'R') AS flagged, " \
	"ROUND(100 * SUM(a.status = 'P') / COUNT(*), 1) AS percent "

static const struct {
	const char *by, *key, *label;
} ref_by[] = {
	{ "department", "c.department_id", "dp.department_name" },
	{ "class", "c.class_id", REF_CLASS },
	{ "subject", "sj.subject_id",
	    "CONCAT(co.course_name, ' - ', " REF_CLASS ")" },
	{ "teacher", "t.teacher_email", "t.name" },
};

static const char ref_trend[] =
    "SELECT CONCAT(LEFT(YEARWEEK(se.date, 3), 4), '-W', "
    "RIGHT(YEARWEEK(se.date, 3), 2)) AS week, MIN(se.date) AS first_day, " REF_COUNTS
	REF_SCOPE "GROUP BY week ORDER BY week";

static const char ref_shortage[] =
    "SELECT st.roll_no, st.name, st.student_email, " REF_CLASS " AS class, "
    "sj.subject_id, co.course_name AS subject, t.name AS teacher, "
    "COUNT(*) AS held, SUM(a.status = 'P') AS present, "
    "ROUND(100 * SUM(a.status = 'P') / COUNT(*), 1) AS percent " REF_FROM
    "JOIN student st ON st.student_email = a.student_email " REF_WHERE
    "AND (st.joined_on IS NULL OR se.date >= st.joined_on) "
    "GROUP BY a.student_email, sj.subject_id "
    "HAVING held >= ? AND 100 * present < ? * held "
    "ORDER BY percent, class, st.roll_no, subject";

static const char ref_not_marked[] =
    "WITH RECURSIVE d (day) AS (SELECT CAST(? AS DATE) UNION ALL "
    "SELECT day + INTERVAL 1 DAY FROM d WHERE day < ?) "
    "SELECT t.name AS teacher, t.teacher_email, "
    "DATE_FORMAT(d.day, '%Y-%m-%d') AS date, DAYNAME(d.day) AS weekday, "
    "p.period_no, TIME_FORMAT(p.start_time, '%H:%i') AS start_time, "
    "co.course_name AS subject, sj.subject_id, " REF_CLASS " AS class "
    "FROM d JOIN period p ON p.day_of_week = WEEKDAY(d.day) + 1 "
    "JOIN subject sj ON sj.subject_id = p.subject_id "
    "JOIN class c ON c.class_id = sj.class_id "
    "JOIN department dp ON dp.department_id = c.department_id "
    "JOIN teacher t ON t.teacher_email = sj.teacher_email "
    "JOIN course co ON co.course_id = sj.course_id "
    "WHERE (? = 0 OR c.department_id = ?) AND d.day <= ? "
    "AND NOT EXISTS (SELECT 1 FROM holiday h WHERE h.date = d.day) "
    "AND NOT EXISTS (SELECT 1 FROM session se JOIN attendance a "
    "ON a.session_id = se.session_id WHERE se.period_id = p.period_id "
    "AND se.date = d.day) ORDER BY t.name, d.day, p.period_no LIMIT 10000";

/* The reference rows of view for q. */
static void
reference(const char *view, const struct dash_query *q, struct db_rows *r)
{
	char from[11], to[11];
	const char *sql;
	size_t i;
	int rc = DB_ERR;

	attstats_format_date(q->from, from);
	attstats_format_date(q->to, to);
	if (strcmp(view, "attendance") == 0) {
		for (i = 0; strcmp(ref_by[i].by, q->by) != 0; i++)
			;
		sql = arena_printf(it_arena(),
		    "SELECT %s AS id, %s AS name, COUNT(DISTINCT "
		    "se.session_id) AS sessions, " REF_COUNTS REF_SCOPE
		    "GROUP BY 1, 2 ORDER BY 2",
		    ref_by[i].key, ref_by[i].label);
		rc = db_query(it_db(), it_arena(), r, sql, "ssII", from, to,
		    q->department, q->department);
	} else if (strcmp(view, "trend") == 0)
		rc = db_query(it_db(), it_arena(), r, ref_trend, "ssII", from,
		    to, q->department, q->department);
	else if (strcmp(view, "shortage") == 0)
		rc = db_query(it_db(), it_arena(), r, ref_shortage, "ssIIii",
		    from, to, q->department, q->department, q->min_held,
		    q->threshold);
	else /* the range ends in 2025: before yesterday */
		rc = db_query(it_db(), it_arena(), r, ref_not_marked, "ssIIs",
		    from, to, q->department, q->department, to);
	cr_assert_eq(rc, DB_OK, "reference %s", view);
}

static const char *
cell(char *const *v, int i)
{
	return v[i] ? v[i] : "(null)";
}

/*
 * view over [from, to] in department d: the tallies' rows are the marks'.
 * Returns the number of rows (some ranges have none in a department).
 */
static int
same_as_marks(const char *view, const char *by, const char *from,
    const char *to, int d, int threshold, int min_held)
{
	struct dash_query q = { 0, 0, fx.dep[d], by, threshold, min_held };
	struct report_table t;
	struct db_rows r;
	int i;

	cr_assert_eq(attstats_parse_date(from, &q.from), 0);
	cr_assert_eq(attstats_parse_date(to, &q.to), 0);
	cr_assert_eq(dashboard_view(it_db(), it_arena(), view, &q, &t), DB_OK,
	    "%s", view);
	reference(view, &q, &r);
	cr_assert_eq(t.nrows, r.nrows,
	    "%s %s %s..%s dep %d: %d rows, marks "
	    "give %d",
	    view, by ? by : "", from, to, d, t.nrows, r.nrows);
	cr_assert_eq(t.ncols, r.ncols);
	for (i = 0; i < r.nrows * r.ncols; i++)
		cr_assert_str_eq(cell(t.cells, i), cell(r.v, i),
		    "%s %s %s..%s dep %d row %d column %s", view, by ? by : "",
		    from, to, d, i / r.ncols, r.names[i % r.ncols]);
	return r.nrows;
}

/* Ranges that take each path of the shortage sum (see dashboard.c). */
static const char *const ranges[][2] = {
	{ "2024-12-01", "2025-04-30" }, /* a term and more: the totals */
	{ "2025-01-08", "2025-03-20" }, /* long, Wed..Thu: weeks off totals */
	{ "2025-01-11", "2025-03-16" }, /* long, Sat..Sun: other edges */
	{ "2025-01-15", "2025-02-20" }, /* short: weeks and edge days */
	{ "2025-01-13", "2025-02-09" }, /* whole weeks only */
	{ "2025-02-11", "2025-02-14" }, /* days of one week */
	{ "2025-02-06", "2025-02-17" }, /* the join date inside */
	{ "2025-01-10", "2025-03-26" }, /* long, Fri..Wed: edge days added */
	{ "2025-01-17", "2025-02-12" }, /* short, Fri..Wed */
};

#define NRANGES (sizeof(ranges) / sizeof(ranges[0]))

Test(tally, attendance_by_every_key_is_the_count_of_the_marks)
{
	static const char *const bys[] = { "department", "class", "subject",
		"teacher" };
	size_t r, b;
	int d, n = 0;

	for (r = 0; r < NRANGES; r++)
		for (b = 0; b < 4; b++)
			for (d = 0; d < 2; d++)
				n += same_as_marks("attendance", bys[b],
				    ranges[r][0], ranges[r][1], d, 75, 3);
	cr_expect_gt(n, 50);
}

Test(tally, the_weekly_trend_is_the_count_of_the_marks)
{
	size_t r;
	int d, n = 0;

	for (r = 0; r < NRANGES; r++)
		for (d = 0; d < 2; d++)
			n += same_as_marks("trend", NULL, ranges[r][0],
			    ranges[r][1], d, 75, 3);
	cr_expect_gt(n, 50);
}

/* Threshold 101 and one held: every student of every subject listed. */
Test(tally, every_students_held_and_present_are_the_count_of_the_marks)
{
	size_t r;
	int d, n = 0;

	for (r = 0; r < NRANGES; r++)
		for (d = 0; d < 2; d++)
			n += same_as_marks("shortage", NULL, ranges[r][0],
			    ranges[r][1], d, 101, 1);
	cr_expect_gt(n, 7 * 9);
}

Test(tally, the_shortage_list_is_the_count_of_the_marks)
{
	size_t r;
	int n = 0;

	for (r = 0; r < NRANGES; r++)
		n += same_as_marks("shortage", NULL, ranges[r][0], ranges[r][1],
		    0, 75, 3);
	cr_expect_gt(n, 0);
}

/* The rows of the fixture's subjects (column sc: subject_id), in order. */
static int
fixture_rows(char *const *v, int nrows, int ncols, int sc, const char **out)
{
	int i, j, n = 0;

	for (i = 0; i < nrows; i++) {
		long long subj =
		    v[i * ncols + sc] ? atoll(v[i * ncols + sc]) : 0;

		if (subj != fx.subj[0] && subj != fx.subj[1] &&
		    subj != fx.subj[2])
			continue;
		for (j = 0; j < ncols; j++)
			out[n * ncols + j] = cell(v, i * ncols + j);
		n++;
	}
	return n;
}

/*
 * A view for the whole college (not-marked and shortage have their own
 * SQL for it): the rows of the fixture's subjects (subject_id in column
 * sc of nc), in their order, among whatever else the database holds.
 */
static int
college_same(const char *view, int nc, int sc, const char *from, const char *to,
    int threshold)
{
	struct dash_query q = { 0, 0, 0, NULL, threshold, 1 };
	struct report_table t;
	struct db_rows r;
	const char **a, **b;
	int na, nb, i;

	cr_assert_eq(attstats_parse_date(from, &q.from), 0);
	cr_assert_eq(attstats_parse_date(to, &q.to), 0);
	cr_assert_eq(dashboard_view(it_db(), it_arena(), view, &q, &t), DB_OK);
	reference(view, &q, &r);
	cr_assert_eq(t.ncols, nc);
	cr_assert_eq(r.ncols, nc);
	a = arena_alloc(it_arena(),
	    sizeof(*a) * (size_t)nc * (size_t)(t.nrows + 1));
	b = arena_alloc(it_arena(),
	    sizeof(*b) * (size_t)nc * (size_t)(r.nrows + 1));
	cr_assert(a && b);
	na = fixture_rows(t.cells, t.nrows, nc, sc, a);
	nb = fixture_rows(r.v, r.nrows, nc, sc, b);
	cr_assert_eq(na, nb, "college %s %s..%s: %d rows, marks give %d", view,
	    from, to, na, nb);
	for (i = 0; i < na * nc; i++)
		cr_assert_str_eq(a[i], b[i], "college %s %s..%s row %d", view,
		    from, to, i / nc);
	return na;
}

/*
 * The shortage list of the whole college (the weekly rows read without
 * the join to the departments' subjects): every student of the
 * fixture's subjects (threshold 101), as the two departments give them.
 */
/*
 * view over every range, per department (same_as_marks with threshold and
 * min_held) and college-wide (college_same: subject_id in column sc of
 * nc): the rows the departments give, which the college must hold.
 */
static int
departments_and_college(const char *view, int nc, int sc, int threshold,
    int min_held)
{
	size_t r;
	int d, n = 0, college = 0;

	for (r = 0; r < NRANGES; r++) {
		for (d = 0; d < 2; d++)
			n += same_as_marks(view, NULL, ranges[r][0],
			    ranges[r][1], d, threshold, min_held);
		college += college_same(view, nc, sc, ranges[r][0],
		    ranges[r][1], threshold);
	}
	cr_expect_eq(college, n, "the college holds both departments' rows");
	return n;
}

Test(tally, the_college_wide_shortage_list_is_the_count_of_the_marks)
{
	cr_expect_gt(departments_and_college("shortage", 10, 4, 101, 1), 7 * 9);
}

/*
 * A subject whose marks all lie in the range is read from its totals
 * (less its late joiners' marks), next to subjects the range cuts: S1
 * keeps only its marks of 2025-01-13 .. 2025-03-02 (student 6 of K1
 * joined on 2025-02-12), S2 and S3 keep all theirs.
 */
Test(tally, a_subject_wholly_inside_the_range_is_its_totals)
{
	static const char *const inside[][2] = {
		{ "2025-01-08", "2025-03-20" }, /* long: S1 whole, S2 cut */
		{ "2025-01-13", "2025-03-02" }, /* S1's own span, short */
		{ "2025-01-11", "2025-03-03" }, /* Sat..Mon around it */
		{ "2025-01-15", "2025-03-02" }, /* S1 cut too */
		{ "2025-01-06", "2025-03-31" }, /* every subject whole */
	};
	size_t r;
	int d, n = 0, college = 0;

	insert("DELETE a FROM attendance a JOIN session se ON se.session_id = "
	       "a.session_id WHERE se.period_id IN (?, ?, ?) AND "
	       "(se.date < '2025-01-13' OR se.date > '2025-03-02')",
	    "III", fx.period[0], fx.period[1], fx.period[2]);
	for (r = 0; r < sizeof(inside) / sizeof(inside[0]); r++) {
		for (d = 0; d < 2; d++)
			n += same_as_marks("shortage", NULL, inside[r][0],
			    inside[r][1], d, 101, 1);
		college += college_same("shortage", 10, 4, inside[r][0],
		    inside[r][1], 101);
	}
	cr_expect_eq(college, n);
	cr_expect_gt(n, 9 * 5);
}

Test(tally, not_marked_is_the_sessions_without_marks)
{
	cr_expect_gt(departments_and_college("not-marked", 9, 7, 75, 3), 0);
}

/* The triggers' sums, row by row, against a recount of the marks. */
Test(tally, every_tally_row_is_a_recount_of_its_marks)
{
	cr_expect_eq(
	    it_sql_int("SELECT COUNT(*) FROM session se "
		       "JOIN period p ON p.period_id = se.period_id "
		       "JOIN subject sj ON sj.subject_id = p.subject_id "
		       "LEFT JOIN session_tally ta ON ta.session_id = "
		       "se.session_id WHERE sj.class_id IN (?, ?) AND "
		       "(COALESCE(ta.marks, 0), COALESCE(ta.present, 0), "
		       "COALESCE(ta.absent, 0), COALESCE(ta.flagged, 0)) "
		       "<> (SELECT COUNT(*), COALESCE(SUM(status = 'P'), "
		       "0), COALESCE(SUM(status = 'A'), 0), "
		       "COALESCE(SUM(status = 'R'), 0) FROM attendance a "
		       "WHERE a.session_id = se.session_id)",
		"II", fx.cls[0], fx.cls[1]),
	    0);
	/* the copied period, subject and date (the not-marked lookup) */
	cr_expect_eq(
	    it_sql_int("SELECT COUNT(*) FROM session_tally ta JOIN session "
		       "se ON se.session_id = ta.session_id JOIN period p ON "
		       "p.period_id = se.period_id WHERE p.subject_id IN (?, "
		       "?, ?) AND (ta.period_id, ta.subject_id, ta.date) <> "
		       "(se.period_id, p.subject_id, se.date)",
		"III", fx.subj[0], fx.subj[1], fx.subj[2]),
	    0);
	cr_expect_gt(it_sql_int("SELECT COUNT(*) FROM session_tally WHERE "
				"subject_id IN (?, ?, ?) AND marks = 0",
			 "III", fx.subj[0], fx.subj[1], fx.subj[2]),
	    0);
	cr_expect_eq(
	    it_sql_int("SELECT COUNT(*) FROM student_tally x "
		       "JOIN student st ON st.student_no = x.student_no "
		       "WHERE x.subject_id IN (?, ?, ?) AND "
		       "(x.held, x.present) <> (SELECT COUNT(*), "
		       "COALESCE(SUM(a.status = 'P'), 0) FROM attendance a "
		       "JOIN session se ON se.session_id = a.session_id "
		       "JOIN period p ON p.period_id = se.period_id "
		       "WHERE p.subject_id = x.subject_id AND "
		       "a.student_email = st.student_email)",
		"III", fx.subj[0], fx.subj[1], fx.subj[2]),
	    0);
	cr_expect_eq(it_sql_int("SELECT COUNT(*) FROM student_tally WHERE "
				"subject_id IN (?, ?, ?)",
			 "III", fx.subj[0], fx.subj[1], fx.subj[2]),
	    6 * 2 + 3);
}

/*
 * Each mark's copy of its student's number
 * (schema/024_attendance_student_no.sql: the shortage list's edge days
 * and the class summary read it) is right after every kind of write
 * above: inserts, a manual mark on a duplicate, updates, an ignored
 * duplicate and the bulk load with the tally triggers off.
 */
Test(tally, every_mark_carries_its_students_number)
{
	const char *marks = "FROM attendance a JOIN student st ON "
			    "st.student_email = a.student_email WHERE "
			    "st.class_id IN (?, ?)";
	char sql[256];

	snprintf(sql, sizeof(sql), "SELECT COUNT(*) %s", marks);
	cr_expect_gt(it_sql_int(sql, "II", fx.cls[0], fx.cls[1]), 20);
	snprintf(sql, sizeof(sql),
	    "SELECT COUNT(*) %s AND a.student_no <> st.student_no", marks);
	cr_expect_eq(it_sql_int(sql, "II", fx.cls[0], fx.cls[1]), 0);
	/* an update cannot leave a wrong number, even one that sets it */
	insert("UPDATE attendance SET student_no = 0 WHERE session_id = ? "
	       "AND student_email = ?",
	    "Is", session_of(0, "2025-02-03"), fx.st[0]);
	cr_expect_eq(it_sql_int(sql, "II", fx.cls[0], fx.cls[1]), 0);
}
