/*
 * reporttable.c - a plain table in CSV, JSON and XLSX.  The dashboard's
 * views are tables the database already aggregated; rendering them is the
 * same whatever the view, so one writer serves all of them (and the admin
 * CLI's lists).
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "log.h"
#include "report.h"
#include "reportcsv.h"
#include "reportexport.h"
#include "reporttable.h"

const char *
reporttable_cell(const struct report_table *t, int row, int col)
{
	const char *v = t->cells[(size_t)row * (size_t)t->ncols + (size_t)col];

	return v ? v : "";
}

int
reporttable_csv(FILE *fp, const struct report_table *t)
{
	int i, j;

	for (j = 0; j < t->ncols; j++) {
		if (j)
			fputc(',', fp);
		reportcsv_field(fp, t->cols[j]);
	}
	fputs("\r\n", fp);
	for (i = 0; i < t->nrows; i++) {
		for (j = 0; j < t->ncols; j++) {
			if (j)
				fputc(',', fp);
			reportcsv_field(fp, reporttable_cell(t, i, j));
		}
		fputs("\r\n", fp);
	}
	return ferror(fp) ? -1 : 0;
}

/* One cell as JSON: numbers as numbers, NULL as null. */
static json_t *
json_cell(const struct report_table *t, int i, int j)
{
	const char *v = t->cells[(size_t)i * (size_t)t->ncols + (size_t)j];

	if (v == NULL)
		return json_null();
	if (t->kinds[j] == 'i')
		return json_integer(strtoll(v, NULL, 10));
	if (t->kinds[j] == 'f')
		return json_real(strtod(v, NULL));
	return json_string(v);
}

int
reporttable_json(FILE *fp, const struct report_table *t)
{
	json_t *arr = json_array(), *row;
	int i, j, rc;

	for (i = 0; i < t->nrows; i++) {
		row = json_object();
		for (j = 0; j < t->ncols; j++)
			json_object_set_new(row, t->cols[j],
			    json_cell(t, i, j));
		json_array_append_new(arr, row);
	}
	rc = json_dumpf(arr, fp, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	fputc('\n', fp);
	json_decref(arr);
	return rc == 0 && !ferror(fp) ? 0 : -1;
}

int
reporttable_xlsx(const char *path, const char *tmpdir,
    const struct report_table *t)
{
	lxw_workbook_options opt = { .tmpdir = (char *)tmpdir };
	lxw_workbook *wb = workbook_new_opt(path, &opt);
	lxw_worksheet *ws;
	lxw_format *head, *title;
	int i, j;

	if (wb == NULL)
		return -1;
	ws = workbook_add_worksheet(wb, "Data");
	head = workbook_add_format(wb);
	format_set_bold(head);
	format_set_bottom(head, LXW_BORDER_THIN);
	title = workbook_add_format(wb);
	format_set_bold(title);
	format_set_font_size(title, 13);
	worksheet_write_string(ws, 0, 0, t->title ? t->title : "", title);
	for (j = 0; j < t->ncols; j++) {
		worksheet_write_string(ws, 1, (lxw_col_t)j, t->cols[j], head);
		worksheet_set_column(ws, (lxw_col_t)j, (lxw_col_t)j,
		    t->kinds[j] == 's' ? 24 : 10, NULL);
	}
	worksheet_freeze_panes(ws, 2, 0);
	for (i = 0; i < t->nrows; i++)
		for (j = 0; j < t->ncols; j++) {
			const char *v =
			    t->cells[(size_t)i * (size_t)t->ncols + (size_t)j];

			if (v == NULL)
				continue;
			if (t->kinds[j] != 's')
				worksheet_write_number(ws, (lxw_row_t)(i + 2),
				    (lxw_col_t)j, strtod(v, NULL), NULL);
			else
				worksheet_write_string(ws, (lxw_row_t)(i + 2),
				    (lxw_col_t)j, v, NULL);
		}
	if (workbook_close(wb) != LXW_NO_ERROR) {
		log_error("reports: cannot write %s", path);
		return -1;
	}
	return 0;
}

int
reporttable_export(const struct report_table *t, int fmt, const char *tmpdir,
    struct arena *a, char **buf, size_t *len)
{
	char *mem = NULL, *path;
	size_t n = 0;
	FILE *fp;
	int rc = -1;

	if (fmt == REPORT_XLSX) {
		if ((path = reportexport_temp_path(a, tmpdir, "xlsx")) == NULL)
			return -1;
		if (reporttable_xlsx(path, tmpdir, t) < 0) {
			unlink(path);
			return -1;
		}
		return reportexport_slurp_unlink(path, a, buf, len);
	}
	if ((fp = open_memstream(&mem, &n)) == NULL)
		return -1;
	if (reporttable_csv(fp, t) < 0) {
		fclose(fp);
		goto out;
	}
	if (fclose(fp) != 0 || mem == NULL ||
	    (*buf = arena_alloc(a, n + 1)) == NULL)
		goto out;
	memcpy(*buf, mem, n);
	*len = n;
	rc = 0;
out:
	free(mem);
	return rc;
}
