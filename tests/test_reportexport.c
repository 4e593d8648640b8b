/*
 * test_reportexport.c - a hand-made report exported in each file format
 * into arena memory (fcgi/reports/reportexport.c): the bytes start as the
 * format does, nothing is left in the temporary directory, and a
 * directory that cannot take the file is a clean -1.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "report.h"
#include "reportexport.h"

static struct rep_session sessions[] = {
	{ 11, 0, "2025-01-06", 1 },
	{ 12, 0, "2025-01-07", 2 },
};
static struct rep_student students[] = {
	{ "a@x.edu", "Asha", "01", NULL, { 2, 1, 1, 0 }, 50.0, 1, 1, 1, 1 },
	{ "b@x.edu", "Bo", "02", NULL, { 2, 2, 0, 0 }, 100.0, 0, 0, -1, -1 },
};
static struct rep_subject_line lines[] = {
	{ { 7, 3, "CS101", "Programming", "t@x.edu", "CSE", "2024", "A", 3 },
	    { 2, 1, 1, 0 }, 50.0, 1 },
};
static struct rep_day days[] = {
	{ 11, "2025-01-06", 1, 0, 'P', "OTP", NULL, NULL },
	{ 12, "2025-01-07", 2, 0, 'A', "TIMEOUT", "ill", NULL },
};

static char dir[64];
static struct arena *arena;

static void
setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/ehz-export.XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	arena = arena_new(1 << 20);
}

static void
teardown(void)
{
	rmdir(dir);
	arena_free(arena);
}

TestSuite(reportexport, .init = setup, .fini = teardown);

static void
fill_class(struct class_report *rep)
{
	memset(rep, 0, sizeof(*rep));
	rep->subj = lines[0].subj;
	strcpy(rep->from_s, "2025-01-01");
	strcpy(rep->to_s, "2025-01-31");
	rep->threshold = 75;
	rep->nsessions = 2;
	rep->nstudents = 2;
	rep->sessions = sessions;
	rep->students = students;
	rep->cells = "PAPP";
	rep->sources = "OTOO";
	rep->nat_risk = 1;
}

static void
fill_student(struct student_report *rep)
{
	memset(rep, 0, sizeof(*rep));
	rep->email = "a@x.edu";
	rep->name = "Asha";
	rep->roll_no = "01";
	rep->class_id = 3;
	strcpy(rep->from_s, "2025-01-01");
	strcpy(rep->to_s, "2025-01-31");
	rep->threshold = 75;
	rep->nsubjects = 1;
	rep->subjects = lines;
	rep->ndays = 2;
	rep->days = days;
}

/* Files left in dir (the export must remove its temporary files). */
static int
files_in_dir(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	cr_assert_not_null(d);
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

struct format_case {
	int fmt, student;
	char starts[8]; /* the first bytes ("PK" for a zip) */
	char contains[24];
};

static struct format_case formats[] = {
	{ REPORT_CSV, 0, "", "Asha" },
	{ REPORT_CSV, 1, "", "CS101" },
	{ REPORT_EDFI, 0, "", "a@x.edu" },
	{ REPORT_EDFI, 1, "", "a@x.edu" },
	{ REPORT_XLSX, 0, "PK", "" },
	{ REPORT_XLSX, 1, "PK", "" },
};

ParameterizedTestParameters(reportexport,
    each_format_lands_in_memory_and_no_file_stays)
{
	return cr_make_param_array(struct format_case, formats,
	    sizeof(formats) / sizeof(formats[0]));
}

ParameterizedTest(struct format_case *c, reportexport,
    each_format_lands_in_memory_and_no_file_stays)
{
	struct class_report cr;
	struct student_report sr;
	char *buf = NULL;
	size_t len = 0;
	int rc;

	fill_class(&cr);
	fill_student(&sr);
	rc = c->student
	    ? reportexport_student(&sr, c->fmt, dir, arena, &buf, &len)
	    : reportexport_class(&cr, c->fmt, dir, arena, &buf, &len);
	cr_assert_eq(rc, 0, "format %d", c->fmt);
	cr_assert_gt(len, 20);
	cr_assert_eq(memcmp(buf, c->starts, strlen(c->starts)), 0);
	if (c->contains[0]) {
		buf[len] = '\0';
		cr_assert_not_null(strstr(buf, c->contains), "%s", buf);
	}
	cr_assert_eq(files_in_dir(), 0, "the temporary file is gone");
}

Test(reportexport, a_directory_that_is_not_there_is_a_clean_failure)
{
	struct class_report cr;
	char *buf = NULL;
	size_t len = 0;

	fill_class(&cr);
	cr_assert_eq(reportexport_class(&cr, REPORT_XLSX, "/nonexistent/ehz",
			 arena, &buf, &len),
	    -1);
	cr_assert_null(
	    reportexport_temp_path(arena, "/nonexistent/ehz", "xlsx"));
	cr_assert_eq(reportexport_slurp_unlink("/nonexistent/ehz/f", arena,
			 &buf, &len),
	    -1);
}

Test(reportexport, the_temporary_directory_is_made_under_the_state_directory)
{
	struct config cfg;
	const char *tmp;
	char expect[96];

	memset(&cfg, 0, sizeof(cfg));
	cfg.state = dir;
	tmp = reportexport_tmpdir(arena, &cfg);
	snprintf(expect, sizeof(expect), "%s/tmp", dir);
	cr_assert_str_eq(tmp, expect);
	cr_assert_eq(access(tmp, W_OK), 0);
	/* again: it is there already, which is fine */
	cr_assert_str_eq(reportexport_tmpdir(arena, &cfg), expect);
	cr_assert_eq(rmdir(tmp), 0);
}

/* The text of member of the zip in buf (unzip -p), malloc'd. */
static char *
unzip_member(const char *buf, size_t len, const char *member)
{
	char path[96], cmd[256], *out = NULL;
	size_t n = 0;
	FILE *f, *p;

	snprintf(path, sizeof(path), "%s/book.xlsx", dir);
	cr_assert_not_null(f = fopen(path, "wb"));
	cr_assert_eq(fwrite(buf, 1, len, f), len);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "unzip -p '%s' '%s'", path, member);
	cr_assert_not_null(p = popen(cmd, "r"));
	f = open_memstream(&out, &n);
	for (int c; (c = fgetc(p)) != EOF;)
		fputc(c, f);
	fclose(f);
	cr_assert_eq(pclose(p), 0, "unzip %s", member);
	unlink(path);
	return out;
}

