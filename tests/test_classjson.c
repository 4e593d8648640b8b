/*
 * test_classjson.c - the class summary's JSON written as text
 * (fcgi/reports/classjson.c) is byte for byte the dump of the jansson tree
 * the summary was built as before, kept here as the reference: names and
 * remarks with quotes, backslashes, control characters, non-ASCII and
 * invalid UTF-8 (left out where jansson left them out), null joined_on,
 * at risk or not, no percentage, reals, every kind of cell, no sessions,
 * no students, and a whole register of 600 x 90.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "classjson.h"

#define FLAGS (JSON_COMPACT | JSON_REAL_PRECISION(10))

/* ---- the reference: the tree reportjson_class built, as it was ---- */

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

static json_t *
risk_json(const struct rep_student *st)
{
	return json_pack("{s:s,s:s,s:s,s:i,s:i,s:o}", "roll_no", st->roll_no,
	    "name", st->name, "email", st->email, "held", st->n.held, "present",
	    st->n.present, "percent", percent_json(st->percent));
}

static json_t *
week_json(const struct attstats_week *w)
{
	char wk[16];

	snprintf(wk, sizeof(wk), "%04d-W%02d", w->iso_year, w->week);
	return json_pack("{s:s,s:i,s:i,s:o}", "week", wk, "marks", w->marks,
	    "present", w->present, "percent",
	    percent_json(attstats_percent(w->present, w->marks)));
}

static json_t *
session_json(const struct class_report *rep, int i)
{
	const struct rep_session *s = &rep->sessions[i];

	return json_pack("{s:I,s:s,s:i,s:s?}", "session_id",
	    (json_int_t)s->session_id, "date", s->date, "period_no",
	    s->period_no, "taken_by",
	    s->taken_by ? s->taken_by : rep->subj.teacher_email);
}

static json_t *
reference_tree(const struct class_report *rep)
{
	json_t *students = json_array(), *risk = json_array(), *o, *body;
	json_t *weeks = json_array(), *sessions = json_array(), *cell[256];
	int i;

	cell_values(cell);
	for (i = 0; i < rep->nsessions; i++)
		json_array_append_new(sessions, session_json(rep, i));
	for (i = 0; i < rep->nstudents; i++) {
		json_array_append_new(students, student_json(rep, i, cell));
		if (rep->students[i].at_risk)
			json_array_append_new(risk,
			    risk_json(&rep->students[i]));
	}
	for (i = 0; i < rep->nweeks; i++)
		json_array_append_new(weeks, week_json(&rep->weeks[i]));
	o = counts_json(&rep->total, rep->total_percent);
	json_object_set_new(o, "students", json_integer(rep->nstudents));
	json_object_set_new(o, "sessions_held", json_integer(rep->nsessions));
	json_object_set_new(o, "at_risk", json_integer(rep->nat_risk));
	body = json_pack("{s:o,s:s,s:s,s:I,s:o,s:o,s:o,s:o,s:o}", "subject",
	    subject_json(&rep->subj), "from", rep->from_s, "to", rep->to_s,
	    "threshold", (json_int_t)rep->threshold, "sessions", sessions,
	    "students", students, "totals", o, "at_risk", risk, "weekly",
	    weeks);
	for (i = 0; i < 256; i++)
		json_decref(cell[i]);
	return body;
}

/* The reference's bytes; NULL where the tree was NULL. */
static char *
reference(const struct class_report *rep)
{
	json_t *t = reference_tree(rep);
	char *s = t ? json_dumps(t, FLAGS) : NULL;

	json_decref(t);
	return s;
}

/* ---- the cases: a small register, then one change each ---- */

#define NST 3
#define NSE 4

struct fixture {
	struct class_report rep;
	struct rep_student st[NST];
	struct rep_session se[NSE];
	char cells[NST * NSE + 1];
	const char *remarks[NST * NSE];
	struct attstats_week wk[2];
};

