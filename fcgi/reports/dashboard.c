/*
 * dashboard.c - the views of the dashboard as SQL that aggregates in the
 * database: only the answer rows cross the wire (a college-wide view is a
 * few hundred rows however many marks it counts).
 *
 * Every view takes the same filter: a date range and a department (0 =
 * all; the caller has already narrowed it to the reader's scope).  The
 * "by" of the attendance view picks a key and label from a fixed table,
 * never from the request's text (grouped by position: an alias such as
 * "name" would lose to a column of that name, teacher.name).  Marks count
 * as in the class summary: P is present, A and R (flagged) are not; the
 * counts come from the tallies of schema/019_tallies.sql, not the marks.
 */
#include <stdlib.h>
#include <string.h>

#include "attstats.h"
#include "dashboard.h"

/*
 * The views read the tallies of schema/019_tallies.sql (kept by triggers
 * on attendance): one row per session that has marks, with its subject
 * and date, instead of every mark.  The rows of the range are summed
 * per subject (per subject and ISO week for the trend) first, from the
 * covering index on date, and then joined to their labels: 500 subjects
 * looked up once each, not 27,000 sessions (most of the views' time when
 * each session row was joined).  COUNT(*) becomes the sum of the
 * per-subject counts.
 */
#define PER_SUBJECT(KEYS, GROUP, MORE)                                          \
	"FROM (SELECT subject_id" KEYS ", COUNT(*) AS sessions, "               \
	"SUM(marks) AS marks, SUM(present) AS present, SUM(absent) AS absent, " \
	"SUM(flagged) AS flagged" MORE " FROM session_tally "                   \
	"WHERE date BETWEEN ? AND ? AND marks > 0 GROUP BY subject_id" GROUP    \
	") ta "                                                                 \
	"JOIN subject sj ON sj.subject_id = ta.subject_id "                     \
	"JOIN class c ON c.class_id = sj.class_id "                             \
	"JOIN department dp ON dp.department_id = c.department_id "             \
	"JOIN teacher t ON t.teacher_email = sj.teacher_email "                 \
	"JOIN course co ON co.course_id = sj.course_id "                        \
	"WHERE (? = 0 OR c.department_id = ?) "

#define CLASS_LABEL                                                        \
	"CONCAT(dp.department_name, ' ', c.batch, ' S', c.semester, ' ', " \
	"c.section)"

#define COUNTS                                                   \
	"SUM(ta.marks) AS marks, SUM(ta.present) AS present, "   \
	"SUM(ta.absent) AS absent, SUM(ta.flagged) AS flagged, " \
	"ROUND(100 * SUM(ta.present) / SUM(ta.marks), 1) AS percent "

static const struct {
	const char *by, *key, *label;
} groupings[] = {
	{ "department", "c.department_id", "dp.department_name" },
	{ "class", "c.class_id", CLASS_LABEL },
	{ "subject", "sj.subject_id",
	    "CONCAT(co.course_name, ' - ', " CLASS_LABEL ")" },
	{ "teacher", "t.teacher_email", "t.name" },
};

#define NGROUPINGS (sizeof(groupings) / sizeof(groupings[0]))

int
dashboard_known_by(const char *by)
{
	size_t i;

	for (i = 0; by && i < NGROUPINGS; i++)
		if (strcmp(by, groupings[i].by) == 0)
			return 1;
	return 0;
}

const char *
dashboard_view_names(void)
{
	return "attendance, trend, shortage, not-marked, accounts, jobs, "
	       "departments";
}

/* Rows into t; kinds gives each column's kind ('s', 'i', 'f'). */
static void
to_table(struct db_rows *rows, const char *kinds, const char *title,
    struct report_table *t)
{
	t->title = title;
	t->ncols = rows->ncols;
	t->nrows = rows->nrows;
	t->cols = rows->names;
	t->kinds = kinds;
	t->cells = rows->v;
}

static int
attendance(struct db *db, struct arena *a, const struct dash_query *q,
    const char *from, const char *to, struct db_rows *rows)
{
	size_t g = 0;
	const char *sql;

	while (g < NGROUPINGS - 1 && strcmp(q->by, groupings[g].by) != 0)
		g++;
	sql = arena_printf(a,
	    "SELECT %s AS id, %s AS name, "
	    "SUM(ta.sessions) AS sessions, " COUNTS PER_SUBJECT("", "",
		"") "GROUP BY 1, 2 ORDER BY 2",
	    groupings[g].key, groupings[g].label);
	return db_query(db, a, rows, sql, "ssII", from, to, q->department,
	    q->department);
}

