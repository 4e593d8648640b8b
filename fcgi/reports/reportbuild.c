/*
 * reportbuild.c - attendance reports built from the database into the
 * plain structs of report.h.
 *
 * One builder per report serves the HTTP endpoints and the admin CLI, so a
 * cron file and a download of the same range are the same numbers.  The
 * builders read whole sets (all rows of a subject in the range) in a fixed
 * number of queries and do the counting here, in one pass over the rows:
 * the counting rules are in report.h.
 */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "db.h"
#include "log.h"
#include "reportbuild.h"
#include "warnings.h"

static void
set_range(long from, long to, long *f, long *t, char *fs, char *ts)
{
	*f = from;
	*t = to;
	attstats_format_date(from, fs);
	attstats_format_date(to, ts);
}

/* The subject columns every query below selects first, in this order. */
#define SUBJECT_COLS                                                 \
	"sj.subject_id, sj.class_id, sj.course_id, co.course_name, " \
	"sj.teacher_email, d.department_name, c.batch, c.semester, " \
	"c.section "
#define SUBJECT_JOINS                                                    \
	"FROM subject sj JOIN course co ON co.course_id = sj.course_id " \
	"JOIN class c ON c.class_id = sj.class_id "                      \
	"JOIN department d ON d.department_id = c.department_id "

static void
read_subject(const struct db_rows *rows, int i, struct rep_subject *s)
{
	s->subject_id = db_get_int(rows, i, 0);
	s->class_id = db_get_int(rows, i, 1);
	s->course_id = db_get(rows, i, 2);
	s->course_name = db_get(rows, i, 3);
	s->teacher_email = db_get(rows, i, 4);
	s->department = db_get(rows, i, 5);
	s->batch = db_get(rows, i, 6);
	s->semester = (int)db_get_int(rows, i, 7);
	s->section = db_get(rows, i, 8);
}

/* LEAVE_COUNTS=absent: an excused absence is held and absent too. */
static int
leave_counts_absent(const struct config *cfg)
{
	return strcmp(cfg->leave_counts, "absent") == 0;
}

/* One mark into the counts, by the rules of report.h. */
static void
count(struct rep_counts *n, char status, int leave_absent)
{
	if (status == REPORT_EXCUSED) {
		n->excused++;
		if (!leave_absent)
			return;
		status = 'A';
	}
	n->held++;
	if (status == 'P')
		n->present++;
	else if (status == 'A')
		n->absent++;
	else
		n->flagged++;
}

/* The cell of a mark: E for an absence on approved leave. */
static char
cell_of(const char *status, const char *leave)
{
	return leave ? REPORT_EXCUSED : status[0];
}

static void
add_counts(struct rep_counts *to, const struct rep_counts *n)
{
	to->held += n->held;
	to->present += n->present;
	to->absent += n->absent;
	to->flagged += n->flagged;
	to->excused += n->excused;
}

static char
source_code(const char *s)
{
	return s == NULL ? 0 : s[0];
}

/* Student index by e-mail (emails are case-insensitive in the schema). */
struct by_email {
	const char *email;
	int idx;
};

static int
cmp_email(const void *a, const void *b)
{
	return strcasecmp(((const struct by_email *)a)->email,
	    ((const struct by_email *)b)->email);
}

/* Student index by number (student.student_no, in each mark). */
struct by_no {
	long long no;
	int idx;
};

static int
cmp_no(const void *a, const void *b)
{
	long long x = ((const struct by_no *)a)->no;
	long long y = ((const struct by_no *)b)->no;

	return (x > y) - (x < y);
}

static int
find_student(const struct by_email *ix, int n, const char *email)
{
	struct by_email key = { email, 0 }, *hit;

	hit = bsearch(&key, ix, (size_t)n, sizeof(*ix), cmp_email);
	return hit ? hit->idx : -1;
}

/*
 * At risk: below the threshold after at least WARNINGS_MIN_HELD held
 * sessions, the rule of the low-attendance notices: one absence in the
 * first session of a term is 0% but says nothing about the student yet.
 */
static int
at_risk(const struct rep_counts *n, long threshold)
{
	return n->held >= WARNINGS_MIN_HELD &&
	    attstats_below(n->present, n->held, threshold);
}

