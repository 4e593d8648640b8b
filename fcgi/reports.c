/*
 * reports.c - attendance reports: built from the database into plain
 * structs (reports.h), rendered as the endpoints' JSON, exported as CSV,
 * Ed-Fi CSV or XLSX (csvout.c, xlsx.c), and the low-attendance warnings.
 *
 * One builder per report serves the HTTP endpoints and the admin CLI, so a
 * cron file and a download of the same range are the same numbers.  The
 * builders read whole sets (all rows of a subject in the range) in a fixed
 * number of queries and do the counting here, in one pass over the rows:
 * the counting rules are in reports.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "csvout.h"
#include "db.h"
#include "log.h"
#include "outbox.h"
#include "reports.h"
#include "xlsx.h"

static long
threshold(const struct config *cfg)
{
	long t = cfg->at_risk_percent;

	return t < 0 ? 0 : t > 100 ? 100 : t;
}

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

static void
count(struct rep_counts *n, char status)
{
	n->held++;
	if (status == 'P')
		n->present++;
	else if (status == 'A')
		n->absent++;
	else
		n->flagged++;
}

static void
add_counts(struct rep_counts *to, const struct rep_counts *n)
{
	to->held += n->held;
	to->present += n->present;
	to->absent += n->absent;
	to->flagged += n->flagged;
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

static int
find_student(const struct by_email *ix, int n, const char *email)
{
	struct by_email key = { email, 0 }, *hit;

	hit = bsearch(&key, ix, (size_t)n, sizeof(*ix), cmp_email);
	return hit ? hit->idx : -1;
}

/* Counts, percentages, runs, at-risk list, totals and weeks of a report. */
static int
finish_class(struct arena *a, struct class_report *rep)
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
				count(&st->n, row[j]);
		st->percent = attstats_percent(st->n.present, st->n.held);
		st->at_risk =
		    attstats_below(st->n.present, st->n.held, rep->threshold);
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
			if (c == REPORT_NOT_COUNTED)
				continue;
			marks[j]++;
			present[j] += c == 'P';
		}
	}
	rep->nweeks = attstats_weekly(days, marks, present, ns, rep->weeks);
	return DB_OK;
}

int
reports_build_class(struct db *db, struct arena *a, const struct config *cfg,
    long long subject_id, const char *teacher, long from, long to,
    struct class_report *out)
{
	struct db_rows subj, studs, rows;
	struct rep_session *se;
	struct by_email *ix;
	long long sid, last = -1;
	long day, *joined;
	int rc, i, s, k;
	size_t ncells;

	memset(out, 0, sizeof(*out));
	set_range(from, to, &out->from, &out->to, out->from_s, out->to_s);
	out->threshold = threshold(cfg);
	rc = db_query_one(db, a, &subj,
	    "SELECT " SUBJECT_COLS SUBJECT_JOINS "WHERE sj.subject_id = ?", "I",
	    subject_id);
	if (rc != DB_OK)
		return rc;
	read_subject(&subj, 0, &out->subj);
	if (teacher && strcasecmp(teacher, out->subj.teacher_email) != 0)
		return REPORTS_FORBIDDEN;
	rc = db_query(db, a, &studs,
	    "SELECT student_email, name, roll_no, "
	    "DATE_FORMAT(joined_on, '%Y-%m-%d') FROM student "
	    "WHERE class_id = ? ORDER BY LENGTH(roll_no), roll_no, "
	    "student_email",
	    "I", out->subj.class_id);
	if (rc != DB_OK)
		return rc;
	/* every mark of the subject in the range, in register order */
	rc = db_query(db, a, &rows,
	    "SELECT a.session_id, DATE_FORMAT(se.date, '%Y-%m-%d'), "
	    "p.period_no, a.student_email, a.status, a.source "
	    "FROM period p JOIN session se ON se.period_id = p.period_id "
	    "JOIN attendance a ON a.session_id = se.session_id "
	    "WHERE p.subject_id = ? AND se.date BETWEEN ? AND ? "
	    "ORDER BY se.date, p.period_no, a.session_id",
	    "Iss", subject_id, out->from_s, out->to_s);
	if (rc != DB_OK)
		return rc;

