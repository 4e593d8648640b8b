/*
 * reportcsv.c - reports as CSV and as Ed-Fi-shaped attendance events.
 *
 * RFC 4180 with CRLF line ends, UTF-8 without a byte-order mark.  Names
 * come from imports, so a cell that starts like a formula is neutralised
 * (CSV injection): spreadsheets open these files directly.
 *
 * Ed-Fi: one StudentSectionAttendanceEvent-shaped row per counted mark.
 * P is "In Attendance"; A is "Unexcused Absence"; R (flagged) is also an
 * absence with the reason saying so, because the reports do not count a
 * flagged mark as present and the SIS must agree with them.  E (an
 * absence on approved leave) is "Excused Absence".  The section
 * is "<course_id>-<batch>-S<semester>-<section>"; the student's unique id
 * is their e-mail (the key of the student table); classPeriodName keeps
 * two periods of one day apart.
 */
#include <stdlib.h>
#include <string.h>

#include "reportcsv.h"
#include "report.h"

void
reportcsv_field(FILE *fp, const char *s)
{
	const char *p;
	int formula;

	if (s == NULL)
		s = "";
	formula = s[0] != '\0' && strchr("=+-@\t", s[0]) != NULL;
	if (!formula && strpbrk(s, ",\"\r\n") == NULL) {
		fputs(s, fp);
		return;
	}
	fputc('"', fp);
	if (formula)
		fputc('\'', fp); /* spreadsheets then read text */
	for (p = s; *p; p++) {
		if (*p == '"')
			fputc('"', fp);
		fputc(*p, fp);
	}
	fputc('"', fp);
}

static void
sep(FILE *fp)
{
	fputc(',', fp);
}

static void
eol(FILE *fp)
{
	fputs("\r\n", fp);
}

static void
percent(FILE *fp, double p)
{
	if (p >= 0)
		fprintf(fp, "%.1f", p);
}

static void
counts(FILE *fp, const struct rep_counts *n, double p)
{
	fprintf(fp, "%d,%d,%d,%d,", n->held, n->present, n->absent, n->flagged);
	percent(fp, p);
}

/* A student's remarks as one field: "YYYY-MM-DD P<n>: text; ...". */
static void
remarks(FILE *fp, const struct class_report *rep, int i)
{
	char *mem = NULL;
	size_t n = 0, k;
	FILE *m;
	int j, any = 0;

	if (rep->remarks == NULL || (m = open_memstream(&mem, &n)) == NULL)
		return;
	for (j = 0; j < rep->nsessions; j++) {
		k = (size_t)i * (size_t)rep->nsessions + (size_t)j;
		if (rep->remarks[k] == NULL)
			continue;
		fprintf(m, "%s%s P%d: %s", any++ ? "; " : "",
		    rep->sessions[j].date, rep->sessions[j].period_no,
		    rep->remarks[k]);
	}
	fclose(m);
	reportcsv_field(fp, mem);
	free(mem);
}

int
reportcsv_class(FILE *fp, const struct class_report *rep)
{
	int i, j;
	char c[2] = { 0, 0 };

	fputs("roll_no,name,email,held,present,absent,flagged,percent,"
	      "longest_absent_run,at_risk",
	    fp);
	for (j = 0; j < rep->nsessions; j++)
		fprintf(fp, ",%s P%d", rep->sessions[j].date,
		    rep->sessions[j].period_no);
	fputs(",remarks", fp);
	eol(fp);
	for (i = 0; i < rep->nstudents; i++) {
		const struct rep_student *st = &rep->students[i];

		reportcsv_field(fp, st->roll_no);
		sep(fp);
		reportcsv_field(fp, st->name);
		sep(fp);
		reportcsv_field(fp, st->email);
		sep(fp);
		counts(fp, &st->n, st->percent);
		fprintf(fp, ",%d,%s", st->run_len, st->at_risk ? "yes" : "no");
		for (j = 0; j < rep->nsessions; j++) {
			c[0] = rep->cells[(size_t)i * (size_t)rep->nsessions +
			    (size_t)j];
			sep(fp);
			/* '-' alone would be read as a formula start */
			fputs(c[0] == REPORT_NOT_COUNTED ? "" : c, fp);
			/* the delay evidence (slowmark.c) */
			if (rep->slow &&
			    rep->slow[(size_t)i * (size_t)rep->nsessions +
				(size_t)j])
				fputs(" (slow)", fp);
		}
		sep(fp);
		remarks(fp, rep, i);
		eol(fp);
	}
	return ferror(fp) ? -1 : 0;
}