/* Counts, percentages, runs, at-risk list, totals and weeks of a report. */
static int
finish_class(struct arena *a, struct class_report *rep, int leave_absent)
{
	int i, j, ns = rep->nsessions;
	int *marks, *present;
	long *days;
	char c;

	for (i = 0; i < rep->nstudents; i++) {
		struct rep_student *st = &rep->students[i];
		const char *row = rep->cells + (size_t)i * (size_t)ns;

		for (j = 0; j < ns; j++)
			if (row[j] != REPORT_NOT_COUNTED)
				count(&st->n, row[j], leave_absent);
		st->percent = attstats_percent(st->n.present, st->n.held);
		st->at_risk = at_risk(&st->n, rep->threshold);
		rep->nat_risk += st->at_risk;
		st->run_len = attstats_longest_run(row, ns, 'A', &st->run_first,
		    &st->run_last);
		add_counts(&rep->total, &st->n);
	}
	rep->total_percent =
	    attstats_percent(rep->total.present, rep->total.held);
	marks = arena_alloc(a, sizeof(int) * (size_t)(ns + 1));
	present = arena_alloc(a, sizeof(int) * (size_t)(ns + 1));
	days = arena_alloc(a, sizeof(long) * (size_t)(ns + 1));
	rep->weeks =
	    arena_alloc(a, sizeof(struct attstats_week) * (size_t)(ns + 1));
	if (!marks || !present || !days || !rep->weeks)
		return DB_ERR;
	for (j = 0; j < ns; j++) {
		days[j] = rep->sessions[j].day;
		for (i = 0; i < rep->nstudents; i++) {
			c = rep->cells[(size_t)i * (size_t)ns + (size_t)j];
			if (c == REPORT_NOT_COUNTED ||
			    (c == REPORT_EXCUSED && !leave_absent))
				continue;
			marks[j]++;
			present[j] += c == 'P';
		}
	}
	rep->nweeks = attstats_weekly(days, marks, present, ns, rep->weeks);
	return DB_OK;
}

/* What building a class report reads, and its lookups. */
struct class_build {
	struct db_rows studs, rows; /* the class's students, their sessions */
	struct db_rows remarks;     /* the marks with a remark */
	struct db_rows leaves;      /* the class's approved leave */
	struct by_email *ix;        /* students by e-mail */
	struct by_no *nos;          /* students by number */
	long *joined;               /* each student's first day */
};

/*
 * A session row packs its marks into one string: per mark the status, the
 * source's first letter, slow (0/1) and the student's number
 * (schema/024_attendance_student_no.sql), a space between marks.  A number
 * rather than the e-mail: the 54,000 marks of a 600-student subject were
 * 1.7 MB of e-mails for MariaDB to copy and the worker to look up.
 * MariaDB's group_concat_max_len (1 MB) holds about 100,000 marks of a
 * session; the row's count of marks catches more.
 */
#define PACK_SEP ' '

/* The remarks of the subject's marks, and the class's approved leave. */
static int
class_extras(struct db *db, struct arena *a, long long subject_id,
    const struct class_report *out, struct class_build *b)
{
	int rc;

	/* an ended session's row says whether it has any (026) */
	rc = db_query(db, a, &b->remarks,
	    "SELECT a.session_id, a.student_email, a.remark "
	    "FROM period p JOIN session se ON se.period_id = p.period_id "
	    "LEFT JOIN session_register r ON r.session_id = se.session_id "
	    "AND NOT EXISTS (SELECT 1 FROM attendance_window w WHERE "
	    "w.session_id = se.session_id AND w.finalized_at IS NULL) "
	    "JOIN attendance a ON a.session_id = se.session_id "
	    "WHERE p.subject_id = ? AND se.date BETWEEN ? AND ? "
	    "AND (r.session_id IS NULL OR r.remarks > 0) "
	    "AND a.remark IS NOT NULL",
	    "Iss", subject_id, out->from_s, out->to_s);
	if (rc != DB_OK)
		return rc;
	return db_query(db, a, &b->leaves,
	    "SELECT l.student_email, DATE_FORMAT(l.from_date, '%Y-%m-%d'), "
	    "DATE_FORMAT(l.to_date, '%Y-%m-%d') FROM student_leave l "
	    "JOIN student st ON st.student_email = l.student_email "
	    "WHERE st.class_id = ? AND l.state = 'APPROVED' "
	    "AND l.to_date >= ? AND l.from_date <= ?",
	    "Iss", out->subj.class_id, out->from_s, out->to_s);
}

