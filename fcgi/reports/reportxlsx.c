/*
 * reportxlsx.c - reports as Excel workbooks, with libxlsxwriter.
 *
 * Layout shared by every sheet: row 0 is a title naming class, subject and
 * range; row 1 the column headers; data from row 2.  Panes are frozen
 * below the headers (and right of the name columns on the register) so a
 * 90-session register scrolls with names and dates in view.  Marks use the
 * spreadsheet world's usual good/bad/neutral fills: P green, A red,
 * R amber; '-' (not counted) grey.  Percentages are numbers with one
 * decimal, so the sheet can sort and chart them.
 *
 * libxlsxwriter 1.1.4 can only write to a file; reports.c hands us a
 * temporary path and reads the bytes back.  Its workbook_close() stamps
 * the document with gmtime(), which is not thread-safe, so closes are
 * serialised per process (a few milliseconds; workers are threaded).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

#include "log.h"
#include "report.h"
#include "reportxlsx.h"
#include "warnings.h"

#define FIRST_DATA_ROW 2

struct fmts {
	lxw_format *title, *head, *text, *num, *pct;
	lxw_format *risk_text, *risk_num, *risk_pct;
	lxw_format *mark_p, *mark_a, *mark_r, *mark_none;
	lxw_format *total_text, *total_num, *total_pct;
};

static lxw_format *
fill(lxw_workbook *wb, lxw_color_t bg, lxw_color_t fg, const char *numfmt,
    int bold, int center)
{
	lxw_format *f = workbook_add_format(wb);

	if (bg)
		format_set_bg_color(f, bg);
	if (fg)
		format_set_font_color(f, fg);
	if (numfmt)
		format_set_num_format(f, numfmt);
	if (bold)
		format_set_bold(f);
	if (center)
		format_set_align(f, LXW_ALIGN_CENTER);
	return f;
}

static void
make_formats(lxw_workbook *wb, struct fmts *f)
{
	f->title = fill(wb, 0, 0, NULL, 1, 0);
	format_set_font_size(f->title, 13);
	f->head = fill(wb, 0xD9E1F2, 0, NULL, 1, 1);
	format_set_border(f->head, LXW_BORDER_THIN);
	f->text = fill(wb, 0, 0, NULL, 0, 0);
	f->num = fill(wb, 0, 0, "0", 0, 0);
	f->pct = fill(wb, 0, 0, "0.0", 0, 0);
	f->risk_text = fill(wb, 0xFFC7CE, 0x9C0006, NULL, 0, 0);
	f->risk_num = fill(wb, 0xFFC7CE, 0x9C0006, "0", 0, 0);
	f->risk_pct = fill(wb, 0xFFC7CE, 0x9C0006, "0.0", 1, 0);
	f->mark_p = fill(wb, 0xC6EFCE, 0x006100, NULL, 0, 1);
	f->mark_a = fill(wb, 0xFFC7CE, 0x9C0006, NULL, 1, 1);
	f->mark_r = fill(wb, 0xFFEB9C, 0x9C5700, NULL, 1, 1);
	f->mark_none = fill(wb, 0xEDEDED, 0x808080, NULL, 0, 1);
	f->total_text = fill(wb, 0xF2F2F2, 0, NULL, 1, 0);
	f->total_num = fill(wb, 0xF2F2F2, 0, "0", 1, 0);
	f->total_pct = fill(wb, 0xF2F2F2, 0, "0.0", 1, 0);
}

static lxw_format *
mark_format(const struct fmts *f, char c)
{
	switch (c) {
	case 'P':
		return f->mark_p;
	case 'A':
		return f->mark_a;
	case 'R':
		return f->mark_r;
	}
	return f->mark_none;
}

static void
headers(lxw_worksheet *ws, const struct fmts *f, const char *const *names)
{
	lxw_col_t c;

	for (c = 0; names[c]; c++)
		worksheet_write_string(ws, 1, c, names[c], f->head);
}

/*
 * Print setup of every sheet: landscape, one page wide (as many tall as it
 * takes), the title and header rows repeated on each printed page.
 */
