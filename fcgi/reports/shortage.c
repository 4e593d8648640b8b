/*
 * shortage.c - the shortage list: the students below the attendance
 * threshold in a subject over a range (the list that decides exam
 * eligibility), college-wide or for one department, from the tallies of
 * schema/019_tallies.sql instead of the marks.
 *
 * Three reads: the parts of each pair's counts (the sum below), the
 * active subjects' labels and the students' labels, each with its rank in
 * MariaDB's collation order; the parts are added up, the pairs below the
 * threshold joined to their labels and sorted here (percent, class, roll
 * number, subject).  Grouping, joining and sorting 23,000 answers in
 * MariaDB cost more than reading them: it grouped the parts in a
 * temporary table, looked up each student by number, then by e-mail,
 * sent the labels of every row and wrote the rows to a temporary table to
 * sort them.
 */
#include <stdlib.h>
#include <string.h>

#include "attstats.h"
#include "shortage.h"

/*
 * The pairs: each student's held and present per subject over the range,
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
 * The same numbers as counting the marks: tests/integration/test_tally.c
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
 * The subjects with a mark in the range, in scope; whole: no mark
 * outside, i.e. the subject's first and last marked days lie in the range.
 * Each test is one probe of ix_session_tally_subject in date order (a
 * subject is a class's course in one term: its sessions are few), as a
 * scalar subquery so that no plan of MariaDB's reads otherwise: "NOT
 * EXISTS a day outside" read every session of the subject, and EXISTS
 * was read as a semi-join by date, 25,000 rows of a term, whenever the
 * table's statistics were stale (after a bulk load).  It matters three
 * times: MariaDB materializes active again for each reference (DISTINCT
 * keeps it from being merged into them, which would run the probes per
 * row).  College-wide, over a range cutting every subject, active was
 * half the pairs' time (105 of 210 ms; 6 ms now).
 */
#define MARKED_DAY_SQL(AFTER, ORDER)                                      \
	"(SELECT tb.date FROM session_tally tb "                          \
	"FORCE INDEX (ix_session_tally_subject) WHERE tb.subject_id = "   \
	"sj.subject_id AND tb.marks > 0" AFTER " ORDER BY tb.date " ORDER \
	" LIMIT 1)"
#define FIRST_DAY_SQL MARKED_DAY_SQL("", "")
#define LAST_DAY_SQL MARKED_DAY_SQL("", "DESC")
#define FIRST_FROM_SQL MARKED_DAY_SQL(" AND tb.date >= ?", "")
#define ACTIVE_SQL                                                      \
	"WITH active AS (SELECT DISTINCT sj.subject_id, " FIRST_DAY_SQL \
	" >= ? AND " LAST_DAY_SQL " <= ? AS whole "                     \
	"FROM subject sj JOIN class c ON c.class_id = sj.class_id "     \
	"WHERE (? = 0 OR c.department_id = ?) AND " FIRST_FROM_SQL " <= ?) "
/* ACTIVE_SQL's parameters. */
#define ACTIVE_TYPES "ssIIss"
#define ACTIVE_ARGS(q, from, to) \
	from, to, (q)->department, (q)->department, from, to

/*
 * The parts of the sum, one row each (kind, pair, held, present), pair =
 * subject_id << 32 | student_no.  Kind 0: each pair's all-time totals,
 * kept where a subject's marks all lie in the range (the usual term
 * view: a term's subjects have no marks outside it) or the range is long,
 * else 0.  Kind 1: the signed rows that adjust them: for the subjects the
 * range cuts, the weeks and edge days of the plan, and for every subject
 * the marks from before a student joined.  The worker adds them up
 * (sum_parts): grouping them in MariaDB, a temporary table of the 60,000
 * adjustments and a join of the 30,000 totals to it, took twice as long
 * as reading and sending them (college-wide, a range cutting every
 * subject: about 110 ms against 40).  The edge days' marks are read for
 * the cut subjects only (active before attendance): a term's view reads
 * none.
 */
