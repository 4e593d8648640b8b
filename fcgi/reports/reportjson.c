/*
 * reportjson.c - the JSON bodies of the report endpoints, from the plain
 * report structs.
 */
#include <stdio.h>

#include "reportjson.h"

static json_t *
percent_json(double p)
{
	return p < 0 ? json_null() : json_real(p);
}

static json_t *
counts_json(const struct rep_counts *n, double percent)
{
	return json_pack("{s:i,s:i,s:i,s:i,s:i,s:o}", "held", n->held,
	    "present", n->present, "absent", n->absent, "flagged", n->flagged,
	    "excused", n->excused, "percent", percent_json(percent));
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

/*
 * A student's row of the register: one mark per held session ("P", "A",
 * "R", "E" excused, or null = not counted), with remarks by session id.
 */
static json_t *
marks_json(const struct class_report *rep, int i, json_t *const *cell)
{
	json_t *marks = json_array(), *remarks = json_object();
	char sid[24];
	size_t k;
	int j;

	for (j = 0; j < rep->nsessions; j++) {
		k = (size_t)i * (size_t)rep->nsessions + (size_t)j;
		json_array_append(marks, cell[(unsigned char)rep->cells[k]]);
		if (rep->remarks && rep->remarks[k]) {
			snprintf(sid, sizeof(sid), "%lld",
			    rep->sessions[j].session_id);
			json_object_set_new(remarks, sid,
			    json_string(rep->remarks[k]));
		}
	}
	return json_pack("{s:o,s:o}", "cells", marks, "remarks", remarks);
}

/* A student's row of the register: counts, longest absence, marks. */
static json_t *
student_json(const struct class_report *rep, int i, json_t *const *cell)
{
	const struct rep_student *st = &rep->students[i];
	json_t *o = counts_json(&st->n, st->percent);

	json_object_set_new(o, "roll_no", json_string(st->roll_no));
	json_object_set_new(o, "name", json_string(st->name));
	json_object_set_new(o, "email", json_string(st->email));
	json_object_set_new(o, "joined_on",
	    st->joined_on ? json_string(st->joined_on) : json_null());
	json_object_set_new(o, "at_risk", json_boolean(st->at_risk));
	json_object_set_new(o, "longest_absent_run", json_integer(st->run_len));
	json_object_set_new(o, "longest_absent_from",
	    st->run_len ? json_string(rep->sessions[st->run_first].date)
			: json_null());
	json_object_set_new(o, "longest_absent_to",
	    st->run_len ? json_string(rep->sessions[st->run_last].date)
			: json_null());
	json_object_set_new(o, "marks", marks_json(rep, i, cell));
	return o;
}

/*
 * The JSON of each kind of cell, shared by every cell of that kind (a
 * 600 x 90 register is 54,000 cells: a string each cost a fifth of the
 * request); a byte other than P, A, R, E is null, as a cell not counted.
 */
static void
cell_values(json_t **cell)
{
	static const char kinds[] = { 'P', 'A', 'R', REPORT_EXCUSED };
	size_t i;

	for (i = 0; i < 256; i++)
		cell[i] = json_null();
	for (i = 0; i < sizeof(kinds); i++)
		cell[(unsigned char)kinds[i]] = json_stringn(&kinds[i], 1);
}

static void
cell_values_free(json_t **cell)
{
	size_t i;

	for (i = 0; i < 256; i++)
		json_decref(cell[i]);
}

json_t *
reportjson_class(const struct class_report *rep)
{
	json_t *body, *students, *risk, *weeks, *sessions, *o, *cell[256];
	char wk[16];
	int i;

	cell_values(cell);

	students = json_array();
	risk = json_array();
	weeks = json_array();
	sessions = json_array();
	for (i = 0; i < rep->nsessions; i++)
		json_array_append_new(sessions,
		    json_pack("{s:I,s:s,s:i,s:s?}", "session_id",
			(json_int_t)rep->sessions[i].session_id, "date",
			rep->sessions[i].date, "period_no",
			rep->sessions[i].period_no, "taken_by",
			rep->sessions[i].taken_by ? rep->sessions[i].taken_by
						  : rep->subj.teacher_email));
	for (i = 0; i < rep->nstudents; i++) {
		const struct rep_student *st = &rep->students[i];

		json_array_append_new(students, student_json(rep, i, cell));
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
	cell_values_free(cell);
	return body;
}

json_t *
reportjson_student(const struct student_report *rep)
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
		    json_pack("{s:s,s:i,s:I,s:s?,s:s?,s:s,s:s?,s:I,s:s?,s:s?}",
			"date", d->date, "period_no", d->period_no,
			"subject_id", (json_int_t)s->subject_id, "course_id",
			s->course_id, "course_name", s->course_name, "status",
			st, "source", d->source, "session_id",
			(json_int_t)d->session_id, "remark", d->remark, "leave",
			d->leave));
	}
	return json_pack("{s:{s:s,s:s?,s:s?,s:I,s:s?},s:s,s:s,s:I,s:o,s:o,"
			 "s:o}",
	    "student", "email", rep->email, "name", rep->name, "roll_no",
	    rep->roll_no, "class_id", (json_int_t)rep->class_id, "joined_on",
	    rep->joined_on, "from", rep->from_s, "to", rep->to_s, "threshold",
	    (json_int_t)rep->threshold, "subjects", subjects, "days", days,
	    "totals", counts_json(&rep->total, rep->total_percent));
}