static void
print_setup(lxw_worksheet *ws)
{
	worksheet_set_landscape(ws);
	worksheet_set_paper(ws, 9); /* A4 */
	worksheet_fit_to_pages(ws, 1, 0);
	worksheet_repeat_rows(ws, 0, FIRST_DATA_ROW - 1);
	worksheet_set_margins(ws, 0.4, 0.4, 0.5, 0.5);
}

/* What the marks of the register mean, from row r down. */
static void
legend(lxw_worksheet *ws, const struct fmts *f, lxw_row_t r)
{
	static const char *const rows[][2] = {
		{ "P", "Present" },
		{ "A", "Absent" },
		{ "R",
		    "Flagged: the code came with anti-proxy evidence "
		    "(not counted as present)" },
		{ "-", "Not counted (before the student joined, or no mark)" },
		{ "*",
		    "A mark with a note \"slow - possibly relayed\": the code "
		    "came far later than the class's (evidence, not a verdict)" },
	};
	size_t i;

	worksheet_write_string(ws, r, 0, "Legend", f->title);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		worksheet_write_string(ws, r + 1 + (lxw_row_t)i, 0, rows[i][0],
		    mark_format(f, rows[i][0][0]));
		worksheet_write_string(ws, r + 1 + (lxw_row_t)i, 1, rows[i][1],
		    NULL);
	}
}

/* held, present, absent, flagged, % from column c on. */
static void
counts(lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, const struct rep_counts *n,
    double p, lxw_format *num, lxw_format *pct)
{
	worksheet_write_number(ws, r, c, n->held, num);
	worksheet_write_number(ws, r, c + 1, n->present, num);
	worksheet_write_number(ws, r, c + 2, n->absent, num);
	worksheet_write_number(ws, r, c + 3, n->flagged, num);
	if (p >= 0)
		worksheet_write_number(ws, r, c + 4, p, pct);
	else
		worksheet_write_string(ws, r, c + 4, "", pct);
}

static const char *
class_title(char *buf, size_t n, const struct rep_subject *s, const char *from,
    const char *to)
{
	snprintf(buf, n, "%s %s S%d %s - %s %s - %s to %s",
	    s->department ? s->department : "", s->batch ? s->batch : "",
	    s->semester, s->section ? s->section : "",
	    s->course_id ? s->course_id : "",
	    s->course_name ? s->course_name : "", from, to);
	return buf;
}

/* A mark's remark as the cell's note (E cells say they are excused). */
static void
remark_note(lxw_worksheet *ws, lxw_row_t r, lxw_col_t c,
    const struct class_report *rep, int i, int j)
{
	size_t k = (size_t)i * (size_t)rep->nsessions + (size_t)j;

	if (rep->slow && rep->slow[k])
		worksheet_write_comment(ws, r, c,
		    rep->remarks && rep->remarks[k]
			? rep->remarks[k]
			: "slow - possibly relayed: far slower than the class");
	else if (rep->remarks && rep->remarks[k])
		worksheet_write_comment(ws, r, c, rep->remarks[k]);
	else if (rep->cells[k] == REPORT_EXCUSED)
		worksheet_write_comment(ws, r, c, "absent on approved leave");
}

/* A student's remarks in one cell, as the CSV has them: "date P<n>: remark"
 * joined by "; " (the notes on the marks are easy to miss when printed). */
static void
remarks_cell(lxw_worksheet *ws, lxw_row_t r, lxw_col_t c,
    const struct class_report *rep, int i, lxw_format *fmt)
{
	char *mem = NULL;
	size_t n = 0, k;
	FILE *m = NULL;
	int j, any = 0;

	if (rep->remarks != NULL)
		m = open_memstream(&mem, &n);
	for (j = 0; m != NULL && j < rep->nsessions; j++) {
		k = (size_t)i * (size_t)rep->nsessions + (size_t)j;
		if (rep->remarks[k] == NULL)
			continue;
		fprintf(m, "%s%s P%d: %s", any++ ? "; " : "",
		    rep->sessions[j].date, rep->sessions[j].period_no,
		    rep->remarks[k]);
	}
	if (m != NULL)
		fclose(m);
	worksheet_write_string(ws, r, c, mem ? mem : "", fmt);
	free(mem);
}