static void
base(struct fixture *f)
{
	static const char *const dates[NSE] = { "2026-01-05", "2026-01-06",
		"2026-01-12", "2026-01-13" };
	int i;

	memset(f, 0, sizeof(*f));
	f->rep.subj = (struct rep_subject){ 7, 3, "CS101", "Data Structures",
		"t@x.edu", "CSE", "2024", "A", 3 };
	f->rep.threshold = 75;
	snprintf(f->rep.from_s, sizeof(f->rep.from_s), "2026-01-01");
	snprintf(f->rep.to_s, sizeof(f->rep.to_s), "2026-01-31");
	for (i = 0; i < NSE; i++) {
		f->se[i].session_id = 100 + i;
		snprintf(f->se[i].date, sizeof(f->se[i].date), "%s", dates[i]);
		f->se[i].period_no = i + 1;
	}
	f->se[2].taken_by = "sub@x.edu";
	f->st[0] = (struct rep_student){ "a@x.edu", "Asha Rao", "01", NULL,
		{ 4, 4, 0, 0, 0 }, 100.0, 0, 0, -1, -1 };
	f->st[1] = (struct rep_student){ "b@x.edu", "Bilal", "02", "2026-01-06",
		{ 3, 2, 1, 0, 0 }, 66.7, 1, 1, 3, 3 };
	f->st[2] = (struct rep_student){ "c@x.edu", "Chen", "03", NULL,
		{ 3, 1, 1, 1, 1 }, 33.3, 1, 2, 1, 2 };
	memcpy(f->cells, "PPPP-PPAPARE", NST * NSE);
	f->remarks[2] = "came late";
	f->wk[0] = (struct attstats_week){ 2026, 2, 5, 4 };
	f->wk[1] = (struct attstats_week){ 2026, 3, 6, 3 };
	f->rep.nsessions = NSE;
	f->rep.nstudents = NST;
	f->rep.nweeks = 2;
	f->rep.nat_risk = 2;
	f->rep.sessions = f->se;
	f->rep.students = f->st;
	f->rep.cells = f->cells;
	f->rep.remarks = f->remarks;
	f->rep.weeks = f->wk;
	f->rep.total = (struct rep_counts){ 10, 7, 2, 1, 1 };
	f->rep.total_percent = 70.0;
}

static void
escapes(struct fixture *f)
{
	f->st[0].name = "O'Brien \"Jr\" \\ back/slash";
	f->st[1].name = "tab\there\nline\r\x01\x1f\x7f";
	f->st[2].name = "Ñandú \xe2\x80\xa8 日本 😀";
	f->remarks[5] = "quote \" and \\ and \b\f";
	f->remarks[11] = "महाविद्यालय";
}

/* Not UTF-8: a student's keys and a remark are left out, an at-risk line
 * too. */
static void
invalid_utf8(struct fixture *f)
{
	f->st[1].name = "bad \xff byte";
	f->st[2].email = "c\xc3@x.edu";
	f->st[0].roll_no = "\xe2\x82";
	f->st[0].joined_on = "\x80";
	f->remarks[0] = "ok";
	f->remarks[1] = "\xc0\xaf";
	f->remarks[3] = "fine";
}

static void
null_strings(struct fixture *f)
{
	f->st[0].roll_no = NULL; /* json_string(NULL): left out */
	f->st[2].name = NULL;    /* an at-risk line without it: left out */
	f->rep.subj.course_name = NULL;
	f->rep.subj.section = NULL;
	f->rep.subj.teacher_email = NULL; /* sessions without taken_by: null */
}

static void
a_substitute_not_utf8(struct fixture *f)
{
	f->se[2].taken_by = "s\xfe@x.edu"; /* the session is left out */
}

static void
a_label_not_utf8(struct fixture *f)
{
	f->rep.subj.department = "C\xffSE"; /* the whole body was NULL */
}

static void
no_percentages_and_reals(struct fixture *f)
{
	f->st[0].percent = -1;
	f->st[1].percent = 2.0 / 3.0 * 100;
	f->st[2].percent = 1e-7;
	f->rep.total_percent = 0;
	f->wk[1].marks = 0;
	f->wk[1].present = 0;
}

static void
cells_of_every_byte(struct fixture *f)
{
	memcpy(f->cells, "E\x01\xff\"\\pa rPAx", NST * NSE);
	f->cells[11] = REPORT_NOT_COUNTED;
}

static void
no_sessions(struct fixture *f)
{
	int i;

	f->rep.nsessions = 0;
	f->rep.nweeks = 0;
	for (i = 0; i < NST; i++)
		f->st[i].run_len = 0;
}

static void
no_students(struct fixture *f)
{
	f->rep.nstudents = 0;
	f->rep.nat_risk = 0;
}

static void
no_remarks_array(struct fixture *f)
{
	f->rep.remarks = NULL;
}

/* jansson holds no NaN: the student and the week were left out. */
static void
not_a_number(struct fixture *f)
{
	f->st[1].percent = NAN;
	f->st[2].percent = INFINITY;
}