#define PARTS_SQL(WEEKS)                                                        \
	ACTIVE_SQL                                                              \
	"SELECT 0, x.subject_id << 32 | x.student_no, "                         \
	"IF(active.whole OR ? = 1, x.held, 0), "                                \
	"IF(active.whole OR ? = 1, x.present, 0) FROM active "                  \
	"STRAIGHT_JOIN student_tally x ON x.subject_id = active.subject_id "    \
	"UNION ALL SELECT 1, w.subject_id << 32 | w.student_no, ? * w.held, "   \
	"? * w.present FROM student_week_tally w "                              \
	"FORCE INDEX (ix_student_week_tally_week) STRAIGHT_JOIN active "        \
	"ON active.subject_id = w.subject_id WHERE NOT active.whole AND " WEEKS \
	" UNION ALL SELECT 1, ta.subject_id << 32 | a.student_no, "             \
	"IF(ta.date <= ?, ?, ?), IF(ta.date <= ?, ?, ?) * (a.status = 'P') "    \
	"FROM session_tally ta "                                                \
	"STRAIGHT_JOIN active ON active.subject_id = ta.subject_id "            \
	"STRAIGHT_JOIN attendance a ON a.session_id = ta.session_id "           \
	"WHERE NOT active.whole AND (ta.date BETWEEN ? AND ? "                  \
	"OR ta.date BETWEEN ? AND ?) "                                          \
	"UNION ALL SELECT 1, ta.subject_id << 32 | st.student_no, -1, "         \
	"-(a.status = 'P') FROM student st "                                    \
	"STRAIGHT_JOIN attendance a ON a.student_email = st.student_email "     \
	"STRAIGHT_JOIN session_tally ta ON ta.session_id = a.session_id "       \
	"JOIN active ON active.subject_id = ta.subject_id "                     \
	"WHERE st.joined_on > ? AND ta.date BETWEEN ? AND ? "                   \
	"AND ta.date < st.joined_on"

/* The active subjects' labels, each with its rank in the labels' order. */
#define SUBJECTS_SQL                                                        \
	ACTIVE_SQL                                                          \
	"SELECT sj.subject_id, " CLASS_LABEL " AS class, "                  \
	"co.course_name AS subject, t.name AS teacher, "                    \
	"DENSE_RANK() OVER (ORDER BY " CLASS_LABEL "), "                    \
	"DENSE_RANK() OVER (ORDER BY co.course_name) "                      \
	"FROM active JOIN subject sj ON sj.subject_id = active.subject_id " \
	"JOIN class c ON c.class_id = sj.class_id "                         \
	"JOIN department dp ON dp.department_id = c.department_id "         \
	"JOIN teacher t ON t.teacher_email = sj.teacher_email "             \
	"JOIN course co ON co.course_id = sj.course_id "                    \
	"ORDER BY sj.subject_id"

/* Every student's labels and rank in roll-number order, by number. */
#define STUDENTS_SQL                                         \
	"SELECT student_no, roll_no, name, student_email, "  \
	"DENSE_RANK() OVER (ORDER BY roll_no) FROM student " \
	"ORDER BY student_no"

/* Columns of the three reads. */
enum { P_KIND, P_PAIR, P_HELD, P_PRESENT, P_COLS };
enum { S_ID, S_CLASS, S_SUBJECT, S_TEACHER, S_CLASS_RANK, S_RANK, S_COLS };
enum { T_NO, T_ROLL, T_NAME, T_EMAIL, T_RANK, T_COLS };

/* The answer's columns, as the view has always named them. */
static const char *const answer_cols[] = { "roll_no", "name", "student_email",
	"class", "subject_id", "subject", "teacher", "held", "present",
	"percent" };

#define ANSWER_COLS (sizeof(answer_cols) / sizeof(answer_cols[0]))

/* A cell's integer; 0 for NULL. */
static long long
cell_int(const char *v)
{
	return v ? strtoll(v, NULL, 10) : 0;
}

/* One (subject, student) pair's counts over the range. */
struct pair {
	long long key; /* subject_id << 32 | student_no */
	int held, present;
};

static int
pair_cmp(const void *pa, const void *pb)
{
	const struct pair *a = pa, *b = pb;

	return a->key < b->key ? -1 : a->key > b->key;
}

/* The pair of key in the sorted p[0..n), or NULL. */
static struct pair *
pair_find(struct pair *p, int n, long long key)
{
	struct pair k = { key, 0, 0 };

	return bsearch(&k, p, (size_t)n, sizeof(*p), pair_cmp);
}

/*
 * The pairs of the parts: each total (kind 0) with its adjustments (kind
 * 1) added; an adjustment of a pair with no total is dropped, as the
 * totals hold every pair with a mark.  The number of pairs, or -1.
 */