static int
trend(struct db *db, struct arena *a, const struct dash_query *q,
    const char *from, const char *to, struct db_rows *rows)
{
	return db_query(db, a, rows,
	    "SELECT CONCAT(LEFT(ta.yw, 4), '-W', RIGHT(ta.yw, 2)) AS week, "
	    "MIN(ta.first_day) AS first_day, " COUNTS
		PER_SUBJECT(", YEARWEEK(date, 3) AS yw", ", yw",
		    ", MIN(date) AS first_day") "GROUP BY week ORDER BY week",
	    "ssII", from, to, q->department, q->department);
}

/*
 * Shortage: each student's held and present per subject over the range,
 * as a signed sum of tally rows (schema/019_tallies.sql), for the
 * subjects with a mark in the range.  The weeks (Monday to Sunday) that
 * count are [w0, w1]: for a long range (a term) the all-time total less
 * the weeks outside, for a short one the weeks inside.  The first and
 * last week of the range are partly in it: each counts whole with the
 * marks of its days outside the range taken off, or not at all with the
 * marks of its days inside added, whichever reads fewer days.  Last, the
 * marks in the range from before a student joined are taken off.  A term
 * then reads about one row per (student, subject) and at most a few days
 * of marks, instead of every mark of the term; each mark carries its
 * student's number (schema/024_attendance_student_no.sql), so a day's
 * marks are read from attendance's key alone, not looked up by e-mail.
 * The labels are made once per subject (lab), with each one's rank in
 * the order of its class and of its name: the 23,000 answers of a
 * college sort on two numbers, a roll number and the percent instead of
 * on two long strings (the same order: equal labels share a rank).  The
 * same numbers as counting the marks: tests/integration/test_tally.c
 * compares them.
 */
#define LONG_RANGE_DAYS 63 /* 9 weeks: about half a term */

/* The parts of the sum for q's range. */
struct shortage_plan {
	int total;   /* 1: the all-time total, less the weeks outside */
	long w0, w1; /* the weeks (Mondays) that count */
	long r0, r1; /* marks of these days (in the first week) ... */
	int s0;      /* ... count with this sign */
	long r2, r3; /* marks of these days (in the last week) ... */
	int s1;      /* ... with this one */
};

static void
shortage_plan(const struct dash_query *q, struct shortage_plan *p)
{
	int kf = attstats_weekday(q->from), kt = attstats_weekday(q->to);
	long mon_from = q->from - (kf - 1), mon_to = q->to - (kt - 1);

	p->total = q->to - q->from + 1 >= LONG_RANGE_DAYS;
	if (mon_from == mon_to) { /* one week: its days in the range */
		*p = (struct shortage_plan){ 0, mon_from + 7, mon_to - 7,
			q->from, q->to, 1, 1, 0, 1 };
		return;
	}
	if (kf - 1 <= 8 - kf) { /* first week whole, less days before from */
		p->w0 = mon_from;
		p->r0 = mon_from;
		p->r1 = q->from - 1;
		p->s0 = -1;
	} else { /* first week out, plus days from `from` */
		p->w0 = mon_from + 7;
		p->r0 = q->from;
		p->r1 = mon_from + 6;
		p->s0 = 1;
	}
	if (7 - kt <= kt) { /* last week whole, less days after to */
		p->w1 = mon_to;
		p->r2 = q->to + 1;
		p->r3 = mon_to + 6;
		p->s1 = -1;
	} else { /* last week out, plus days up to `to` */
		p->w1 = mon_to - 7;
		p->r2 = mon_to;
		p->r3 = q->to;
		p->s1 = 1;
	}
}