#define SESSION_COLS 7 /* the columns of class_read's session rows */

/* Session rows by date, period number and id: the register's order. */
static int
cmp_session_row(const void *x, const void *y)
{
	char *const *p = x, *const *q = y;
	long long a, b;
	int c = strcmp(p[1] ? p[1] : "", q[1] ? q[1] : "");

	if (c != 0)
		return c;
	a = p[2] ? atoll(p[2]) : 0;
	b = q[2] ? atoll(q[2]) : 0;
	if (a == b) {
		a = atoll(p[0]);
		b = atoll(q[0]);
	}
	return (a > b) - (a < b);
}

static int
sort_sessions(struct db_rows *rows)
{
	if (rows->ncols != SESSION_COLS)
		return DB_ERR;
	qsort(rows->v, (size_t)rows->nrows, sizeof(char *) * SESSION_COLS,
	    cmp_session_row);
	return DB_OK;
}

/* The subject (the teacher's, when one is given), students and marks. */
static int
class_read(struct db *db, struct arena *a, long long subject_id,
    const char *teacher, struct class_report *out, struct class_build *b)
{
	struct db_rows subj;
	int rc;

	rc = db_query_one(db, a, &subj,
	    "SELECT " SUBJECT_COLS SUBJECT_JOINS "WHERE sj.subject_id = ?", "I",
	    subject_id);
	if (rc != DB_OK)
		return rc;
	read_subject(&subj, 0, &out->subj);
	if (teacher && strcasecmp(teacher, out->subj.teacher_email) != 0)
		return REPORTBUILD_FORBIDDEN;
	rc = db_query(db, a, &b->studs,
	    "SELECT student_email, name, roll_no, "
	    "DATE_FORMAT(joined_on, '%Y-%m-%d'), student_no FROM student "
	    "WHERE class_id = ? ORDER BY LENGTH(roll_no), roll_no, "
	    "student_email",
	    "I", out->subj.class_id);
	if (rc != DB_OK)
		return rc;
	/*
	 * Every session of the subject in the range with its marks packed
	 * into one string: a 600-student subject sends 90 rows, not 54,000
	 * (each copied cell by cell), and the e-mails find their students
	 * here (by number).  Each session's marks are a subquery over its range of
	 * attendance's key; a join grouped by session sorted all 54,000
	 * marks first, and an ORDER BY copied the packed rows through a
	 * temporary table (together three times the time of this query):
	 * the rows are put in register order here (sort_sessions).  Remarks
	 * and leave are rare: two small queries (class_extras).  A session
	 * whose windows have all ended has its string stored already
	 * (schema/026_session_register.sql), the last column: only the others
	 * are packed here (one IF of both cost a copy of every string).
	 */
	rc = db_query(db, a, &b->rows,
	    "SELECT se.session_id, DATE_FORMAT(se.date, '%Y-%m-%d'), "
	    "p.period_no, IF(r.session_id IS NULL, (SELECT COUNT(*) "
	    "FROM attendance a WHERE a.session_id = se.session_id), "
	    "r.marks) AS n, IF(r.session_id IS NULL, "
	    "(SELECT GROUP_CONCAT(a.status, LEFT(a.source, 1), a.slow, "
	    "a.student_no SEPARATOR ' ') FROM attendance a "
	    "WHERE a.session_id = se.session_id), NULL), se.taken_by, "
	    "r.packed "
	    "FROM period p JOIN session se ON se.period_id = p.period_id "
	    "LEFT JOIN session_register r ON r.session_id = se.session_id "
	    "AND NOT EXISTS (SELECT 1 FROM attendance_window w WHERE "
	    "w.session_id = se.session_id AND w.finalized_at IS NULL) "
	    "WHERE p.subject_id = ? AND se.date BETWEEN ? AND ? HAVING n > 0",
	    "Iss", subject_id, out->from_s, out->to_s);
	if (rc == DB_OK)
		rc = sort_sessions(&b->rows);
	return rc == DB_OK ? class_extras(db, a, subject_id, out, b) : rc;
}