static void
class_register(lxw_workbook *wb, const struct fmts *f,
    const struct class_report *rep, const char *title)
{
	lxw_worksheet *ws = workbook_add_worksheet(wb, "Register");
	static const char *const names[] = { "Roll no", "Name", NULL };
	char head[32], c[2] = { 0, 0 };
	lxw_col_t remarks = (lxw_col_t)(rep->nsessions + 2);
	lxw_row_t r;
	int i, j;

	worksheet_write_string(ws, 0, 0, title, f->title);
	headers(ws, f, names);
	worksheet_set_column(ws, 0, 0, 10, NULL);
	worksheet_set_column(ws, 1, 1, 28, NULL);
	if (rep->nsessions > 0)
		worksheet_set_column(ws, 2, (lxw_col_t)(rep->nsessions + 1), 13,
		    NULL);
	for (j = 0; j < rep->nsessions; j++) {
		snprintf(head, sizeof(head), "%s P%d", rep->sessions[j].date,
		    rep->sessions[j].period_no);
		worksheet_write_string(ws, 1, (lxw_col_t)(j + 2), head,
		    f->head);
	}
	/* Remarks: one cell per student, and each mark's own as its note. */
	worksheet_write_string(ws, 1, remarks, "Remarks", f->head);
	worksheet_set_column(ws, remarks, remarks, 40, NULL);
	for (i = 0; i < rep->nstudents; i++) {
		r = (lxw_row_t)(FIRST_DATA_ROW + i);
		worksheet_write_string(ws, r, 0, rep->students[i].roll_no,
		    f->text);
		worksheet_write_string(ws, r, 1, rep->students[i].name,
		    f->text);
		for (j = 0; j < rep->nsessions; j++) {
			c[0] = rep->cells[(size_t)i * (size_t)rep->nsessions +
			    (size_t)j];
			worksheet_write_string(ws, r, (lxw_col_t)(j + 2),
			    rep->slow &&
				    rep->slow[(size_t)i *
					    (size_t)rep->nsessions +
					(size_t)j]
				? (c[0] == 'R' ? "R*" : "P*")
				: c,
			    mark_format(f, c[0]));
			remark_note(ws, r, (lxw_col_t)(j + 2), rep, i, j);
		}
		remarks_cell(ws, r, remarks, rep, i, f->text);
	}
	legend(ws, f, (lxw_row_t)(FIRST_DATA_ROW + rep->nstudents + 1));
	worksheet_freeze_panes(ws, FIRST_DATA_ROW, 2);
	print_setup(ws);
}

