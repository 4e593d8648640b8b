/*
 * import.c - `ehazira-admin import KIND FILE`: the institution's lists
 * from CSV into the ten tables.
 *
 * Each file has a header row naming its columns (any order; see KINDS).
 * Rows refer to each other by natural keys - a department by name, a
 * class by (department, batch, semester, section), a subject by (course,
 * class) - so a file means the same thing on every installation.  Every
 * row is an upsert, so importing a file twice changes nothing.  The whole
 * file is one transaction: every bad row is reported as FILE:LINE: reason
 * and if there is any, nothing is applied.  Values always travel as
 * statement parameters.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "admin.h"
#include "buf.h"
#include "classpolicy.h"
#include "policycheck.h"
#include "db.h"
#include "mailmsg.h"
#include "periodfence.h"

#define MAX_COLS 24

struct row {
	int line;
	int n;
	char *f[MAX_COLS];
};

struct csv {
	struct row *rows;
	int nrows;
	const char *cols[MAX_COLS]; /* from the header */
	int ncols;
};

struct ctx {
	struct admin *ad;
	struct csv *csv;
	struct row *row;
	char err[1024]; /* every problem of the row, "; "-separated */
	int nerr;
};

/* The value of column name in the current row, or NULL when absent. */
static const char *
col(struct ctx *c, const char *name)
{
	int i;

	for (i = 0; i < c->csv->ncols; i++)
		if (strcmp(c->csv->cols[i], name) == 0)
			return i < c->row->n ? c->row->f[i] : "";
	return NULL;
}

/*
 * Records a problem of the row and goes on: a row reports all of its
 * problems at once (a fixed file then imports at the next try).
 */
static int __attribute__((format(printf, 2, 3)))
fail(struct ctx *c, const char *fmt, ...)
{
	size_t used = strlen(c->err);
	va_list ap;

	if (used && used + 2 < sizeof(c->err)) {
		strcpy(c->err + used, "; ");
		used += 2;
	}
	va_start(ap, fmt);
	vsnprintf(c->err + used, sizeof(c->err) - used, fmt, ap);
	va_end(ap);
	c->nerr++;
	return -1;
}

/* A required, non-empty column. */
static const char *
need(struct ctx *c, const char *name)
{
	const char *v = col(c, name);

	if (v == NULL || *v == '\0') {
		fail(c, "'%s' is empty", name);
		return NULL;
	}
	if (strlen(v) > 190) {
		fail(c, "'%s' is too long", name);
		return NULL;
	}
	return v;
}

static int
to_int(struct ctx *c, const char *name, long lo, long hi, long *out)
{
	const char *v = need(c, name);
	char *end;

	if (v == NULL)
		return -1;
	*out = strtol(v, &end, 10);
	if (*end != '\0' || *out < lo || *out > hi)
		return fail(c, "'%s' must be %ld..%ld", name, lo, hi);
	return 0;
}

/* verified column: optional; -1 when absent. */
static int
to_bool(struct ctx *c, const char *name, int *out)
{
	const char *v = col(c, name);

	*out = -1;
	if (v == NULL || *v == '\0')
		return 0;
	if (!strcasecmp(v, "1") || !strcasecmp(v, "yes") ||
	    !strcasecmp(v, "true"))
		*out = 1;
	else if (!strcasecmp(v, "0") || !strcasecmp(v, "no") ||
	    !strcasecmp(v, "false"))
		*out = 0;
	else
		return fail(c, "'%s' must be 1/0, yes/no or true/false", name);
	return 0;
}

/* An e-mail, lowercased in place. */
static const char *
email(struct ctx *c, const char *name)
{
	char *v = (char *)need(c, name), *p;

	if (v == NULL)
		return NULL;
	for (p = v; *p; p++) {
		if (isspace((unsigned char)*p) || *p == ',' || *p == ';') {
			fail(c, "'%s' is not an e-mail address", v);
			return NULL;
		}
		*p = (char)tolower((unsigned char)*p);
	}
	p = strchr(v, '@');
	if (p == NULL || p == v || strchr(p, '.') == NULL) {
		fail(c, "'%s' is not an e-mail address", v);
		return NULL;
	}
	return v;
}

static int
sql_fail(struct ctx *c, int rc, const char *what)
{
	if (rc == DB_FK)
		return fail(c, "%s refers to something that does not exist",
		    what);
	if (rc == DB_CONFLICT)
		return fail(c, "%s clashes with an existing row", what);
	return fail(c, "the database refused %s (see log)", what);
}