	out->nstudents = studs.nrows;
	out->students =
	    arena_alloc(a, sizeof(*out->students) * (size_t)(studs.nrows + 1));
	ix = arena_alloc(a, sizeof(*ix) * (size_t)(studs.nrows + 1));
	joined = arena_alloc(a, sizeof(long) * (size_t)(studs.nrows + 1));
	out->sessions =
	    arena_alloc(a, sizeof(*out->sessions) * (size_t)(rows.nrows + 1));
	if (!out->students || !ix || !joined || !out->sessions)
		return DB_ERR;
	for (i = 0; i < studs.nrows; i++) {
		struct rep_student *st = &out->students[i];

		st->email = db_get(&studs, i, 0);
		st->name = db_get(&studs, i, 1);
		st->roll_no = db_get(&studs, i, 2);
		st->joined_on = db_get(&studs, i, 3);
		if (st->joined_on == NULL ||
		    attstats_parse_date(st->joined_on, &joined[i]) < 0)
			joined[i] = -1000000;
		ix[i].email = st->email;
		ix[i].idx = i;
	}
	qsort(ix, (size_t)studs.nrows, sizeof(*ix), cmp_email);

	/* sessions: the distinct session ids of the rows, in order */
	for (i = 0; i < rows.nrows; i++) {
		sid = db_get_int(&rows, i, 0);
		if (sid == last)
			continue;
		last = sid;
		se = &out->sessions[out->nsessions++];
		se->session_id = sid;
		snprintf(se->date, sizeof(se->date), "%s", db_get(&rows, i, 1));
		if (attstats_parse_date(se->date, &se->day) < 0)
			se->day = from;
		se->period_no = (int)db_get_int(&rows, i, 2);
	}
	ncells = (size_t)out->nstudents * (size_t)out->nsessions;
	out->cells = arena_alloc(a, ncells + 1);
	out->sources = arena_alloc(a, ncells + 1);
	if (!out->cells || !out->sources)
		return DB_ERR;
	memset(out->cells, REPORT_NOT_COUNTED, ncells);
	for (i = 0, k = -1, last = -1; i < rows.nrows; i++) {
		sid = db_get_int(&rows, i, 0);
		if (sid != last) {
			k++;
			last = sid;
		}
		if ((s = find_student(ix, out->nstudents,
			 db_get(&rows, i, 3))) < 0)
			continue; /* no longer in this class */
		day = out->sessions[k].day;
		if (day < joined[s])
			continue; /* before they joined: never counts */
		ncells = (size_t)s * (size_t)out->nsessions + (size_t)k;
		out->cells[ncells] = db_get(&rows, i, 4)[0];
		out->sources[ncells] = source_code(db_get(&rows, i, 5));
	}
	return finish_class(a, out);
}

int
reports_build_student(struct db *db, struct arena *a, const struct config *cfg,
    const char *email, long long subject_id, const char *teacher, long from,
    long to, struct student_report *out)
{
	struct db_rows st, subj, rows;
	struct rep_day *d;
	char eff_s[ATTSTATS_DATE_LEN];
	long eff = from, joined;
	long long sid;
	int rc, i, j;

	memset(out, 0, sizeof(*out));
	set_range(from, to, &out->from, &out->to, out->from_s, out->to_s);
	out->threshold = threshold(cfg);
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
	    attstats_parse_date(out->joined_on, &joined) == 0 && joined > eff)
		eff = joined;
	attstats_format_date(eff, eff_s);

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
	if (out->nsubjects == 0 || eff > to)
		goto done;

	/* the student's own marks in their class's subjects */
	rc = db_query(db, a, &rows,
	    "SELECT a.session_id, DATE_FORMAT(se.date, '%Y-%m-%d'), "
	    "p.period_no, p.subject_id, a.status, a.source "
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
		d->status = db_get(&rows, i, 4)[0];
		d->source = db_get(&rows, i, 5);
		count(&out->subjects[j].n, d->status);
	}