static int
sum_parts(struct arena *a, const struct db_rows *parts, struct pair **out)
{
	struct pair *p, *hit;
	int i, n = 0;

	*out = p = arena_alloc(a, sizeof(*p) * (size_t)(parts->nrows + 1));
	if (p == NULL)
		return -1;
	for (i = 0; i < parts->nrows; i++) {
		char **row = parts->v + (size_t)i * P_COLS;

		if (cell_int(row[P_KIND]) == 0)
			p[n++] = (struct pair){ cell_int(row[P_PAIR]),
				cell_int(row[P_HELD]),
				cell_int(row[P_PRESENT]) };
	}
	qsort(p, (size_t)n, sizeof(*p), pair_cmp);
	for (i = 0; i < parts->nrows; i++) {
		char **row = parts->v + (size_t)i * P_COLS;

		if (cell_int(row[P_KIND]) == 0 ||
		    (hit = pair_find(p, n, cell_int(row[P_PAIR]))) == NULL)
			continue;
		hit->held += (int)cell_int(row[P_HELD]);
		hit->present += (int)cell_int(row[P_PRESENT]);
	}
	return n;
}

/* v (in tenths when tenths) as text in arena memory, as MariaDB wrote it. */
static char *
num_text(struct arena *a, long long v, int tenths)
{
	char tmp[32], *p = tmp + sizeof(tmp), *s;
	unsigned long long u =
	    v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
	size_t n;

	*--p = '\0';
	if (tenths) {
		*--p = (char)('0' + u % 10);
		*--p = '.';
		u /= 10;
	}
	do
		*--p = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	if (v < 0)
		*--p = '-';
	n = (size_t)(tmp + sizeof(tmp) - p);
	if ((s = arena_alloc(a, n)) != NULL)
		memcpy(s, p, n);
	return s;
}

/*
 * A read's rows by their number (column 0, sorted ascending by the SQL),
 * the numbers and the ranks (columns r0, r1) parsed once: 23,000 lookups
 * parsing each probe's text were a sixth of the worker's time.
 */
struct index {
	const struct db_rows *r;
	long long *id;
	long *rank[2];
};

static int
index_build(struct arena *a, const struct db_rows *r, int r0, int r1,
    struct index *x)
{
	size_t n = (size_t)r->nrows + 1;
	int i, k;

	x->r = r;
	x->id = arena_alloc(a, sizeof(*x->id) * n);
	x->rank[0] = arena_alloc(a, sizeof(long) * n);
	x->rank[1] = arena_alloc(a, sizeof(long) * n);
	if (!x->id || !x->rank[0] || !x->rank[1])
		return -1;
	for (i = 0; i < r->nrows; i++) {
		char **row = r->v + (size_t)i * (size_t)r->ncols;

		x->id[i] = row[0] ? strtoll(row[0], NULL, 10) : -1;
		for (k = 0; k < 2; k++)
			x->rank[k][i] = (long)cell_int(row[k ? r1 : r0]);
	}
	return 0;
}