/*
 * The sum: each (student, subject) pair's all-time totals (x), kept
 * whole where a subject's marks all lie in the range (the usual term
 * view: a term's subjects have no marks outside it) or the range is long,
 * plus the signed rows that adjust them (adj): for the subjects the
 * range cuts, the weeks and edge days as above, and for every subject the
 * marks from before a student joined.  Adjusting by a join instead of
 * summing the totals with the other rows leaves the 30,000 totals out of
 * the grouping, and lets the answers be read straight from the totals'
 * key with nothing grouped at all when no subject is cut (split
 * materialization is off: it would re-run adj for each pair).  The
 * students' labels and roll-number ranks are read into one table (stu):
 * 23,000 answers looked up in student by number, then by e-mail, cost
 * more than the sum.
 */
#define SHORTAGE_SQL(WEEKS)                                                         \
	"SET STATEMENT optimizer_switch = 'split_materialized=off' FOR "            \
	"WITH active AS (SELECT DISTINCT sj.subject_id, NOT EXISTS (SELECT 1 "      \
	"FROM session_tally tb WHERE tb.subject_id = sj.subject_id "                \
	"AND tb.marks > 0 AND (tb.date < ? OR tb.date > ?)) AS whole "              \
	"FROM subject sj JOIN class c ON c.class_id = sj.class_id "                 \
	"WHERE EXISTS (SELECT 1 FROM session_tally ta WHERE ta.subject_id "         \
	"= sj.subject_id AND ta.date BETWEEN ? AND ? AND ta.marks > 0) "            \
	"AND (? = 0 OR c.department_id = ?)), "                                     \
	"adj AS (SELECT subject_id << 32 | student_no AS pair, SUM(held) AS held, " \
	"SUM(present) AS present FROM ("                                            \
	"SELECT w.subject_id, w.student_no, ? * w.held AS held, "                   \
	"? * w.present AS present FROM student_week_tally w "                       \
	"FORCE INDEX (ix_student_week_tally_week) STRAIGHT_JOIN active "            \
	"ON active.subject_id = w.subject_id WHERE NOT active.whole AND " WEEKS     \
	" "                                                                         \
	"UNION ALL SELECT ta.subject_id, a.student_no, IF(ta.date <= ?, ?, ?), "    \
	"IF(ta.date <= ?, ?, ?) * (a.status = 'P') FROM session_tally ta "          \
	"JOIN active ON active.subject_id = ta.subject_id "                         \
	"JOIN attendance a ON a.session_id = ta.session_id "                        \
	"WHERE NOT active.whole AND (ta.date BETWEEN ? AND ? "                      \
	"OR ta.date BETWEEN ? AND ?) "                                              \
	"UNION ALL SELECT ta.subject_id, st.student_no, -1, "                       \
	"-(a.status = 'P') FROM student st "                                        \
	"STRAIGHT_JOIN attendance a ON a.student_email = st.student_email "         \
	"STRAIGHT_JOIN session_tally ta ON ta.session_id = a.session_id "           \
	"JOIN active ON active.subject_id = ta.subject_id "                         \
	"WHERE st.joined_on > ? AND ta.date BETWEEN ? AND ? "                       \
	"AND ta.date < st.joined_on) u GROUP BY pair), "                            \
	"k AS (SELECT x.subject_id, x.student_no, "                                 \
	"IF(active.whole OR ? = 1, x.held, 0) + COALESCE(adj.held, 0) AS held, "    \
	"IF(active.whole OR ? = 1, x.present, 0) + COALESCE(adj.present, 0) "       \
	"AS present FROM active "                                                   \
	"STRAIGHT_JOIN student_tally x ON x.subject_id = active.subject_id "        \
	"LEFT JOIN adj ON adj.pair = (x.subject_id << 32 | x.student_no)), "        \
	"stu AS (SELECT student_no, roll_no, name, student_email, "                 \
	"DENSE_RANK() OVER (ORDER BY roll_no) AS roll_rank FROM student), "         \
	"lab AS (SELECT sj.subject_id, " CLASS_LABEL " AS class, "                  \
	"co.course_name AS subject, t.name AS teacher, "                            \
	"DENSE_RANK() OVER (ORDER BY " CLASS_LABEL ") AS class_rank, "              \
	"DENSE_RANK() OVER (ORDER BY co.course_name) AS subject_rank "              \
	"FROM active JOIN subject sj ON sj.subject_id = active.subject_id "         \
	"JOIN class c ON c.class_id = sj.class_id "                                 \
	"JOIN department dp ON dp.department_id = c.department_id "                 \
	"JOIN teacher t ON t.teacher_email = sj.teacher_email "                     \
	"JOIN course co ON co.course_id = sj.course_id) "                           \
	"SELECT st.roll_no, st.name, st.student_email, lab.class, "                 \
	"CAST(k.subject_id AS CHAR) AS subject_id, lab.subject, lab.teacher, "      \
	"CAST(k.held AS CHAR) AS held, CAST(k.present AS CHAR) AS present, "        \
	"ROUND(100 * k.present / k.held, 1) AS percent, "                           \
	"CAST(lab.class_rank AS CHAR) AS class_rank, "                              \
	"CAST(st.roll_rank AS CHAR) AS roll_rank, "                                 \
	"CAST(lab.subject_rank AS CHAR) AS subject_rank FROM k "                    \
	"JOIN lab ON lab.subject_id = k.subject_id "                                \
	"JOIN stu st ON st.student_no = k.student_no "                              \
	"WHERE k.held >= ? AND 100 * k.present < ? * k.held"