static long long
department_id(struct ctx *c, const char *col_name)
{
	const char *name = need(c, col_name);
	struct db_rows r;
	int rc;

	if (name == NULL)
		return -1;
	rc = db_query_one(c->ad->db, c->ad->arena, &r,
	    "SELECT department_id FROM department WHERE department_name = ?",
	    "s", name);
	if (rc == DB_NOTFOUND)
		return fail(c, "unknown department '%s'", name);
	if (rc != DB_OK)
		return sql_fail(c, rc, "the department lookup");
	return db_get_int(&r, 0, 0);
}

static long long
class_id(struct ctx *c)
{
	int before = c->nerr;
	long long dep = department_id(c, "department");
	const char *batch, *section;
	long sem;
	struct db_rows r;
	int rc;

	batch = need(c, "batch");
	to_int(c, "semester", 1, 12, &sem);
	section = need(c, "section");
	if (dep < 0 || c->nerr > before)
		return -1;
	rc = db_query_one(c->ad->db, c->ad->arena, &r,
	    "SELECT class_id FROM class WHERE department_id = ? AND batch = ? "
	    "AND semester = ? AND section = ?",
	    "Isis", dep, batch, (int)sem, section);
	if (rc == DB_NOTFOUND)
		return fail(c, "unknown class %s/%ld/%s", batch, sem, section);
	if (rc != DB_OK)
		return sql_fail(c, rc, "the class lookup");
	return db_get_int(&r, 0, 0);
}

static int
do_department(struct ctx *c)
{
	const char *name = need(c, "department_name");
	int rc;

	if (name == NULL)
		return -1;
	rc = db_exec(c->ad->db,
	    "INSERT INTO department (department_name) "
	    "VALUES (?) ON DUPLICATE KEY UPDATE department_name = "
	    "department_name",
	    "s", name);
	return rc == DB_OK ? 0 : sql_fail(c, rc, "the department");
}

/*
 * The optional policy columns (classpolicy_keys): present, allowed_cidrs
 * is the list (empty: anywhere); any other empty cell leaves its value.  Each
 * change is audited (classpolicy.c) and applies from the next window.
 */
static int
class_policy(struct ctx *c)
{
	long long id = 0;
	size_t i;
	int set = 0;

	for (i = 0; classpolicy_keys[i]; i++) {
		const char *v = col(c, classpolicy_keys[i]);

		if (v == NULL ||
		    (*v == '\0' &&
			strcmp(classpolicy_keys[i], "allowed_cidrs") != 0))
			continue;
		if ((id = class_id(c)) < 0 ||
		    classpolicy_set(c->ad->db, c->ad->arena, id,
			classpolicy_keys[i], v, "admin", c->err,
			sizeof(c->err)) < 0)
			return -1;
		set = 1;
	}
	/* the row's values together: rotation against ttl, geofence */
	if (set &&
	    policycheck_class(c->ad->db, c->ad->arena, c->ad->cfg, id, c->err,
		sizeof(c->err)) < 0)
		return -1;
	return 0;
}

static int
do_class(struct ctx *c)
{
	long long dep = department_id(c, "department");
	const char *batch, *section;
	long sem;
	int rc;

	batch = need(c, "batch");
	to_int(c, "semester", 1, 12, &sem);
	section = need(c, "section");
	if (batch && section && (strlen(batch) > 32 || strlen(section) > 16))
		fail(c, "%s is too long", "batch or section");
	if (dep < 0 || c->nerr)
		return -1;
	rc = db_exec(c->ad->db,
	    "INSERT INTO class (department_id, batch, "
	    "semester, section) VALUES (?, ?, ?, ?) ON DUPLICATE KEY UPDATE "
	    "batch = VALUES(batch)",
	    "Isis", dep, batch, (int)sem, section);
	return rc == DB_OK ? class_policy(c) : sql_fail(c, rc, "the class");
}

static int
do_course(struct ctx *c)
{
	const char *id = need(c, "course_id"), *name;
	int rc;

	name = need(c, "course_name");
	if (id && strlen(id) > 32)
		fail(c, "'%s' is too long", "course_id");
	if (c->nerr)
		return -1;
	rc = db_exec(c->ad->db,
	    "INSERT INTO course (course_id, course_name) "
	    "VALUES (?, ?) ON DUPLICATE KEY UPDATE course_name = "
	    "VALUES(course_name)",
	    "ss", id, name);
	return rc == DB_OK ? 0 : sql_fail(c, rc, "the course");
}