/* The register's rows: the students, indexed by e-mail. */
static int
class_students(struct arena *a, struct class_report *out, struct class_build *b)
{
	int i, n = b->studs.nrows;

	out->nstudents = n;
	out->students =
	    arena_alloc(a, sizeof(*out->students) * (size_t)(n + 1));
	b->ix = arena_alloc(a, sizeof(*b->ix) * (size_t)(n + 1));
	b->nos = arena_alloc(a, sizeof(*b->nos) * (size_t)(n + 1));
	b->joined = arena_alloc(a, sizeof(long) * (size_t)(n + 1));
	if (!out->students || !b->ix || !b->nos || !b->joined)
		return DB_ERR;
	for (i = 0; i < n; i++) {
		struct rep_student *st = &out->students[i];

		st->email = db_get(&b->studs, i, 0);
		st->name = db_get(&b->studs, i, 1);
		st->roll_no = db_get(&b->studs, i, 2);
		st->joined_on = db_get(&b->studs, i, 3);
		if (st->joined_on == NULL ||
		    attstats_parse_date(st->joined_on, &b->joined[i]) < 0)
			b->joined[i] = -1000000;
		b->ix[i].email = st->email;
		b->ix[i].idx = i;
		b->nos[i].no = db_get_int(&b->studs, i, 4);
		b->nos[i].idx = i;
	}
	qsort(b->ix, (size_t)n, sizeof(*b->ix), cmp_email);
	qsort(b->nos, (size_t)n, sizeof(*b->nos), cmp_no);
	return DB_OK;
}

/* The register's columns: the sessions with marks, one per row, in order. */
static int
class_sessions(struct arena *a, long from, struct class_report *out,
    const struct class_build *b)
{
	struct rep_session *se;
	int i;

	out->sessions = arena_alloc(a,
	    sizeof(*out->sessions) * (size_t)(b->rows.nrows + 1));
	if (out->sessions == NULL)
		return DB_ERR;
	for (i = 0; i < b->rows.nrows; i++) {
		se = &out->sessions[out->nsessions++];
		se->session_id = db_get_int(&b->rows, i, 0);
		snprintf(se->date, sizeof(se->date), "%s",
		    db_get(&b->rows, i, 1));
		if (attstats_parse_date(se->date, &se->day) < 0)
			se->day = from;
		se->period_no = (int)db_get_int(&b->rows, i, 2);
		se->taken_by = db_get(&b->rows, i, 5);
	}
	return DB_OK;
}

/* The student of a packed mark's number; -1 if not in the class. */
static int
mark_student(const struct class_build *b, int n, const char *no)
{
	struct by_no key = { 0, 0 }, *hit;
	char *end;

	key.no = strtoll(no, &end, 10);
	if (end == no || *end != '\0')
		return -1;
	hit = bsearch(&key, b->nos, (size_t)n, sizeof(*b->nos), cmp_no);
	return hit ? hit->idx : -1;
}

/* One session's packed marks into column k; DB_OK, DB_ERR if cut short. */
static int
unpack_session(struct class_report *out, const struct class_build *b, int k)
{
	char **row = b->rows.v + (size_t)k * (size_t)b->rows.ncols, *end;
	char *p = row[6] ? row[6] : row[4]; /* stored, or packed now */
	long long n = db_get_int(&b->rows, k, 3), got = 0;
	size_t c;
	int s;

	for (; p && *p; p = end ? end + 1 : NULL, got++) {
		if ((end = strchr(p, PACK_SEP)) != NULL)
			*end = '\0'; /* arena memory of this build */
		/* status, source's initial, slow (0/1), student's number */
		if (strlen(p) < 4 ||
		    (s = mark_student(b, out->nstudents, p + 3)) < 0 ||
		    out->sessions[k].day < b->joined[s])
			continue; /* not in the class, or before they joined */
		c = (size_t)s * (size_t)out->nsessions + (size_t)k;
		out->cells[c] = p[0];
		out->sources[c] = source_code(p + 1);
		out->slow[c] = (char)(p[2] == '1');
	}
	return got == n ? DB_OK : DB_ERR;
}

/* The register's cells: each mark of a student who counted that day. */
static int
class_cells(struct arena *a, struct class_report *out,
    const struct class_build *b)
{
	size_t ncells = (size_t)out->nstudents * (size_t)out->nsessions;
	int k;

	out->cells = arena_alloc(a, ncells + 1);
	out->sources = arena_alloc(a, ncells + 1);
	out->remarks = arena_alloc(a, sizeof(*out->remarks) * (ncells + 1));
	out->slow = arena_alloc(a, ncells + 1);
	if (!out->cells || !out->sources || !out->remarks || !out->slow)
		return DB_ERR;
	memset(out->remarks, 0, sizeof(*out->remarks) * (ncells + 1));
	memset(out->slow, 0, ncells + 1);
	memset(out->cells, REPORT_NOT_COUNTED, ncells);
	for (k = 0; k < b->rows.nrows; k++)
		if (unpack_session(out, b, k) != DB_OK) {
			log_error("class report: marks of session %lld cut "
				  "short (group_concat_max_len)",
			    out->sessions[k].session_id);
			return DB_ERR;
		}
	return DB_OK;
}