/* The answer's columns; the ranks after them are the order's (sorted). */
enum { SHORTAGE_PERCENT = 9, SHORTAGE_COLS, SHORTAGE_RANKS = 3 };

struct shortage_key {
	double percent;
	long rank[SHORTAGE_RANKS]; /* class, roll number, subject */
	long long subject_id;
	const char *email;
	char **row;
};

static long
rank_of(const char *s)
{
	return s ? strtol(s, NULL, 10) : 0;
}

static int
shortage_cmp(const void *pa, const void *pb)
{
	const struct shortage_key *a = pa, *b = pb;
	int i;

	if (a->percent != b->percent)
		return a->percent < b->percent ? -1 : 1;
	for (i = 0; i < SHORTAGE_RANKS; i++)
		if (a->rank[i] != b->rank[i])
			return a->rank[i] < b->rank[i] ? -1 : 1;
	if (a->subject_id != b->subject_id)
		return a->subject_id < b->subject_id ? -1 : 1;
	return strcmp(a->email ? a->email : "", b->email ? b->email : "");
}

/*
 * The answers in order (percent, class, roll number, subject: the
 * ranks' order is MariaDB's collation's) without the rank columns.
 * Sorted here: MariaDB wrote the 23,000 joined rows into a temporary
 * table and sorted that, a fifth of the statement.  0, or -1 on OOM.
 */
static int
shortage_order(struct arena *a, struct db_rows *rows)
{
	struct shortage_key *k;
	char **v;
	int i, j, nc = rows->ncols;

	if (nc != SHORTAGE_COLS + SHORTAGE_RANKS || rows->nrows == 0)
		goto out;
	k = arena_alloc(a, sizeof(*k) * (size_t)rows->nrows);
	v = arena_alloc(a,
	    sizeof(char *) * (size_t)rows->nrows * SHORTAGE_COLS);
	if (k == NULL || v == NULL)
		return -1;
	for (i = 0; i < rows->nrows; i++) {
		char **r = rows->v + (size_t)i * (size_t)nc;

		k[i].row = r;
		k[i].percent = r[SHORTAGE_PERCENT]
		    ? strtod(r[SHORTAGE_PERCENT], NULL)
		    : -1;
		for (j = 0; j < SHORTAGE_RANKS; j++)
			k[i].rank[j] = rank_of(r[SHORTAGE_COLS + j]);
		k[i].subject_id = r[4] ? strtoll(r[4], NULL, 10) : 0;
		k[i].email = r[2];
	}
	qsort(k, (size_t)rows->nrows, sizeof(*k), shortage_cmp);
	for (i = 0; i < rows->nrows; i++)
		memcpy(v + (size_t)i * SHORTAGE_COLS, k[i].row,
		    sizeof(char *) * SHORTAGE_COLS);
	rows->v = v;
out:
	rows->ncols = SHORTAGE_COLS;
	return 0;
}
static int
shortage(struct db *db, struct arena *a, const struct dash_query *q,
    const char *from, const char *to, struct db_rows *rows)
{
	static const char *const sql[2] = {
		SHORTAGE_SQL("w.week BETWEEN ? AND ?"),
		SHORTAGE_SQL("(w.week < ? OR w.week > ?)"),
	};
	struct shortage_plan p;
	char w0[11], w1[11], r0[11], r1[11], r2[11], r3[11];
	int sign, rc;

	shortage_plan(q, &p);
	sign = p.total ? -1 : 1; /* weeks outside come off the total */
	attstats_format_date(p.w0, w0);
	attstats_format_date(p.w1, w1);
	attstats_format_date(p.r0, r0);
	attstats_format_date(p.r1, r1);
	attstats_format_date(p.r2, r2);
	attstats_format_date(p.r3, r3);
	rc = db_query(db, a, rows, sql[p.total],
	    "ssssII"
	    "iiss"
	    "siisiissss"
	    "sss"
	    "ii"
	    "ii",
	    from, to, from, to, q->department, q->department, sign, sign, w0,
	    w1, r1, p.s0, p.s1, r1, p.s0, p.s1, r0, r1, r2, r3, from, from, to,
	    p.total, p.total, q->min_held, q->threshold);
	if (rc == DB_OK && shortage_order(a, rows) < 0)
		rc = DB_ERR;
	return rc;
}