/* The row of number k: its position, or -1. */
static int
index_find(const struct index *x, long long k)
{
	int lo = 0, hi = x->r->nrows - 1, mid;

	while (lo <= hi) {
		mid = lo + (hi - lo) / 2;
		if (x->id[mid] == k)
			return mid;
		if (x->id[mid] < k)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

struct answer {
	long tenths;  /* percent */
	long rank[3]; /* class, roll number, subject */
	long long subject_id;
	const struct pair *pair;
	char **subj, **stu;
};

static int
answer_cmp(const void *pa, const void *pb)
{
	const struct answer *a = pa, *b = pb;
	int i;

	if (a->tenths != b->tenths)
		return a->tenths < b->tenths ? -1 : 1;
	for (i = 0; i < 3; i++)
		if (a->rank[i] != b->rank[i])
			return a->rank[i] < b->rank[i] ? -1 : 1;
	if (a->subject_id != b->subject_id)
		return a->subject_id < b->subject_id ? -1 : 1;
	return strcmp(a->stu[T_EMAIL] ? a->stu[T_EMAIL] : "",
	    b->stu[T_EMAIL] ? b->stu[T_EMAIL] : "");
}

/*
 * The pairs on the list (at least min_held marks, below the threshold)
 * with their labels (a pair without both is left out); n.
 */
static int
answers(const struct dash_query *q, const struct pair *p, int np,
    const struct index *subj, const struct index *stu, struct answer *out)
{
	int i, n = 0, si, ti;

	for (i = 0; i < np; i++) {
		struct answer *x = &out[n];

		if (p[i].held < q->min_held ||
		    !attstats_below(p[i].present, p[i].held, q->threshold))
			continue;
		si = index_find(subj, p[i].key >> 32);
		ti = index_find(stu, p[i].key & 0xffffffffLL);
		if (si < 0 || ti < 0)
			continue; /* a student or subject gone meanwhile */
		x->pair = &p[i];
		x->subj = subj->r->v + (size_t)si * S_COLS;
		x->stu = stu->r->v + (size_t)ti * T_COLS;
		x->tenths = attstats_percent_tenths(p[i].present, p[i].held);
		x->rank[0] = subj->rank[0][si];
		x->rank[1] = stu->rank[0][ti];
		x->rank[2] = subj->rank[1][si];
		x->subject_id = subj->id[si];
		n++;
	}
	return n;
}

/* The sorted answers as the view's rows (cells in arena memory). */
static int
to_rows(struct arena *a, const struct answer *x, int n, struct db_rows *rows)
{
	char **v =
	    arena_alloc(a, sizeof(char *) * ANSWER_COLS * (size_t)(n + 1));
	int i;

	if (v == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		char **c = v + (size_t)i * ANSWER_COLS;

		c[0] = x[i].stu[T_ROLL];
		c[1] = x[i].stu[T_NAME];
		c[2] = x[i].stu[T_EMAIL];
		c[3] = x[i].subj[S_CLASS];
		c[4] = x[i].subj[S_ID];
		c[5] = x[i].subj[S_SUBJECT];
		c[6] = x[i].subj[S_TEACHER];
		c[7] = num_text(a, x[i].pair->held, 0);
		c[8] = num_text(a, x[i].pair->present, 0);
		c[9] = num_text(a, x[i].tenths, 1);
		if (!c[7] || !c[8] || !c[9])
			return -1;
	}
	rows->nrows = n;
	rows->ncols = (int)ANSWER_COLS;
	rows->v = v;
	rows->names = (const char **)answer_cols;
	return 0;
}

/* The parts of the sum (sql by plan) into parts. */
static int
read_parts(struct db *db, struct arena *a, const struct dash_query *q,
    const char *from, const char *to, struct db_rows *parts)
{
	static const char *const sql[2] = {
		PARTS_SQL("w.week BETWEEN ? AND ?"),
		PARTS_SQL("(w.week < ? OR w.week > ?)"),
	};
	char w0[11], w1[11], r0[11], r1[11], r2[11], r3[11];
	struct shortage_plan p;
	int sign;

	shortage_plan(q, &p);
	sign = p.total ? -1 : 1; /* weeks outside come off the total */
	attstats_format_date(p.w0, w0);
	attstats_format_date(p.w1, w1);
	attstats_format_date(p.r0, r0);
	attstats_format_date(p.r1, r1);
	attstats_format_date(p.r2, r2);
	attstats_format_date(p.r3, r3);
	return db_query(db, a, parts, sql[p.total],
	    ACTIVE_TYPES "ii"
			 "iiss"
			 "siisiissss"
			 "sss",
	    ACTIVE_ARGS(q, from, to), p.total, p.total, sign, sign, w0, w1, r1,
	    p.s0, p.s1, r1, p.s0, p.s1, r0, r1, r2, r3, from, from, to);
}

int
shortage_query(struct db *db, struct arena *a, const struct dash_query *q,
    const char *from, const char *to, struct db_rows *rows)
{
	struct db_rows parts, subj, stu;
	struct index si, ti;
	struct answer *x;
	struct pair *p;
	int rc, n, np;

	if ((rc = read_parts(db, a, q, from, to, &parts)) != DB_OK ||
	    (rc = db_query(db, a, &subj, SUBJECTS_SQL, ACTIVE_TYPES,
		 ACTIVE_ARGS(q, from, to))) != DB_OK ||
	    (rc = db_query(db, a, &stu, STUDENTS_SQL, "")) != DB_OK)
		return rc;
	if (parts.ncols != P_COLS || subj.ncols != S_COLS ||
	    stu.ncols != T_COLS)
		return DB_ERR;
	if ((np = sum_parts(a, &parts, &p)) < 0 ||
	    (x = arena_alloc(a, sizeof(*x) * (size_t)(np + 1))) == NULL)
		return DB_ERR;
	if (index_build(a, &subj, S_CLASS_RANK, S_RANK, &si) < 0 ||
	    index_build(a, &stu, T_RANK, T_RANK, &ti) < 0)
		return DB_ERR;
	n = answers(q, p, np, &si, &ti, x);
	qsort(x, (size_t)n, sizeof(*x), answer_cmp);
	return to_rows(a, x, n, rows) == 0 ? DB_OK : DB_ERR;
}