done:
	for (j = 0; j < out->nsubjects; j++) {
		struct rep_subject_line *l = &out->subjects[j];

		l->percent = attstats_percent(l->n.present, l->n.held);
		l->at_risk =
		    attstats_below(l->n.present, l->n.held, out->threshold);
		add_counts(&out->total, &l->n);
	}
	out->total_percent =
	    attstats_percent(out->total.present, out->total.held);
	return DB_OK;
}

/* --- JSON --- */

static json_t *
percent_json(double p)
{
	return p < 0 ? json_null() : json_real(p);
}

static json_t *
counts_json(const struct rep_counts *n, double percent)
{
	return json_pack("{s:i,s:i,s:i,s:i,s:o}", "held", n->held, "present",
	    n->present, "absent", n->absent, "flagged", n->flagged, "percent",
	    percent_json(percent));
}

static json_t *
subject_json(const struct rep_subject *s)
{
	return json_pack("{s:I,s:s?,s:s?,s:s?,s:{s:I,s:s?,s:s?,s:i,s:s?}}",
	    "subject_id", (json_int_t)s->subject_id, "course_id", s->course_id,
	    "course_name", s->course_name, "teacher_email", s->teacher_email,
	    "class", "class_id", (json_int_t)s->class_id, "department",
	    s->department, "batch", s->batch, "semester", s->semester,
	    "section", s->section);
}

json_t *
reports_class_json(const struct class_report *rep)
{
	json_t *body, *students, *risk, *weeks, *sessions, *o;
	char wk[16];
	int i;

	students = json_array();
	risk = json_array();
	weeks = json_array();
	sessions = json_array();
	for (i = 0; i < rep->nsessions; i++)
		json_array_append_new(sessions,
		    json_pack("{s:I,s:s,s:i}", "session_id",
			(json_int_t)rep->sessions[i].session_id, "date",
			rep->sessions[i].date, "period_no",
			rep->sessions[i].period_no));
	for (i = 0; i < rep->nstudents; i++) {
		const struct rep_student *st = &rep->students[i];

		o = counts_json(&st->n, st->percent);
		json_object_set_new(o, "roll_no", json_string(st->roll_no));
		json_object_set_new(o, "name", json_string(st->name));
		json_object_set_new(o, "email", json_string(st->email));
		json_object_set_new(o, "joined_on",
		    st->joined_on ? json_string(st->joined_on) : json_null());
		json_object_set_new(o, "at_risk", json_boolean(st->at_risk));
		json_object_set_new(o, "longest_absent_run",
		    json_integer(st->run_len));
		json_object_set_new(o, "longest_absent_from",
		    st->run_len ? json_string(rep->sessions[st->run_first].date)
				: json_null());
		json_object_set_new(o, "longest_absent_to",
		    st->run_len ? json_string(rep->sessions[st->run_last].date)
				: json_null());
		json_array_append_new(students, o);
		if (st->at_risk)
			json_array_append_new(risk,
			    json_pack("{s:s,s:s,s:s,s:i,s:i,s:o}", "roll_no",
				st->roll_no, "name", st->name, "email",
				st->email, "held", st->n.held, "present",
				st->n.present, "percent",
				percent_json(st->percent)));
	}
	for (i = 0; i < rep->nweeks; i++) {
		const struct attstats_week *w = &rep->weeks[i];

		snprintf(wk, sizeof(wk), "%04d-W%02d", w->iso_year, w->week);
		json_array_append_new(weeks,
		    json_pack("{s:s,s:i,s:i,s:o}", "week", wk, "marks",
			w->marks, "present", w->present, "percent",
			percent_json(attstats_percent(w->present, w->marks))));
	}
	o = counts_json(&rep->total, rep->total_percent);
	json_object_set_new(o, "students", json_integer(rep->nstudents));
	json_object_set_new(o, "sessions_held", json_integer(rep->nsessions));
	json_object_set_new(o, "at_risk", json_integer(rep->nat_risk));
	body = json_pack("{s:o,s:s,s:s,s:I,s:o,s:o,s:o,s:o,s:o}", "subject",
	    subject_json(&rep->subj), "from", rep->from_s, "to", rep->to_s,
	    "threshold", (json_int_t)rep->threshold, "sessions", sessions,
	    "students", students, "totals", o, "at_risk", risk, "weekly",
	    weeks);
	return body;
}