static int
do_teacher(struct ctx *c)
{
	const char *e = email(c, "teacher_email"), *name, *title, *role;
	long long dep;
	int ver, rc;

	name = need(c, "name");
	dep = department_id(c, "department");
	to_bool(c, "verified", &ver);
	/* role: teacher (default), head (of the department) or admin */
	role = col(c, "role");
	if (role && *role == '\0')
		role = NULL;
	if (role && strcmp(role, "teacher") != 0 && strcmp(role, "head") != 0 &&
	    strcmp(role, "admin") != 0)
		fail(c, "'role' must be teacher, head or admin");
	if (e == NULL || dep < 0 || c->nerr)
		return -1;
	title = col(c, "designation");
	rc = db_exec(c->ad->db,
	    "INSERT INTO teacher (teacher_email, name, "
	    "designation, department_id, verified, role) "
	    "VALUES (?, ?, ?, ?, ?, COALESCE(?, 'teacher')) "
	    "ON DUPLICATE KEY UPDATE name = VALUES(name), designation = "
	    "VALUES(designation), department_id = VALUES(department_id), "
	    "verified = IF(? < 0, verified, VALUES(verified)), "
	    "role = IF(? IS NULL, role, VALUES(role))",
	    "sssIisis", e, name, title ? title : "", dep, ver > 0, role, ver,
	    role);
	return rc == DB_OK ? 0 : sql_fail(c, rc, "the teacher");
}

/*
 * The optional guardian_email column: absent keeps what is stored, empty
 * clears it, else it must be an address the mail relay accepts
 * (mailmsg.c), lowercased.  *given is 1 when the column is there.
 */
static const char *
guardian(struct ctx *c, int *given)
{
	char *v = (char *)col(c, "guardian_email"), *p;

	*given = v != NULL;
	if (v == NULL || *v == '\0')
		return NULL;
	for (p = v; *p; p++) {
		if ((unsigned char)*p < 0x20) /* never echo a line break */
			return fail(c,
				   "guardian_email has a line break or "
				   "control character"),
			       NULL;
		*p = (char)tolower((unsigned char)*p);
	}
	if (!mailmsg_addr_valid(v)) {
		fail(c,
		    "guardian_email '%s' is not an e-mail address "
		    "(name@example.org, no spaces or names)",
		    v);
		return NULL;
	}
	return v;
}

static int
do_student(struct ctx *c)
{
	const char *e = email(c, "student_email"), *name, *roll, *joined, *g;
	long long cls;
	int ver, rc, g_given;

	name = need(c, "name");
	roll = need(c, "roll_no");
	cls = class_id(c);
	to_bool(c, "verified", &ver);
	if (roll && strlen(roll) > 32)
		fail(c, "'%s' is too long", "roll_no");
	joined = col(c, "joined_on");
	if (joined && *joined == '\0')
		joined = NULL;
	if (joined &&
	    (strlen(joined) != 10 || joined[4] != '-' || joined[7] != '-'))
		fail(c, "'%s' must be YYYY-MM-DD", "joined_on");
	g = guardian(c, &g_given);
	if (e == NULL || cls < 0 || c->nerr)
		return -1;
	rc = db_exec(c->ad->db,
	    "INSERT INTO student (student_email, name, "
	    "roll_no, class_id, verified, joined_on, guardian_email) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?) "
	    "ON DUPLICATE KEY UPDATE name = VALUES(name), roll_no = "
	    "VALUES(roll_no), class_id = VALUES(class_id), joined_on = "
	    "COALESCE(VALUES(joined_on), joined_on), "
	    "verified = IF(? < 0, verified, VALUES(verified)), "
	    "guardian_email = IF(?, VALUES(guardian_email), guardian_email)",
	    "sssIissii", e, name, roll, cls, ver > 0, joined, g, ver, g_given);
	if (rc == DB_CONFLICT)
		return fail(c,
		    "roll_no '%s' is taken in the class by another "
		    "student",
		    roll);
	return rc == DB_OK ? 0 : sql_fail(c, rc, "the student");
}