static void
class_summary(lxw_workbook *wb, const struct fmts *f,
    const struct class_report *rep, const char *title)
{
	lxw_worksheet *ws = workbook_add_worksheet(wb, "Summary");
	static const char *const names[] = { "Roll no", "Name", "Email", "Held",
		"Present", "Absent", "Flagged", "%", "Longest absence run",
		"At risk", NULL };
	char note[160];
	lxw_row_t r;
	int i, risk;

	worksheet_write_string(ws, 0, 0, title, f->title);
	headers(ws, f, names);
	worksheet_set_column(ws, 0, 0, 10, NULL);
	worksheet_set_column(ws, 1, 2, 28, NULL);
	worksheet_set_column(ws, 3, 7, 9, NULL);
	worksheet_set_column(ws, 8, 9, 12, NULL);
	for (i = 0; i < rep->nstudents; i++) {
		const struct rep_student *st = &rep->students[i];

		r = (lxw_row_t)(FIRST_DATA_ROW + i);
		risk = st->at_risk;
		worksheet_write_string(ws, r, 0, st->roll_no,
		    risk ? f->risk_text : f->text);
		worksheet_write_string(ws, r, 1, st->name,
		    risk ? f->risk_text : f->text);
		worksheet_write_string(ws, r, 2, st->email,
		    risk ? f->risk_text : f->text);
		counts(ws, r, 3, &st->n, st->percent,
		    risk ? f->risk_num : f->num, risk ? f->risk_pct : f->pct);
		worksheet_write_number(ws, r, 8, st->run_len,
		    risk ? f->risk_num : f->num);
		worksheet_write_string(ws, r, 9, risk ? "yes" : "no",
		    risk ? f->risk_text : f->text);
	}
	r = (lxw_row_t)(FIRST_DATA_ROW + rep->nstudents);
	worksheet_write_string(ws, r, 0, "Total", f->total_text);
	worksheet_write_string(ws, r, 1, "", f->total_text);
	snprintf(note, sizeof(note), "%d session%s held", rep->nsessions,
	    rep->nsessions == 1 ? "" : "s");
	worksheet_write_string(ws, r, 2, note, f->total_text);
	counts(ws, r, 3, &rep->total, rep->total_percent, f->total_num,
	    f->total_pct);
	worksheet_write_string(ws, r, 8, "", f->total_text);
	worksheet_write_number(ws, r, 9, rep->nat_risk, f->total_num);
	snprintf(note, sizeof(note),
	    "At risk: below %ld%% present after at least %d held sessions "
	    "(flagged marks do not count as present).",
	    rep->threshold, WARNINGS_MIN_HELD);
	worksheet_write_string(ws, r + 2, 0, note, NULL);
	worksheet_freeze_panes(ws, FIRST_DATA_ROW, 2);
	print_setup(ws);
}

static void
class_weekly(lxw_workbook *wb, const struct fmts *f,
    const struct class_report *rep, const char *title)
{
	lxw_worksheet *ws = workbook_add_worksheet(wb, "Weekly");
	static const char *const names[] = { "ISO week", "Marks", "Present",
		"%", NULL };
	char wk[16];
	double p;
	lxw_row_t r;
	int i;

	worksheet_write_string(ws, 0, 0, title, f->title);
	headers(ws, f, names);
	worksheet_set_column(ws, 0, 3, 11, NULL);
	for (i = 0; i < rep->nweeks; i++) {
		const struct attstats_week *w = &rep->weeks[i];

		r = (lxw_row_t)(FIRST_DATA_ROW + i);
		snprintf(wk, sizeof(wk), "%04d-W%02d", w->iso_year, w->week);
		worksheet_write_string(ws, r, 0, wk, f->text);
		worksheet_write_number(ws, r, 1, w->marks, f->num);
		worksheet_write_number(ws, r, 2, w->present, f->num);
		if ((p = attstats_percent(w->present, w->marks)) >= 0)
			worksheet_write_number(ws, r, 3, p, f->pct);
	}
	worksheet_freeze_panes(ws, FIRST_DATA_ROW, 0);
	print_setup(ws);
}

static lxw_workbook *
open_book(const char *path, const char *tmpdir, struct fmts *f)
{
	lxw_workbook_options opts = { 0 };
	lxw_workbook *wb;

	/* the field is not const in 1.1.4; the library only reads it */
	opts.tmpdir = (char *)tmpdir;
	if ((wb = workbook_new_opt(path, &opts)) == NULL) {
		log_error("xlsx: cannot create %s", path);
		return NULL;
	}
	make_formats(wb, f);
	return wb;
}

static pthread_mutex_t close_lock = PTHREAD_MUTEX_INITIALIZER;

static int
close_book(lxw_workbook *wb, const char *path)
{
	lxw_error err;

	pthread_mutex_lock(&close_lock);
	err = workbook_close(wb);
	pthread_mutex_unlock(&close_lock);

	if (err != LXW_NO_ERROR) {
		log_error("xlsx: writing %s: %s", path, lxw_strerror(err));
		return -1;
	}
	return 0;
}

int
reportxlsx_class(const char *path, const char *tmpdir,
    const struct class_report *rep)
{
	char title[512];
	struct fmts f;
	lxw_workbook *wb;

	if ((wb = open_book(path, tmpdir, &f)) == NULL)
		return -1;
	class_title(title, sizeof(title), &rep->subj, rep->from_s, rep->to_s);
	class_register(wb, &f, rep, title);
	class_summary(wb, &f, rep, title);
	class_weekly(wb, &f, rep, title);
	return close_book(wb, path);
}