json_t *
reports_student_json(const struct student_report *rep)
{
	json_t *subjects = json_array(), *days = json_array(), *o;
	const struct rep_subject *s;
	char st[2] = { 0, 0 };
	int i;

	for (i = 0; i < rep->nsubjects; i++) {
		const struct rep_subject_line *l = &rep->subjects[i];

		o = counts_json(&l->n, l->percent);
		json_object_set_new(o, "subject_id",
		    json_integer(l->subj.subject_id));
		json_object_set_new(o, "course_id",
		    json_string(l->subj.course_id));
		json_object_set_new(o, "course_name",
		    json_string(l->subj.course_name));
		json_object_set_new(o, "at_risk", json_boolean(l->at_risk));
		json_array_append_new(subjects, o);
	}
	for (i = 0; i < rep->ndays; i++) {
		const struct rep_day *d = &rep->days[i];

		s = &rep->subjects[d->subject].subj;
		st[0] = d->status;
		json_array_append_new(days,
		    json_pack("{s:s,s:i,s:I,s:s?,s:s?,s:s,s:s?,s:I}", "date",
			d->date, "period_no", d->period_no, "subject_id",
			(json_int_t)s->subject_id, "course_id", s->course_id,
			"course_name", s->course_name, "status", st, "source",
			d->source, "session_id", (json_int_t)d->session_id));
	}
	return json_pack("{s:{s:s,s:s?,s:s?,s:I,s:s?},s:s,s:s,s:I,s:o,s:o,"
			 "s:o}",
	    "student", "email", rep->email, "name", rep->name, "roll_no",
	    rep->roll_no, "class_id", (json_int_t)rep->class_id, "joined_on",
	    rep->joined_on, "from", rep->from_s, "to", rep->to_s, "threshold",
	    (json_int_t)rep->threshold, "subjects", subjects, "days", days,
	    "totals", counts_json(&rep->total, rep->total_percent));
}

/* --- files --- */

static const struct {
	const char *name, *mime, *ext;
} formats[] = {
	[REPORT_JSON] = { "json", "application/json", "json" },
	[REPORT_CSV] = { "csv", "text/csv; charset=utf-8", "csv" },
	[REPORT_XLSX] = { "xlsx",
	    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	    "xlsx" },
	[REPORT_EDFI] = { "edfi", "text/csv; charset=utf-8", "csv" },
};

#define NFORMATS ((int)(sizeof(formats) / sizeof(formats[0])))

int
reports_format(const char *s)
{
	int i;

	if (s == NULL || *s == '\0')
		return REPORT_JSON;
	for (i = 0; i < NFORMATS; i++)
		if (strcmp(formats[i].name, s) == 0)
			return i;
	return -1;
}

const char *
reports_mime(int fmt)
{
	return fmt >= 0 && fmt < NFORMATS ? formats[fmt].mime : "";
}

const char *
reports_ext(int fmt)
{
	return fmt >= 0 && fmt < NFORMATS ? formats[fmt].ext : "";
}

