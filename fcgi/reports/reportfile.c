/*
 * reportfile.c - the file formats of reports: the format names of the
 * query string, MIME types, extensions and safe download names.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "reportfile.h"

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
reportfile_format(const char *s)
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
reportfile_mime(int fmt)
{
	return fmt >= 0 && fmt < NFORMATS ? formats[fmt].mime : "";
}

const char *
reportfile_ext(int fmt)
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
reportfile_class_name(struct arena *a, const struct class_report *rep, int fmt)
{
	const struct rep_subject *s = &rep->subj;

	return safe_name(
	    arena_printf(a, "attendance_%s-%s-S%d-%s_%s%s_%s_%s.%s",
		s->department ? s->department : "", s->batch ? s->batch : "",
		s->semester, s->section ? s->section : "", s->course_id,
		fmt == REPORT_EDFI ? "_edfi" : "", rep->from_s, rep->to_s,
		reportfile_ext(fmt)));
}

char *
reportfile_student_name(struct arena *a, const struct student_report *rep,
    int fmt)
{
	return safe_name(arena_printf(a, "attendance_%s%s_%s_%s.%s",
	    rep->roll_no ? rep->roll_no : "student",
	    fmt == REPORT_EDFI ? "_edfi" : "", rep->from_s, rep->to_s,
	    reportfile_ext(fmt)));
}