/* The text of the Register's cell ref (a shared string), static. */
static const char *
cell_text(const char *sheet, const char *strings, const char *ref)
{
	static char text[32];
	char key[24];
	const char *c, *si;
	int idx, i;

	snprintf(key, sizeof(key), "<c r=\"%s\"", ref);
	cr_assert_not_null(c = strstr(sheet, key), "no cell %s", ref);
	cr_assert_not_null(c = strstr(c, "<v>"), "cell %s has no value", ref);
	idx = atoi(c + 3);
	for (si = strings, i = 0; i <= idx; i++)
		cr_assert_not_null(si = strstr(si + 1, "<si>"), "string %d",
		    idx);
	cr_assert_eq(sscanf(si, "<si><t>%31[^<]", text), 1, "%.40s", si);
	return text;
}

/*
 * The slow mark (slowmark.c) in the workbook: a slow P is "P*" and a slow
 * R is "R*" in the Register sheet, with the note, and the legend says
 * what the star means; a mark that is not slow has no star.
 */
Test(reportexport, the_workbook_stars_the_slow_marks_and_explains_them)
{
	static const char slow[] = { 0, 1, 1, 0 }; /* Asha 2nd, Bo 1st */
	struct class_report cr;
	char *buf = NULL, *strings, *sheet, *notes;
	size_t len = 0;

	fill_class(&cr);
	cr.cells = "PRPA";
	cr.slow = (char *)slow;
	cr_assert_eq(reportexport_class(&cr, REPORT_XLSX, dir, arena, &buf,
			 &len),
	    0);
	strings = unzip_member(buf, len, "xl/sharedStrings.xml");
	cr_assert(strstr(strings, ">R*<"), "%s", strings);
	cr_assert(strstr(strings, ">P*<"), "%s", strings);
	cr_assert(strstr(strings, "slow - possibly relayed"), "%s", strings);
	/* exactly two starred cells: the slow ones */
	sheet = unzip_member(buf, len, "xl/worksheets/sheet1.xml");
	notes = unzip_member(buf, len, "xl/comments1.xml");
	cr_assert(strstr(notes, "far slower than the class"), "%s", notes);
	cr_assert(strstr(notes, "ref=\"D3\"") && strstr(notes, "ref=\"C4\""),
	    "%s", notes);
	/* Asha row 3, Bo row 4; the sessions in C and D */
	cr_expect_str_eq(cell_text(sheet, strings, "C3"), "P");
	cr_expect_str_eq(cell_text(sheet, strings, "D3"), "R*");
	cr_expect_str_eq(cell_text(sheet, strings, "C4"), "P*");
	cr_expect_str_eq(cell_text(sheet, strings, "D4"), "A");
	free(strings);
	free(sheet);
	free(notes);
	cr_assert_eq(files_in_dir(), 0, "the temporary file is gone");
}