/* The column of a session, -1 if it has none. */
static int
session_column(const struct class_report *out, long long sid)
{
	int k;

	for (k = 0; k < out->nsessions; k++)
		if (out->sessions[k].session_id == sid)
			return k;
	return -1;
}

/*
 * Remarks onto their cells, and an absence on approved leave excused
 * (REPORT_EXCUSED), for the cells that count.
 */
static void
class_notes(struct class_report *out, const struct class_build *b)
{
	long lf, lt;
	size_t c;
	int i, k, s;

	for (i = 0; i < b->remarks.nrows; i++) {
		s = find_student(b->ix, out->nstudents,
		    db_get(&b->remarks, i, 1));
		k = session_column(out, db_get_int(&b->remarks, i, 0));
		c = (size_t)s * (size_t)out->nsessions + (size_t)k;
		if (s >= 0 && k >= 0 && out->cells[c] != REPORT_NOT_COUNTED)
			out->remarks[c] = db_get(&b->remarks, i, 2);
	}
	for (i = 0; i < b->leaves.nrows; i++) {
		s = find_student(b->ix, out->nstudents,
		    db_get(&b->leaves, i, 0));
		if (s < 0 ||
		    attstats_parse_date(db_get(&b->leaves, i, 1), &lf) < 0 ||
		    attstats_parse_date(db_get(&b->leaves, i, 2), &lt) < 0)
			continue;
		for (k = 0; k < out->nsessions; k++) {
			c = (size_t)s * (size_t)out->nsessions + (size_t)k;
			if (out->cells[c] == 'A' &&
			    out->sessions[k].day >= lf &&
			    out->sessions[k].day <= lt)
				out->cells[c] = REPORT_EXCUSED;
		}
	}
}

int
reportbuild_class(struct db *db, struct arena *a, const struct config *cfg,
    long long subject_id, const char *teacher, long from, long to,
    struct class_report *out)
{
	struct class_build b;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&b, 0, sizeof(b));
	set_range(from, to, &out->from, &out->to, out->from_s, out->to_s);
	out->threshold = attstats_threshold(cfg->at_risk_percent);
	if ((rc = class_read(db, a, subject_id, teacher, out, &b)) != DB_OK ||
	    (rc = class_students(a, out, &b)) != DB_OK ||
	    (rc = class_sessions(a, from, out, &b)) != DB_OK ||
	    (rc = class_cells(a, out, &b)) != DB_OK)
		goto out;
	class_notes(out, &b);
	rc = finish_class(a, out, leave_counts_absent(cfg));
out:
	return rc;
}

/* The student, and the first day that counts for them (eff). */
static int
student_read(struct db *db, struct arena *a, const char *email, long *eff,
    struct student_report *out)
{
	struct db_rows st;
	long joined;
	int rc;

	rc = db_query_one(db, a, &st,
	    "SELECT student_email, name, roll_no, class_id, "
	    "DATE_FORMAT(joined_on, '%Y-%m-%d') FROM student "
	    "WHERE student_email = ?",
	    "s", email);
	if (rc != DB_OK)
		return rc;
	out->email = db_get(&st, 0, 0);
	out->name = db_get(&st, 0, 1);
	out->roll_no = db_get(&st, 0, 2);
	out->class_id = db_get_int(&st, 0, 3);
	out->joined_on = db_get(&st, 0, 4);
	if (out->joined_on &&
	    attstats_parse_date(out->joined_on, &joined) == 0 && joined > *eff)
		*eff = joined;
	return DB_OK;
}