int
reportxlsx_student(const char *path, const char *tmpdir,
    const struct student_report *rep)
{
	static const char *const reg_names[] = { "Date", "Period", "Course",
		"Subject", "Status", "Source", "Remark", NULL };
	static const char *const sum_names[] = { "Course", "Subject", "Held",
		"Present", "Absent", "Flagged", "%", "At risk", NULL };
	char title[512], c[2] = { 0, 0 };
	lxw_worksheet *ws;
	lxw_workbook *wb;
	struct fmts f;
	lxw_row_t r;
	int i, risk;

	if ((wb = open_book(path, tmpdir, &f)) == NULL)
		return -1;
	snprintf(title, sizeof(title), "%s (%s, roll %s) - %s to %s",
	    rep->name ? rep->name : "", rep->email,
	    rep->roll_no ? rep->roll_no : "", rep->from_s, rep->to_s);

	ws = workbook_add_worksheet(wb, "Register");
	worksheet_write_string(ws, 0, 0, title, f.title);
	headers(ws, &f, reg_names);
	worksheet_set_column(ws, 0, 1, 11, NULL);
	worksheet_set_column(ws, 2, 2, 12, NULL);
	worksheet_set_column(ws, 3, 3, 32, NULL);
	worksheet_set_column(ws, 4, 5, 10, NULL);
	for (i = 0; i < rep->ndays; i++) {
		const struct rep_day *d = &rep->days[i];
		const struct rep_subject *s = &rep->subjects[d->subject].subj;

		r = (lxw_row_t)(FIRST_DATA_ROW + i);
		c[0] = d->status;
		worksheet_write_string(ws, r, 0, d->date, f.text);
		worksheet_write_number(ws, r, 1, d->period_no, f.num);
		worksheet_write_string(ws, r, 2, s->course_id, f.text);
		worksheet_write_string(ws, r, 3, s->course_name, f.text);
		worksheet_write_string(ws, r, 4, c, mark_format(&f, c[0]));
		worksheet_write_string(ws, r, 5, d->source ? d->source : "",
		    f.text);
		worksheet_write_string(ws, r, 6, d->remark ? d->remark : "",
		    f.text);
	}
	worksheet_freeze_panes(ws, FIRST_DATA_ROW, 1);

	ws = workbook_add_worksheet(wb, "Summary");
	worksheet_write_string(ws, 0, 0, title, f.title);
	headers(ws, &f, sum_names);
	worksheet_set_column(ws, 0, 0, 12, NULL);
	worksheet_set_column(ws, 1, 1, 32, NULL);
	worksheet_set_column(ws, 2, 7, 9, NULL);
	for (i = 0; i < rep->nsubjects; i++) {
		const struct rep_subject_line *l = &rep->subjects[i];

		r = (lxw_row_t)(FIRST_DATA_ROW + i);
		risk = l->at_risk;
		worksheet_write_string(ws, r, 0, l->subj.course_id,
		    risk ? f.risk_text : f.text);
		worksheet_write_string(ws, r, 1, l->subj.course_name,
		    risk ? f.risk_text : f.text);
		counts(ws, r, 2, &l->n, l->percent, risk ? f.risk_num : f.num,
		    risk ? f.risk_pct : f.pct);
		worksheet_write_string(ws, r, 7, risk ? "yes" : "no",
		    risk ? f.risk_text : f.text);
	}
	r = (lxw_row_t)(FIRST_DATA_ROW + rep->nsubjects);
	worksheet_write_string(ws, r, 0, "Total", f.total_text);
	worksheet_write_string(ws, r, 1, "", f.total_text);
	counts(ws, r, 2, &rep->total, rep->total_percent, f.total_num,
	    f.total_pct);
	worksheet_freeze_panes(ws, FIRST_DATA_ROW, 1);
	return close_book(wb, path);
}