static int
do_subject(struct ctx *c)
{
	const char *course = need(c, "course_id"), *t;
	long long cls;
	int rc;

	cls = class_id(c);
	t = email(c, "teacher_email");
	if (course == NULL || cls < 0 || t == NULL || c->nerr)
		return -1;
	rc = db_exec(c->ad->db,
	    "INSERT INTO subject (course_id, class_id, "
	    "teacher_email) VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE "
	    "teacher_email = VALUES(teacher_email)",
	    "sIs", course, cls, t);
	if (rc == DB_FK)
		return fail(c, "unknown course or teacher in '%s'", course);
	return rc == DB_OK ? 0 : sql_fail(c, rc, "the subject");
}

static int
time_ok(const char *t)
{
	int h, m, s = 0, n = 0;

	if (t == NULL || *t == '\0')
		return 1;
	if (sscanf(t, "%d:%d%n", &h, &m, &n) < 2)
		return 0;
	if (t[n] == ':' && sscanf(t + n, ":%d%n", &s, &n) < 1)
		return 0;
	return h >= 0 && h < 24 && m >= 0 && m < 60 && s >= 0 && s < 60;
}

/* A geofence cell: absent or empty keeps what is stored (NULL). */
static const char *
fence_cell(struct ctx *c, const char *name)
{
	const char *v = col(c, name);

	return v && *v ? v : NULL;
}

/*
 * The optional geofence columns of a period (periodfence.c): its own
 * classroom's centre and radius; radius 0 is none in this period, "class"
 * the class's again.  Audited; applies from the next window.
 */
static int
period_fence(struct ctx *c, long long subject_id, int day, int no)
{
	const char *lat = fence_cell(c, "geofence_lat"),
		   *lon = fence_cell(c, "geofence_lon"),
		   *radius = fence_cell(c, "geofence_radius");
	struct db_rows r;
	char err[300];
	int rc;

	if (lat == NULL && lon == NULL && radius == NULL)
		return 0;
	rc = db_query_one(c->ad->db, c->ad->arena, &r,
	    "SELECT period_id FROM period WHERE subject_id = ? AND "
	    "day_of_week = ? AND period_no = ?",
	    "Iii", subject_id, day, no);
	if (rc != DB_OK)
		return sql_fail(c, rc, "the period lookup");
	rc = periodfence_set(c->ad->db, c->ad->arena, db_get_int(&r, 0, 0), lat,
	    lon, radius, "admin", err, sizeof(err));
	if (rc == PERIODFENCE_DB)
		return sql_fail(c, DB_ERR, "the period's geofence");
	return rc < 0 ? fail(c, "%s", err) : 0;
}

static int
do_period(struct ctx *c)
{
	const char *course = need(c, "course_id"), *st, *et;
	long long cls;
	long day, no;
	struct db_rows r;
	int rc;

	cls = class_id(c);
	to_int(c, "day_of_week", 1, 7, &day);
	to_int(c, "period_no", 1, 24, &no);
	st = col(c, "start_time");
	et = col(c, "end_time");
	if (!time_ok(st) || !time_ok(et))
		fail(c, "%s must be HH:MM", "start_time/end_time");
	if (course == NULL || cls < 0 || c->nerr)
		return -1;
	rc = db_query_one(c->ad->db, c->ad->arena, &r,
	    "SELECT subject_id "
	    "FROM subject WHERE course_id = ? AND class_id = ?",
	    "sI", course, cls);
	if (rc == DB_NOTFOUND)
		return fail(c, "no subject '%s' for the class", course);
	if (rc != DB_OK)
		return sql_fail(c, rc, "the subject lookup");
	rc = db_exec(c->ad->db,
	    "INSERT INTO period (subject_id, day_of_week, "
	    "period_no, start_time, end_time) VALUES (?, ?, ?, NULLIF(?, ''), "
	    "NULLIF(?, '')) ON DUPLICATE KEY UPDATE start_time = "
	    "VALUES(start_time), end_time = VALUES(end_time)",
	    "Iiiss", db_get_int(&r, 0, 0), (int)day, (int)no, st ? st : "",
	    et ? et : "");
	if (rc != DB_OK)
		return sql_fail(c, rc, "the period");
	return period_fence(c, db_get_int(&r, 0, 0), (int)day, (int)no);
}