/*
 * Timetabled periods on past days (holidays excepted) with no mark at
 * all: a session row without marks was opened and never taken.  Today
 * is still being taken, so the range ends yesterday at the latest.
 * Each (day, period) pair is one lookup of session_tally's
 * (period_id, date, marks) index (schema/023_tally_period.sql), as a
 * join: a NOT EXISTS subquery per pair cost ten times more.  The joins
 * go in the order written (STRAIGHT_JOIN): the whole college pairs every
 * period with its days and joins only the pairs left over (a few, in a
 * college that takes attendance) to their labels; one department first
 * keeps its own periods (a twelfth), then pairs them.
 */
#define NOT_MARKED_SQL(PAIRS)                                            \
	"WITH RECURSIVE d (day) AS (SELECT CAST(? AS DATE) UNION ALL "   \
	"SELECT day + INTERVAL 1 DAY FROM d WHERE day < ?) "             \
	"SELECT STRAIGHT_JOIN t.name AS teacher, t.teacher_email, "      \
	"DATE_FORMAT(d.day, '%Y-%m-%d') AS date, "                       \
	"DAYNAME(d.day) AS weekday, p.period_no, "                       \
	"TIME_FORMAT(p.start_time, '%H:%i') AS start_time, "             \
	"co.course_name AS subject, sj.subject_id, " CLASS_LABEL         \
	" AS class FROM " PAIRS                                          \
	"JOIN department dp ON dp.department_id = c.department_id "      \
	"JOIN teacher t ON t.teacher_email = sj.teacher_email "          \
	"JOIN course co ON co.course_id = sj.course_id "                 \
	"WHERE ta.period_id IS NULL AND (? = 0 OR c.department_id = ?) " \
	"AND d.day <= ? "                                                \
	"AND NOT EXISTS (SELECT 1 FROM holiday h WHERE h.date = d.day) " \
	"ORDER BY t.name, d.day, p.period_no LIMIT 10000"
#define DAY_PERIODS "d JOIN period p ON p.day_of_week = WEEKDAY(d.day) + 1 "
#define PERIOD_DAYS "JOIN d ON p.day_of_week = WEEKDAY(d.day) + 1 "
#define UNMARKED                                                    \
	"LEFT JOIN session_tally ta ON ta.period_id = p.period_id " \
	"AND ta.date = d.day AND ta.marks > 0 "
#define LABELS                                             \
	"JOIN subject sj ON sj.subject_id = p.subject_id " \
	"JOIN class c ON c.class_id = sj.class_id "

static int
not_marked(struct db *db, struct arena *a, const struct dash_query *q,
    const char *from, const char *to, struct db_rows *rows)
{
	static const char *const sql[2] = {
		NOT_MARKED_SQL(DAY_PERIODS UNMARKED LABELS),
		NOT_MARKED_SQL("period p " LABELS PERIOD_DAYS UNMARKED),
	};
	char last[11];
	long yesterday = attstats_today() - 1;

	attstats_format_date(q->to < yesterday ? q->to : yesterday, last);
	return db_query(db, a, rows, sql[q->department != 0], "ssIIs", from, to,
	    q->department, q->department, last);
}

