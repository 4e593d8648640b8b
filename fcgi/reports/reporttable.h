/*
 * reporttable.h - a plain table (named columns, rows of strings) and its
 * exports: the dashboard's views and the admin CLI's lists share it.
 */
#ifndef EHZ_REPORTTABLE_H
#define EHZ_REPORTTABLE_H

#include <stddef.h>
#include <stdio.h>

#include "arena.h"

struct report_table {
	const char *title; /* the sheet's title line */
	int ncols, nrows;
	const char **cols; /* column names */
	const char *kinds; /* per column: 's' text, 'i' integer, 'f' number */
	char **cells;      /* nrows * ncols, NULL for none */
};

/* The cell, "" for NULL. */
const char *reporttable_cell(const struct report_table *t, int row, int col);
/* CSV (RFC 4180, formula-safe) with a header row.  0 or -1. */
int reporttable_csv(FILE *fp, const struct report_table *t);
/* JSON text: an array of objects, numbers as numbers.  0 or -1. */
int reporttable_json(FILE *fp, const struct report_table *t);
/* An XLSX workbook at path, one sheet, header frozen.  0 or -1. */
int reporttable_xlsx(const char *path, const char *tmpdir,
    const struct report_table *t);
/* CSV or XLSX (REPORT_CSV, REPORT_XLSX) into arena memory.  0 or -1. */
int reporttable_export(const struct report_table *t, int fmt,
    const char *tmpdir, struct arena *a, char **buf, size_t *len);

#endif
