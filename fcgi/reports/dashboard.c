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
#include <string.h>

#include "attstats.h"
#include "dashboard.h"
#include "shortage.h"

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
	{ "shortage", shortage_query, NULL, "ssssissiif", "Shortage" },
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