/* The subjects of the student's class (one, or the teacher's, if given). */
static int
student_subjects(struct db *db, struct arena *a, long long subject_id,
    const char *teacher, struct student_report *out)
{
	struct db_rows subj;
	int rc, i;

	rc = db_query(db, a, &subj,
	    "SELECT " SUBJECT_COLS SUBJECT_JOINS
	    "WHERE sj.class_id = ? AND (? = 0 OR sj.subject_id = ?) "
	    "AND (? IS NULL OR sj.teacher_email = ?) "
	    "ORDER BY co.course_name, sj.subject_id",
	    "IIIss", out->class_id, subject_id, subject_id, teacher, teacher);
	if (rc != DB_OK)
		return rc;
	out->nsubjects = subj.nrows;
	out->subjects =
	    arena_alloc(a, sizeof(*out->subjects) * (size_t)(subj.nrows + 1));
	if (out->subjects == NULL)
		return DB_ERR;
	for (i = 0; i < subj.nrows; i++)
		read_subject(&subj, i, &out->subjects[i].subj);
	return DB_OK;
}

/* The student's own marks in those subjects from eff_s on, counted. */
static int
student_days(struct db *db, struct arena *a, const char *eff_s,
    int leave_absent, struct student_report *out)
{
	struct db_rows rows;
	struct rep_day *d;
	long long sid;
	int rc, i, j;

	rc = db_query(db, a, &rows,
	    "SELECT a.session_id, DATE_FORMAT(se.date, '%Y-%m-%d'), "
	    "p.period_no, p.subject_id, a.status, a.source, a.remark, "
	    "(SELECT l.kind FROM student_leave l WHERE l.student_email = "
	    "  a.student_email AND l.state = 'APPROVED' AND a.status = 'A' "
	    "  AND se.date BETWEEN l.from_date AND l.to_date LIMIT 1) "
	    "FROM attendance a JOIN session se ON se.session_id = a.session_id "
	    "JOIN period p ON p.period_id = se.period_id "
	    "JOIN subject sj ON sj.subject_id = p.subject_id "
	    "WHERE a.student_email = ? AND sj.class_id = ? "
	    "AND se.date BETWEEN ? AND ? "
	    "ORDER BY se.date, p.period_no, a.session_id",
	    "sIss", out->email, out->class_id, eff_s, out->to_s);
	if (rc != DB_OK)
		return rc;
	out->days =
	    arena_alloc(a, sizeof(*out->days) * (size_t)(rows.nrows + 1));
	if (out->days == NULL)
		return DB_ERR;
	for (i = 0; i < rows.nrows; i++) {
		sid = db_get_int(&rows, i, 3);
		for (j = 0; j < out->nsubjects; j++)
			if (out->subjects[j].subj.subject_id == sid)
				break;
		if (j == out->nsubjects)
			continue; /* filtered out */
		d = &out->days[out->ndays++];
		d->session_id = db_get_int(&rows, i, 0);
		snprintf(d->date, sizeof(d->date), "%s", db_get(&rows, i, 1));
		d->period_no = (int)db_get_int(&rows, i, 2);
		d->subject = j;
		d->leave = db_get(&rows, i, 7);
		d->status = cell_of(db_get(&rows, i, 4), d->leave);
		d->source = db_get(&rows, i, 5);
		d->remark = db_get(&rows, i, 6);
		count(&out->subjects[j].n, d->status, leave_absent);
	}
	return DB_OK;
}

int
reportbuild_student(struct db *db, struct arena *a, const struct config *cfg,
    const char *email, long long subject_id, const char *teacher, long from,
    long to, struct student_report *out)
{
	char eff_s[ATTSTATS_DATE_LEN];
	long eff = from;
	int rc, j;

	memset(out, 0, sizeof(*out));
	set_range(from, to, &out->from, &out->to, out->from_s, out->to_s);
	out->threshold = attstats_threshold(cfg->at_risk_percent);
	if ((rc = student_read(db, a, email, &eff, out)) != DB_OK ||
	    (rc = student_subjects(db, a, subject_id, teacher, out)) != DB_OK)
		goto out;
	attstats_format_date(eff, eff_s);
	if (out->nsubjects > 0 && eff <= to &&
	    (rc = student_days(db, a, eff_s, leave_counts_absent(cfg), out)) !=
		DB_OK)
		goto out;
	for (j = 0; j < out->nsubjects; j++) {
		struct rep_subject_line *l = &out->subjects[j];

		l->percent = attstats_percent(l->n.present, l->n.held);
		l->at_risk = at_risk(&l->n, out->threshold);
		add_counts(&out->total, &l->n);
	}
	out->total_percent =
	    attstats_percent(out->total.present, out->total.held);
out:
	return rc;
}