/* Devices awaiting approval and blocked accounts, in scope. */
static int
accounts(struct db *db, struct arena *a, const struct dash_query *q,
    struct db_rows *rows)
{
	return db_query(db, a, rows,
	    "SELECT 'device_pending' AS kind, st.student_email AS email, "
	    "st.name, " CLASS_LABEL " AS place, d.platform AS detail, "
	    "DATE_FORMAT(d.created_at, '%Y-%m-%d %H:%i') AS since "
	    "FROM device d JOIN student st ON st.student_email = d.user_email "
	    "JOIN class c ON c.class_id = st.class_id "
	    "JOIN department dp ON dp.department_id = c.department_id "
	    "WHERE d.approval = 'PENDING' AND (? = 0 OR c.department_id = ?) "
	    "UNION ALL SELECT 'blocked_student', st.student_email, st.name, " CLASS_LABEL
	    ", IF(st.flagged, 'integrity failure', ''), NULL "
	    "FROM student st JOIN class c ON c.class_id = st.class_id "
	    "JOIN department dp ON dp.department_id = c.department_id "
	    "WHERE st.blocked AND (? = 0 OR c.department_id = ?) "
	    "UNION ALL SELECT 'blocked_staff', t.teacher_email, t.name, "
	    "dp.department_name, t.role, NULL FROM teacher t "
	    "JOIN department dp ON dp.department_id = t.department_id "
	    "WHERE t.blocked AND (? = 0 OR t.department_id = ?) "
	    "ORDER BY kind, place, email",
	    "IIIIII", q->department, q->department, q->department,
	    q->department, q->department, q->department);
}

static int
jobs(struct db *db, struct arena *a, const struct dash_query *q,
    struct db_rows *rows)
{
	(void)q;
	return db_query(db, a, rows,
	    "SELECT kind, DATE_FORMAT(started_at, '%Y-%m-%d %H:%i:%s') "
	    "AS started_at, DATE_FORMAT(finished_at, '%Y-%m-%d %H:%i:%s') "
	    "AS finished_at, ok, summary FROM job_run "
	    "ORDER BY run_id DESC LIMIT 50",
	    "");
}

static int
departments(struct db *db, struct arena *a, const struct dash_query *q,
    struct db_rows *rows)
{
	return db_query(db, a, rows,
	    "SELECT department_id AS id, department_name AS name "
	    "FROM department WHERE (? = 0 OR department_id = ?) "
	    "ORDER BY department_name",
	    "II", q->department, q->department);
}

typedef int (*ranged_fn)(struct db *, struct arena *, const struct dash_query *,
    const char *, const char *, struct db_rows *);
typedef int (*plain_fn)(struct db *, struct arena *, const struct dash_query *,
    struct db_rows *);

/* Each view: its query (with or without the range) and column kinds. */
static const struct {
	const char *name;
	ranged_fn ranged;
	plain_fn plain;
	const char *kinds, *title;
} table[] = {
	{ "attendance", attendance, NULL, "ssiiiiif", "Attendance" },
	{ "trend", trend, NULL, "ssiiiif", "Weekly trend" },
	{ "shortage", shortage, NULL, "ssssissiif", "Shortage" },
	{ "not-marked", not_marked, NULL, "ssssissis", "Not marked" },
	{ "accounts", NULL, accounts, "ssssss",
	    "Devices awaiting approval and blocked accounts" },
	{ "jobs", NULL, jobs, "sssis", "Imports and cron runs" },
	{ "departments", NULL, departments, "is", "Departments" },
};

int
dashboard_view(struct db *db, struct arena *a, const char *view,
    const struct dash_query *q, struct report_table *t)
{
	struct db_rows rows;
	char from[11], to[11];
	size_t i;
	int rc;

	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (strcmp(view, table[i].name) == 0)
			break;
	if (i == sizeof(table) / sizeof(table[0]))
		return DB_ERR;
	attstats_format_date(q->from, from);
	attstats_format_date(q->to, to);
	rc = table[i].ranged ? table[i].ranged(db, a, q, from, to, &rows)
			     : table[i].plain(db, a, q, &rows);
	if (rc != DB_OK)
		return rc;
	to_table(&rows, table[i].kinds, table[i].title, t);
	return DB_OK;
}

int
dashboard_known(const char *view)
{
	size_t i;

	for (i = 0; view && i < sizeof(table) / sizeof(table[0]); i++)
		if (strcmp(view, table[i].name) == 0)
			return 1;
	return 0;
}