/* Keeps [A-Za-z0-9._-]; anything else becomes '-' (header-safe). */
static char *
safe_name(char *s)
{
	char *p;

	for (p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			(*p >= '0' && *p <= '9') || *p == '.' || *p == '_' ||
			*p == '-'))
			*p = '-';
	return s;
}

char *
reports_class_filename(struct arena *a, const struct class_report *rep, int fmt)
{
	const struct rep_subject *s = &rep->subj;

	return safe_name(
	    arena_printf(a, "attendance_%s-%s-S%d-%s_%s%s_%s_%s.%s",
		s->department ? s->department : "", s->batch ? s->batch : "",
		s->semester, s->section ? s->section : "", s->course_id,
		fmt == REPORT_EDFI ? "_edfi" : "", rep->from_s, rep->to_s,
		reports_ext(fmt)));
}

char *
reports_student_filename(struct arena *a, const struct student_report *rep,
    int fmt)
{
	return safe_name(arena_printf(a, "attendance_%s%s_%s_%s.%s",
	    rep->roll_no ? rep->roll_no : "student",
	    fmt == REPORT_EDFI ? "_edfi" : "", rep->from_s, rep->to_s,
	    reports_ext(fmt)));
}

const char *
reports_tmpdir(struct arena *a, const struct config *cfg)
{
	char *dir = arena_printf(a, "%s/tmp", cfg->state);

	if (dir && mkdir(dir, 0700) < 0 && errno != EEXIST)
		log_warn("reports: cannot create %s: %s", dir, strerror(errno));
	return dir;
}

/* Reads and removes a finished temporary file into the arena. */
static int
slurp_unlink(const char *path, struct arena *a, char **buf, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	long n;
	int rc = -1;

	if (fp == NULL)
		goto out;
	if (fseek(fp, 0, SEEK_END) < 0 || (n = ftell(fp)) < 0)
		goto out;
	rewind(fp);
	if ((*buf = arena_alloc(a, (size_t)n + 1)) == NULL)
		goto out;
	if (fread(*buf, 1, (size_t)n, fp) != (size_t)n)
		goto out;
	*len = (size_t)n;
	rc = 0;
out:
	if (fp)
		fclose(fp);
	unlink(path);
	return rc;
}

/* A fresh name for a temporary file in tmpdir (created, then closed). */
static char *
temp_path(struct arena *a, const char *tmpdir, const char *ext)
{
	char *path = arena_printf(a, "%s/report-XXXXXX.%s", tmpdir, ext);
	int fd;

	if (path == NULL)
		return NULL;
	if ((fd = mkstemps(path, (int)strlen(ext) + 1)) < 0) {
		log_error("reports: mkstemps %s: %s", path, strerror(errno));
		return NULL;
	}
	close(fd);
	return path;
}

/* Closes a memory stream and copies what it holds into the arena. */
static int
close_memstream(FILE *fp, char **mem, size_t *n, struct arena *a, char **buf,
    size_t *len)
{
	int rc = -1;

	/* open_memstream publishes the final pointer and size at fclose */
	if (fclose(fp) != 0 || *mem == NULL)
		goto out;
	if ((*buf = arena_alloc(a, *n + 1)) == NULL)
		goto out;
	memcpy(*buf, *mem, *n);
	*len = *n;
	rc = 0;
out:
	free(*mem);
	*mem = NULL;
	if (rc < 0)
		log_error("reports: cannot render the report in memory");
	return rc;
}

