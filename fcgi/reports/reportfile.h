/*
 * reportfile.h - report formats: names, MIME types, extensions, download names.
 */
#ifndef EHZ_REPORTFILE_H
#define EHZ_REPORTFILE_H

#include "arena.h"
#include "report.h"

/* "json", "csv", "xlsx", "edfi" -> REPORT_*, or -1. */
int reportfile_format(const char *s);
/* The MIME type and file extension of a non-JSON format. */
const char *reportfile_mime(int fmt);
const char *reportfile_ext(int fmt);
/*
 * A download name: "attendance_<what>_<from>_<to>.<ext>", reduced to
 * [A-Za-z0-9._-].  Arena memory.
 */
char *
reportfile_class_name(struct arena *a, const struct class_report *rep, int fmt);
char *reportfile_student_name(struct arena *a, const struct student_report *rep,
    int fmt);

#endif
