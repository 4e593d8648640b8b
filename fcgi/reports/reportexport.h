/*
 * reportexport.h - rendering a report into a file format in memory.
 */
#ifndef EHZ_REPORTEXPORT_H
#define EHZ_REPORTEXPORT_H

#include <stddef.h>

#include "arena.h"
#include "report.h"

struct config;

/*
 * Renders a report in a file format (CSV, XLSX, EDFI) into arena memory.
 * XLSX goes through a temporary file in tmpdir, removed before returning.
 * 0, or -1 (logged).
 */
int reportexport_class(const struct class_report *rep, int fmt,
    const char *tmpdir, struct arena *a, char **buf, size_t *len);
int reportexport_student(const struct student_report *rep, int fmt,
    const char *tmpdir, struct arena *a, char **buf, size_t *len);
/* A fresh temporary file in tmpdir ending in .ext (created, closed). */
char *
reportexport_temp_path(struct arena *a, const char *tmpdir, const char *ext);
/* Reads path into the arena and removes it.  0 or -1. */
int reportexport_slurp_unlink(const char *path, struct arena *a, char **buf,
    size_t *len);
/* STATE/tmp, created if missing; arena memory. */
const char *reportexport_tmpdir(struct arena *a, const struct config *cfg);

#endif