/* One export path for both kinds: exactly one of c and st is set. */
static int
export_report(const struct class_report *c, const struct student_report *st,
    int fmt, const char *tmpdir, struct arena *a, char **buf, size_t *len)
{
	char *mem = NULL, *path;
	size_t n = 0;
	FILE *fp;
	int rc;

	if (fmt == REPORT_XLSX) {
		if ((path = temp_path(a, tmpdir, "xlsx")) == NULL)
			return -1;
		rc = c ? xlsx_class(path, tmpdir, c)
		       : xlsx_student(path, tmpdir, st);
		if (rc < 0) {
			unlink(path);
			return -1;
		}
		return slurp_unlink(path, a, buf, len);
	}
	if ((fp = open_memstream(&mem, &n)) == NULL)
		return -1;
	if (fmt == REPORT_EDFI)
		rc = c ? csvout_edfi_class(fp, c) : csvout_edfi_student(fp, st);
	else
		rc = c ? csvout_class(fp, c) : csvout_student(fp, st);
	if (rc < 0) {
		fclose(fp);
		free(mem);
		return -1;
	}
	return close_memstream(fp, &mem, &n, a, buf, len);
}

int
reports_export_class(const struct class_report *rep, int fmt,
    const char *tmpdir, struct arena *a, char **buf, size_t *len)
{
	return export_report(rep, NULL, fmt, tmpdir, a, buf, len);
}

int
reports_export_student(const struct student_report *rep, int fmt,
    const char *tmpdir, struct arena *a, char **buf, size_t *len)
{
	return export_report(NULL, rep, fmt, tmpdir, a, buf, len);
}

/* --- low-attendance warnings --- */

/* Queues the notice to every active device of the student. */
static int
queue_warning(struct db *db, struct arena *a, const char *email,
    long long subject_id, const char *course, int held, int present, long thr)
{
	struct db_rows devs;
	char key[32], sid[24], pct[16], th[16];
	double p = attstats_percent(present, held);
	json_t *msg;
	int rc, i;

	rc = db_query(db, a, &devs,
	    "SELECT device_id FROM device WHERE user_email = ? "
	    "AND role = 'student' AND active = 1 AND approval = 'ACTIVE'",
	    "s", email);
	if (rc != DB_OK)
		return rc;
	snprintf(key, sizeof(key), "low-%lld", subject_id);
	snprintf(sid, sizeof(sid), "%lld", subject_id);
	snprintf(pct, sizeof(pct), "%.1f", p);
	snprintf(th, sizeof(th), "%ld", thr);
	for (i = 0; i < devs.nrows; i++) {
		msg = json_pack("{s:{s:s,s:s},s:{s:s,s:s,s:s,s:s,s:s}}",
		    "notification", "title", "Low attendance", "body",
		    arena_printf(a,
			"Your attendance in %s is %s%%, below "
			"%s%%.",
			course ? course : "a subject", pct, th),
		    "data", "kind", "low_attendance", "subject_id", sid,
		    "course_name", course ? course : "", "percent", pct,
		    "threshold", th);
		/* a warning stays worth reading for a few days */
		rc = outbox_add(db, "push.low_attendance",
		    db_get_int(&devs, i, 0), key, msg,
		    ((long long)time(NULL) + 3 * 86400) * 1000);
		if (rc != DB_OK)
			return rc;
	}
	return DB_OK;
}

/* One flip in its own transaction; *flipped is 1 if this run made it. */
static int
flip(struct db *db, struct arena *a, const char *email, long long subject_id,
    int below, const char *course, int held, int present, long thr,
    int *flipped)
{
	int rc;

	*flipped = 0;
	if ((rc = db_begin(db)) != DB_OK)
		return rc;
	rc = db_exec(db,
	    "INSERT IGNORE INTO attendance_warning (student_email, subject_id, "
	    "below) VALUES (?, ?, 0)",
	    "sI", email, subject_id);
	if (rc != DB_OK)
		goto fail;
	/* conditional: of two concurrent checks only one changes the row */
	rc = db_exec(db,
	    "UPDATE attendance_warning SET below = ?, changed_at = NOW(3) "
	    "WHERE student_email = ? AND subject_id = ? AND below = ?",
	    "isIi", below, email, subject_id, !below);
	if (rc != DB_OK)
		goto fail;
	if (db_affected(db) == 1) {
		*flipped = 1;
		if (below &&
		    (rc = queue_warning(db, a, email, subject_id, course, held,
			 present, thr)) != DB_OK)
			goto fail;
	}
	return db_commit(db);
fail:
	db_rollback(db);
	*flipped = 0;
	return rc;
}