static const struct kind {
	const char *name;
	int (*apply)(struct ctx *);
	const char *cols[MAX_COLS]; /* allowed; '*' prefix = required */
} kinds[] = {
	{ "departments", do_department, { "*department_name" } },
	{ "classes", do_class,
	    { "*department", "*batch", "*semester", "*section", "allowed_cidrs",
		"flag_on_focus_loss", "online_default", "window_ttl",
		"rotate_every", "rotate_overlap", "slow_margin_ms", "flag_slow",
		"geofence_lat", "geofence_lon", "geofence_radius",
		"geofence_accuracy", "geofence_missing", "require_uv" } },
	{ "courses", do_course, { "*course_id", "*course_name" } },
	{ "teachers", do_teacher,
	    { "*teacher_email", "*name", "designation", "*department",
		"verified", "role" } },
	{ "students", do_student,
	    { "*student_email", "*name", "*roll_no", "*department", "*batch",
		"*semester", "*section", "verified", "joined_on",
		"guardian_email" } },
	{ "subjects", do_subject,
	    { "*course_id", "*department", "*batch", "*semester", "*section",
		"*teacher_email" } },
	{ "periods", do_period,
	    { "*course_id", "*department", "*batch", "*semester", "*section",
		"*day_of_week", "*period_no", "start_time", "end_time",
		"geofence_lat", "geofence_lon", "geofence_radius" } },
};

#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))

/*
 * RFC 4180 CSV: quoted fields may hold commas, "" and newlines; CRLF or
 * LF; a UTF-8 BOM is skipped; blank lines are ignored.  -1 with the line
 * of an unterminated quote in *bad; -2 when the file does not fit in
 * memory (the arena's cap), with the line reached in *bad.
 */
static int
parse(char *s, struct arena *a, struct csv *out, int *bad)
{
	struct row cur = { 0 };
	char *field = arena_alloc(a, strlen(s) + 1);
	size_t fl = 0;
	int line = 1, cap = 64, inq = 0, quoted = 0;

	out->rows = malloc(sizeof(struct row) * (size_t)cap);
	out->nrows = 0;
	*bad = 1;
	if (field == NULL || out->rows == NULL)
		return -2;
	if (strncmp(s, "\xef\xbb\xbf", 3) == 0)
		s += 3;
	cur.line = 1;
	for (;; s++) {
		char ch = *s;

		if (inq) {
			if (ch == '\0') {
				*bad = cur.line;
				return -1;
			}
			if (ch == '"' && s[1] == '"')
				field[fl++] = *s++;
			else if (ch == '"')
				inq = 0;
			else
				field[fl++] = ch;
			line += ch == '\n';
			continue;
		}
		if (ch == '"' && fl == 0 && !quoted) {
			inq = quoted = 1;
			continue;
		}
		if (ch == '\r' && s[1] == '\n')
			continue;
		if (ch != ',' && ch != '\n' && ch != '\0') {
			field[fl++] = ch;
			continue;
		}
		/* end of a field */
		/* a full arena must not leave a NULL field behind */
		if (cur.n < MAX_COLS &&
		    (cur.f[cur.n] = arena_strndup(a, field, fl)) == NULL) {
			*bad = cur.line;
			return -2;
		}
		cur.n++;
		fl = 0;
		if (ch == ',') {
			quoted = 0;
			continue;
		}
		/* end of a record; a blank line is none */
		if (!(cur.n == 1 && cur.f[0][0] == '\0' && !quoted)) {
			if (out->nrows == cap) {
				struct row *more = realloc(out->rows,
				    sizeof(struct row) * (size_t)cap * 2);

				if (more == NULL) {
					*bad = cur.line;
					return -2;
				}
				out->rows = more;
				cap *= 2;
			}
			out->rows[out->nrows++] = cur;
		}
		if (ch == '\0')
			return 0;
		memset(&cur, 0, sizeof(cur));
		cur.line = ++line;
		quoted = 0;
	}
}