static void
total_not_a_number(struct fixture *f)
{
	f->rep.total_percent = NAN;
}

static void
large_numbers(struct fixture *f)
{
	f->rep.subj.subject_id = 9007199254740993LL;
	f->se[0].session_id = -5;
	f->rep.threshold = -1;
	f->st[0].n.held = 2147483647;
	f->wk[0].iso_year = 123456;
	f->wk[0].week = -3;
}

static void
same_bytes(const struct class_report *rep, const char *name)
{
	char *want = reference(rep), *got;
	size_t len = 0;

	got = classjson_dump(rep, &len);
	if (want == NULL) {
		cr_expect_null(got, "%s: NULL as the tree was", name);
	} else {
		cr_assert_not_null(got, "%s", name);
		cr_expect_eq(len, strlen(want), "%s: length", name);
		cr_expect_str_eq(got, want, "%s", name);
	}
	free(want);
	free(got);
}

Test(classjson, each_case_is_the_bytes_of_the_tree_it_replaced)
{
	static const struct {
		const char *name;
		void (*change)(struct fixture *);
	} cases[] = {
		{ "as built", NULL },
		{ "quotes, backslashes, control characters, non-ASCII",
		    escapes },
		{ "invalid UTF-8", invalid_utf8 },
		{ "NULL strings", null_strings },
		{ "a substitute's e-mail not UTF-8", a_substitute_not_utf8 },
		{ "a label not UTF-8", a_label_not_utf8 },
		{ "no percentages and reals", no_percentages_and_reals },
		{ "cells of every byte", cells_of_every_byte },
		{ "no sessions", no_sessions },
		{ "no students", no_students },
		{ "no remarks array", no_remarks_array },
		{ "not a number", not_a_number },
		{ "total not a number", total_not_a_number },
		{ "large numbers", large_numbers },
	};
	struct fixture f;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		base(&f);
		if (cases[i].change)
			cases[i].change(&f);
		same_bytes(&f.rep, cases[i].name);
	}
}

/* The cases test what they say: the holes are there. */
Test(classjson, what_jansson_refused_is_left_out_or_null)
{
	struct fixture f;
	size_t len;
	char *s;

	base(&f);
	invalid_utf8(&f);
	s = classjson_dump(&f.rep, &len);
	cr_assert_not_null(s);
	cr_expect_null(strstr(s, "bad"), "the name is left out");
	cr_expect_null(strstr(s, "\"101\":"), "the remark is left out");
	cr_expect_not_null(strstr(s, "\"100\":\"ok\""));
	free(s);
	base(&f);
	a_label_not_utf8(&f);
	cr_expect_null(classjson_dump(&f.rep, &len));
}

/* 600 students x 90 sessions, as the benchmark's subject. */
Test(classjson, a_whole_register_is_the_bytes_of_the_tree)
{
	enum { S = 600, N = 90 };
	static const char kinds[] = "PPPPPAARE-";
	struct rep_student *st = calloc(S, sizeof(*st));
	struct rep_session *se = calloc(N, sizeof(*se));
	const char **rem = calloc((size_t)S * N, sizeof(*rem));
	char *cells = malloc((size_t)S * N), (*names)[32] = calloc(S, 32);
	struct class_report rep = { .subj = { 1, 2, "C", "Course", "t@x.edu",
					"D", "2024", "A", 1 },
		.threshold = 75,
		.nsessions = N,
		.nstudents = S,
		.sessions = se,
		.students = st,
		.cells = cells,
		.remarks = rem };
	int i;

	for (i = 0; i < N; i++) {
		se[i].session_id = 5000 + i;
		snprintf(se[i].date, sizeof(se[i].date), "2026-02-%02u",
		    1u + (unsigned)i % 28u);
	}
	for (i = 0; i < S * N; i++) {
		cells[i] = kinds[(i * 7 + i / 13) % 10];
		rem[i] = i % 97 == 0 ? "late \"bus\"" : NULL;
	}
	for (i = 0; i < S; i++) {
		snprintf(names[i], 32, "Student %d \xc3\xa9", i);
		st[i] = (struct rep_student){ "s@x.edu", names[i], names[i],
			i % 5 ? NULL : "2026-02-02",
			{ N, N - i % 40, i % 40, 0, i % 3 },
			(double)(N - i % 40) * 1000 / N / 10, i % 40 > 22,
			i % 4, 0, i % 4 };
	}
	same_bytes(&rep, "600 x 90");
	free(st);
	free(se);
	free(rem);
	free(cells);
	free(names);
}