/* Held sessions before a low percentage is worth a notice. */
#define WARN_MIN_HELD 3

int
reports_check_warnings(struct db *db, struct arena *a, const struct config *cfg,
    long long subject_id, int *flipped_down)
{
	struct db_rows rows;
	char from_s[ATTSTATS_DATE_LEN], to_s[ATTSTATS_DATE_LEN];
	long today = attstats_today(), days = cfg->report_days, thr;
	int rc, i, held, present, was, now, flipped, n = 0;

	thr = threshold(cfg);
	days = days < 1 ? 1 : days > 400 ? 400 : days;
	attstats_format_date(today - days, from_s);
	attstats_format_date(today, to_s);
	/*
	 * Every counted mark in scope, grouped per (student, subject), with
	 * the flag as it stands; the same counting rules as the reports.
	 */
	rc = db_query(db, a, &rows,
	    "SELECT st.student_email, p.subject_id, COUNT(*), "
	    "SUM(a.status = 'P'), COALESCE(MAX(w.below), 0), "
	    "MAX(co.course_name) "
	    "FROM attendance a JOIN session se ON se.session_id = a.session_id "
	    "JOIN period p ON p.period_id = se.period_id "
	    "JOIN student st ON st.student_email = a.student_email "
	    "JOIN subject sj ON sj.subject_id = p.subject_id "
	    "AND sj.class_id = st.class_id "
	    "JOIN course co ON co.course_id = sj.course_id "
	    "LEFT JOIN attendance_warning w ON w.student_email = "
	    "st.student_email AND w.subject_id = p.subject_id "
	    "WHERE se.date BETWEEN ? AND ? "
	    "AND (st.joined_on IS NULL OR se.date >= st.joined_on) "
	    "AND (? = 0 OR p.subject_id = ?) "
	    "GROUP BY st.student_email, p.subject_id",
	    "ssII", from_s, to_s, subject_id, subject_id);
	if (rc != DB_OK)
		return rc;
	for (i = 0; i < rows.nrows; i++) {
		held = (int)db_get_int(&rows, i, 2);
		present = (int)db_get_int(&rows, i, 3);
		was = db_get_int(&rows, i, 4) != 0;
		/* One missed class is not a trend: warn from the third on. */
		now =
		    held >= WARN_MIN_HELD && attstats_below(present, held, thr);
		if (was == now)
			continue;
		rc = flip(db, a, db_get(&rows, i, 0), db_get_int(&rows, i, 1),
		    now, db_get(&rows, i, 5), held, present, thr, &flipped);
		if (rc != DB_OK) {
			log_error("reports: warning flip failed for %s/%lld",
			    db_get(&rows, i, 0), db_get_int(&rows, i, 1));
			return rc;
		}
		if (flipped && now)
			n++;
	}
	if (flipped_down)
		*flipped_down = n;
	return DB_OK;
}

int
reports_warn_after_session(struct db *db, struct arena *a,
    const struct config *cfg, long long session_id)
{
	struct db_rows rows;
	int rc, n = 0;

	rc = db_query_one(db, a, &rows,
	    "SELECT p.subject_id FROM session se JOIN period p "
	    "ON p.period_id = se.period_id WHERE se.session_id = ?",
	    "I", session_id);
	if (rc == DB_OK)
		rc = reports_check_warnings(db, a, cfg, db_get_int(&rows, 0, 0),
		    &n);
	if (rc != DB_OK)
		log_error("reports: warnings after session %lld failed (%d)",
		    session_id, rc);
	else if (n)
		log_info("reports: %d low-attendance warning(s) after session "
			 "%lld",
		    n, session_id);
	return rc;
}