/* Checks the header against the kind; prints FILE:1: reasons. */
static int
header(const char *file, const struct kind *k, struct csv *csv)
{
	struct row *h = &csv->rows[0];
	int i, j, bad = 0, found;

	csv->ncols = h->n > MAX_COLS ? MAX_COLS : h->n;
	for (i = 0; i < csv->ncols; i++) {
		char *p;

		for (p = h->f[i]; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		csv->cols[i] = h->f[i];
		for (found = 0, j = 0; j < MAX_COLS && k->cols[j]; j++)
			found |= strcmp(k->cols[j] + (k->cols[j][0] == '*'),
				     h->f[i]) == 0;
		if (!found) {
			fprintf(stderr, "%s:%d: unknown column '%s' for %s\n",
			    file, h->line, h->f[i], k->name);
			bad++;
		}
	}
	for (j = 0; j < MAX_COLS && k->cols[j]; j++) {
		if (k->cols[j][0] != '*')
			continue;
		for (found = 0, i = 0; i < csv->ncols; i++)
			found |= strcmp(k->cols[j] + 1, csv->cols[i]) == 0;
		if (!found) {
			fprintf(stderr, "%s:%d: missing column '%s'\n", file,
			    h->line, k->cols[j] + 1);
			bad++;
		}
	}
	return bad;
}

/* The run's job_run row for the dashboard, after the import's own
 * transaction (a failed import is recorded too). */
static void __attribute__((format(printf, 4, 5)))
record(struct admin *ad, long long started, int ok, const char *fmt, ...)
{
	char summary[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(summary, sizeof(summary), fmt, ap);
	va_end(ap);
	if (admin_job_record_row(ad, "import", started, ok, summary) != DB_OK)
		fprintf(stderr, "import: the run was not recorded\n");
}

/* Every data row through k's apply; the number of bad rows (all printed). */
static int
apply_rows(struct admin *ad, const struct kind *k, struct csv *csv,
    const char *file)
{
	struct ctx c = { .ad = ad, .csv = csv };
	int i, bad = 0;

	for (i = 1; i < csv->nrows; i++) {
		c.row = &csv->rows[i];
		c.err[0] = '\0';
		c.nerr = 0;
		if (c.row->n != csv->ncols) {
			fprintf(stderr, "%s:%d: %d fields, the header has %d\n",
			    file, c.row->line, c.row->n, csv->ncols);
			bad++;
			continue;
		}
		if (k->apply(&c) < 0) {
			fprintf(stderr, "%s:%d: %s\n", file, c.row->line,
			    c.err[0] ? c.err : "bad row");
			bad++;
		}
	}
	return bad;
}

/* Reads and parses file with its header checked; 0 or -1 (printed). */
static int
read_csv(struct admin *ad, const struct kind *k, const char *file, char **text,
    struct csv *csv)
{
	int badline = 0, prc;

	if ((*text = buf_read_file(file, NULL)) == NULL) {
		fprintf(stderr, "import: cannot read '%s'\n", file);
		return -1;
	}
	if ((prc = parse(*text, ad->arena, csv, &badline)) < 0) {
		fprintf(stderr, "%s:%d: %s\n", file, badline,
		    prc == -1 ? "unterminated quoted field"
			      : "the file is too large to import");
		return -1;
	}
	if (csv->nrows == 0) {
		fprintf(stderr, "%s:1: no header row\n", file);
		return -1;
	}
	return header(file, k, csv) > 0 ? -1 : 0;
}

int
admin_import(struct admin *ad, int argc, char **argv)
{
	long long started = (long long)time(NULL);
	const struct kind *k = NULL;
	struct csv csv = { 0 };
	char *text = NULL;
	int bad, rc = 1;
	size_t j;

	for (j = 0; argc == 3 && j < NKINDS; j++)
		if (strcmp(kinds[j].name, argv[1]) == 0)
			k = &kinds[j];
	if (k == NULL) {
		fprintf(stderr,
		    "usage: ehazira-admin import KIND FILE\n"
		    "KIND: departments classes courses subjects "
		    "periods teachers students\n");
		return 2;
	}
	if (read_csv(ad, k, argv[2], &text, &csv) < 0)
		goto out;
	if (db_begin(ad->db) != DB_OK) {
		fprintf(stderr, "import: cannot reach the database\n");
		goto out;
	}
	if ((bad = apply_rows(ad, k, &csv, argv[2])) != 0) {
		db_rollback(ad->db);
		fprintf(stderr,
		    "import: %d bad row%s in '%s'; nothing was imported\n", bad,
		    bad == 1 ? "" : "s", argv[2]);
		record(ad, started, 0, "%s %s: %d bad row%s, nothing applied",
		    k->name, argv[2], bad, bad == 1 ? "" : "s");
		goto out;
	}
	if (db_commit(ad->db) != DB_OK) {
		db_rollback(ad->db);
		fprintf(stderr,
		    "import: commit failed; nothing was imported\n");
		record(ad, started, 0, "%s %s: commit failed", k->name,
		    argv[2]);
		goto out;
	}
	printf("import: %d %s from '%s' applied\n", csv.nrows - 1, k->name,
	    argv[2]);
	record(ad, started, 1, "%s %s: %d rows applied", k->name, argv[2],
	    csv.nrows - 1);
	rc = 0;
out:
	free(csv.rows);
	free(text);
	return rc;
}