int
reportcsv_student(FILE *fp, const struct student_report *rep)
{
	int i;
	char c[2] = { 0, 0 };

	fputs("date,period_no,subject_id,course_id,course_name,status,source,"
	      "remark,leave\r\n",
	    fp);
	for (i = 0; i < rep->ndays; i++) {
		const struct rep_day *d = &rep->days[i];
		const struct rep_subject *s = &rep->subjects[d->subject].subj;

		c[0] = d->status;
		fprintf(fp, "%s,%d,%lld,", d->date, d->period_no,
		    s->subject_id);
		reportcsv_field(fp, s->course_id);
		sep(fp);
		reportcsv_field(fp, s->course_name);
		fprintf(fp, ",%s,", c);
		reportcsv_field(fp, d->source);
		sep(fp);
		reportcsv_field(fp, d->remark);
		sep(fp);
		reportcsv_field(fp, d->leave);
		eol(fp);
	}
	return ferror(fp) ? -1 : 0;
}

static void
section_id(FILE *fp, const struct rep_subject *s)
{
	char buf[256];

	snprintf(buf, sizeof(buf), "%s-%s-S%d-%s",
	    s->course_id ? s->course_id : "", s->batch ? s->batch : "",
	    s->semester, s->section ? s->section : "");
	reportcsv_field(fp, buf);
}

static const char *
reason(char status, char source)
{
	if (status == REPORT_EXCUSED)
		return "absent on approved leave";
	if (status == 'R')
		return "flagged by the anti-proxy checks; pending review";
	if (source == 'M')
		return status == 'P' ? "marked present by the teacher"
				     : "marked absent by the teacher";
	if (status == 'P')
		return "attendance code entered";
	return "no attendance code entered";
}

static void
edfi_row(FILE *fp, char status, const char *date, const struct rep_subject *s,
    const char *student, char source, int period_no)
{
	fputs(status == 'P'                ? REPORTCSV_EDFI_PRESENT
		: status == REPORT_EXCUSED ? REPORTCSV_EDFI_EXCUSED
					   : REPORTCSV_EDFI_ABSENT,
	    fp);
	fprintf(fp, ",%s,", date);
	section_id(fp, s);
	sep(fp);
	reportcsv_field(fp, student);
	sep(fp);
	reportcsv_field(fp, reason(status, source));
	fprintf(fp, ",P%d\r\n", period_no);
}

static void
edfi_header(FILE *fp)
{
	fputs("attendanceEventCategoryDescriptor,eventDate,sectionIdentifier,"
	      "studentUniqueId,attendanceEventReason,classPeriodName\r\n",
	    fp);
}

int
reportcsv_edfi_class(FILE *fp, const struct class_report *rep)
{
	int i, j;
	size_t k;

	edfi_header(fp);
	for (j = 0; j < rep->nsessions; j++) {
		for (i = 0; i < rep->nstudents; i++) {
			k = (size_t)i * (size_t)rep->nsessions + (size_t)j;
			if (rep->cells[k] == REPORT_NOT_COUNTED)
				continue;
			edfi_row(fp, rep->cells[k], rep->sessions[j].date,
			    &rep->subj, rep->students[i].email, rep->sources[k],
			    rep->sessions[j].period_no);
		}
	}
	return ferror(fp) ? -1 : 0;
}

int
reportcsv_edfi_student(FILE *fp, const struct student_report *rep)
{
	int i;

	edfi_header(fp);
	for (i = 0; i < rep->ndays; i++) {
		const struct rep_day *d = &rep->days[i];

		edfi_row(fp, d->status, d->date,
		    &rep->subjects[d->subject].subj, rep->email,
		    d->source ? d->source[0] : 0, d->period_no);
	}
	return ferror(fp) ? -1 : 0;
}

int
reportcsv_at_risk(FILE *fp, const struct class_report *rep, int header)
{
	const struct rep_subject *s = &rep->subj;
	char cls[256];
	int i;

	if (header)
		fputs("from,to,class_id,class,subject_id,course_id,course_name,"
		      "teacher_email,roll_no,name,email,held,present,absent,"
		      "flagged,percent,threshold\r\n",
		    fp);
	snprintf(cls, sizeof(cls), "%s %s S%d %s",
	    s->department ? s->department : "", s->batch ? s->batch : "",
	    s->semester, s->section ? s->section : "");
	for (i = 0; i < rep->nstudents; i++) {
		const struct rep_student *st = &rep->students[i];

		if (!st->at_risk)
			continue;
		fprintf(fp, "%s,%s,%lld,", rep->from_s, rep->to_s, s->class_id);
		reportcsv_field(fp, cls);
		fprintf(fp, ",%lld,", s->subject_id);
		reportcsv_field(fp, s->course_id);
		sep(fp);
		reportcsv_field(fp, s->course_name);
		sep(fp);
		reportcsv_field(fp, s->teacher_email);
		sep(fp);
		reportcsv_field(fp, st->roll_no);
		sep(fp);
		reportcsv_field(fp, st->name);
		sep(fp);
		reportcsv_field(fp, st->email);
		sep(fp);
		counts(fp, &st->n, st->percent);
		fprintf(fp, ",%ld\r\n", rep->threshold);
	}
	return ferror(fp) ? -1 : 0;
}
