/*
 * classjson.c - the class summary's JSON body written straight into one
 * buffer.
 *
 * A 600-student x 90-session register was a jansson tree of 600 objects
 * of 14 keys and 54,000 array entries, dumped into 440 KB and freed: two
 * thirds of the worker's time a request (docs/benchmarks.md, the class
 * summary's fourth and fifth passes).  Here the text is written in the
 * tree's order into one buffer reserved from an estimate of its size;
 * integers and punctuation directly, strings and reals through jansson's
 * own encoder (fcgi/core/jsontext.c), so the bytes are the tree's dump.
 *
 * Where the tree had a hole, so does the text.  jansson keeps no string
 * that is not UTF-8 and no NaN: a json_object_set_new of one left its key
 * out (a student's roll_no, name, email, joined_on, a remark), a json_pack
 * of one (or of NULL for "s") failed and its object was left out of its
 * array (a session, a student, an at-risk line, a week), or, for the
 * subject and the totals, the whole body was NULL.  Each writer below
 * returns 0 written, 1 for such a failed pack (its caller rolls the bytes
 * back), -1 on OOM.  tests/test_classjson.c compares the bytes with the
 * tree's dump case by case.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "classjson.h"
#include "jsontext.h"

/* The buffer and the jansson values reused for strings and reals. */
struct cw {
	struct buf b;
	json_t *s, *f;
};

static int
lit(struct cw *w, const char *s)
{
	return buf_append(&w->b, s, strlen(s));
}

/* A literal then a formatted integer. */
static int
num(struct cw *w, const char *key, long long v)
{
	char t[32];
	int n = snprintf(t, sizeof(t), "%lld", v);

	return lit(w, key) < 0 || buf_append(&w->b, t, (size_t)n) < 0 ? -1 : 0;
}

/* json_pack's "s" (s?: optional, NULL is null) after a literal. */
static int
str(struct cw *w, const char *key, const char *s, int optional)
{
	if (lit(w, key) < 0)
		return -1;
	if (s == NULL && optional)
		return lit(w, "null");
	return jsontext_string(&w->b, w->s, s);
}

/* A member set with json_object_set_new(o, key, json_string(s)): left out
 * (its bytes rolled back) where json_string() was NULL. */
static int
set_str(struct cw *w, const char *key, const char *s)
{
	size_t mark = w->b.n;
	int rc = str(w, key, s, 0);

	if (rc == 1)
		w->b.n = mark;
	return rc < 0 ? -1 : 0;
}

/* A percentage: null below 0 (no held session), else a real. */
static int
percent(struct cw *w, const char *key, double p)
{
	if (lit(w, key) < 0)
		return -1;
	return p < 0 ? lit(w, "null") : jsontext_real(&w->b, w->f, p);
}

/* {"held":..,"percent":..: the counts, the object left open. */
static int
counts(struct cw *w, const struct rep_counts *n, double p)
{
	if (num(w, "{\"held\":", n->held) < 0 ||
	    num(w, ",\"present\":", n->present) < 0 ||
	    num(w, ",\"absent\":", n->absent) < 0 ||
	    num(w, ",\"flagged\":", n->flagged) < 0 ||
	    num(w, ",\"excused\":", n->excused) < 0)
		return -1;
	return percent(w, ",\"percent\":", p);
}

/* The subject and its class; 1 where a label is not UTF-8. */
static int
subject(struct cw *w, const struct rep_subject *s)
{
	int rc;

	if ((rc = num(w, "\"subject\":{\"subject_id\":", s->subject_id)) ||
	    (rc = str(w, ",\"course_id\":", s->course_id, 1)) ||
	    (rc = str(w, ",\"course_name\":", s->course_name, 1)) ||
	    (rc = str(w, ",\"teacher_email\":", s->teacher_email, 1)) ||
	    (rc = num(w, ",\"class\":{\"class_id\":", s->class_id)) ||
	    (rc = str(w, ",\"department\":", s->department, 1)) ||
	    (rc = str(w, ",\"batch\":", s->batch, 1)) ||
	    (rc = num(w, ",\"semester\":", s->semester)) ||
	    (rc = str(w, ",\"section\":", s->section, 1)))
		return rc;
	return lit(w, "}}");
}

/* A session: who took it, or the subject's teacher. */
static int
session(struct cw *w, const struct class_report *rep, int j)
{
	const struct rep_session *s = &rep->sessions[j];
	int rc;

	if ((rc = num(w, "{\"session_id\":", s->session_id)) ||
	    (rc = str(w, ",\"date\":", s->date, 0)) ||
	    (rc = num(w, ",\"period_no\":", s->period_no)) ||
	    (rc = str(w, ",\"taken_by\":",
		 s->taken_by ? s->taken_by : rep->subj.teacher_email, 1)))
		return rc;
	return lit(w, "}");
}

/* A student's row of cells, one per session: "P", "A", "R", "E", or null
 * for any other byte.  54,000 of them: written in place, not appended. */
static int
cells(struct cw *w, const char *row, int n)
{
	char *p;
	int j;

	if (buf_reserve(&w->b, 5 * (size_t)n) < 0)
		return -1;
	p = w->b.p + w->b.n;
	for (j = 0; j < n; j++) {
		if (j > 0)
			*p++ = ',';
		switch (row[j]) {
		case 'P':
		case 'A':
		case 'R':
		case REPORT_EXCUSED:
			*p++ = '"';
			*p++ = row[j];
			*p++ = '"';
			break;
		default:
			memcpy(p, "null", 4);
			p += 4;
		}
	}
	*p = '\0';
	w->b.n = (size_t)(p - w->b.p);
	return 0;
}

/* Student i's marks, one per session, and remarks by session id. */
static int
marks(struct cw *w, const struct class_report *rep, int i)
{
	size_t k0 = (size_t)i * (size_t)rep->nsessions, mark;
	char key[40];
	int j, n = 0;

	if (lit(w, ",\"marks\":{\"cells\":[") < 0 ||
	    cells(w, rep->cells + k0, rep->nsessions) < 0 ||
	    lit(w, "],\"remarks\":{") < 0)
		return -1;
	for (j = 0; rep->remarks && j < rep->nsessions; j++) {
		if (rep->remarks[k0 + j] == NULL)
			continue;
		mark = w->b.n;
		snprintf(key, sizeof(key), "%s\"%lld\":", n ? "," : "",
		    rep->sessions[j].session_id);
		if (set_str(w, key, rep->remarks[k0 + j]) < 0)
			return -1;
		n += w->b.n != mark;
	}
	return lit(w, "}}");
}

/* Student i's line of the register; 1 where the tree left it out. */
static int
student(struct cw *w, const struct class_report *rep, int i)
{
	const struct rep_student *st = &rep->students[i];
	int rc;

	if ((rc = counts(w, &st->n, st->percent)) != 0)
		return rc;
	if (set_str(w, ",\"roll_no\":", st->roll_no) < 0 ||
	    set_str(w, ",\"name\":", st->name) < 0 ||
	    set_str(w, ",\"email\":", st->email) < 0 ||
	    (st->joined_on ? set_str(w, ",\"joined_on\":", st->joined_on)
			   : lit(w, ",\"joined_on\":null")) < 0 ||
	    lit(w, st->at_risk ? ",\"at_risk\":true" : ",\"at_risk\":false") <
		0 ||
	    num(w, ",\"longest_absent_run\":", st->run_len) < 0)
		return -1;
	if (st->run_len == 0)
		rc = lit(w,
		    ",\"longest_absent_from\":null,"
		    "\"longest_absent_to\":null");
	else if (set_str(w, ",\"longest_absent_from\":",
		     rep->sessions[st->run_first].date) < 0 ||
	    set_str(w, ",\"longest_absent_to\":",
		rep->sessions[st->run_last].date) < 0)
		rc = -1;
	if (rc < 0 || marks(w, rep, i) < 0)
		return -1;
	return lit(w, "}");
}

/* Student i in the at-risk list; 1 when not at risk or left out. */
static int
at_risk(struct cw *w, const struct class_report *rep, int i)
{
	const struct rep_student *st = &rep->students[i];
	int rc;

	if (!st->at_risk)
		return 1;
	if ((rc = str(w, "{\"roll_no\":", st->roll_no, 0)) ||
	    (rc = str(w, ",\"name\":", st->name, 0)) ||
	    (rc = str(w, ",\"email\":", st->email, 0)) ||
	    (rc = num(w, ",\"held\":", st->n.held)) ||
	    (rc = num(w, ",\"present\":", st->n.present)) ||
	    (rc = percent(w, ",\"percent\":", st->percent)))
		return rc;
	return lit(w, "}");
}

/* ISO week i: its marks and percentage. */
static int
week(struct cw *w, const struct class_report *rep, int i)
{
	const struct attstats_week *wk = &rep->weeks[i];
	char name[16];
	int rc;

	snprintf(name, sizeof(name), "%04d-W%02d", wk->iso_year, wk->week);
	if ((rc = str(w, "{\"week\":", name, 0)) ||
	    (rc = num(w, ",\"marks\":", wk->marks)) ||
	    (rc = num(w, ",\"present\":", wk->present)) ||
	    (rc = percent(w,
		 ",\"percent\":", attstats_percent(wk->present, wk->marks))))
		return rc;
	return lit(w, "}");
}

/* key then [f(0),...,f(n-1)], an item f answers 1 for left out. */
static int
array(struct cw *w, const char *key, const struct class_report *rep, int n,
    int (*f)(struct cw *, const struct class_report *, int))
{
	size_t mark;
	int i, rc, k = 0;

	if (lit(w, key) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		mark = w->b.n;
		if ((k && lit(w, ",") < 0) || (rc = f(w, rep, i)) < 0)
			return -1;
		if (rc == 1)
			w->b.n = mark;
		else
			k++;
	}
	return lit(w, "]");
}

static int
totals(struct cw *w, const struct class_report *rep)
{
	int rc;

	if ((rc = lit(w, ",\"totals\":")) ||
	    (rc = counts(w, &rep->total, rep->total_percent)) ||
	    (rc = num(w, ",\"students\":", rep->nstudents)) ||
	    (rc = num(w, ",\"sessions_held\":", rep->nsessions)) ||
	    (rc = num(w, ",\"at_risk\":", rep->nat_risk)))
		return rc;
	return lit(w, "}");
}

/* The body: 0, or 1 / -1 for NULL. */
static int
body(struct cw *w, const struct class_report *rep)
{
	int rc;

	if ((rc = lit(w, "{")) || (rc = subject(w, &rep->subj)) ||
	    (rc = str(w, ",\"from\":", rep->from_s, 0)) ||
	    (rc = str(w, ",\"to\":", rep->to_s, 0)) ||
	    (rc = num(w, ",\"threshold\":", rep->threshold)) ||
	    (rc = array(w, ",\"sessions\":[", rep, rep->nsessions, session)) ||
	    (rc = array(w, ",\"students\":[", rep, rep->nstudents, student)) ||
	    (rc = totals(w, rep)) ||
	    (rc = array(w, ",\"at_risk\":[", rep, rep->nstudents, at_risk)) ||
	    (rc = array(w, ",\"weekly\":[", rep, rep->nweeks, week)))
		return rc;
	return lit(w, "}");
}

/*
 * The text's size, a little over so that it is allocated once: up to 5
 * bytes a cell, about 380 a student on the benchmark's register (counts,
 * names, dates, an at-risk line) and 100 a session.
 */
static size_t
estimate(const struct class_report *rep)
{
	size_t per_student = 400 + 5 * (size_t)rep->nsessions;

	return 1024 + (size_t)rep->nstudents * per_student +
	    100 * (size_t)rep->nsessions + 64 * (size_t)rep->nweeks;
}

char *
classjson_dump(const struct class_report *rep, size_t *len)
{
	struct cw w = { { NULL, 0, 0, 0 }, json_string(""), json_real(0) };
	int rc = w.s && w.f ? buf_reserve(&w.b, estimate(rep)) : -1;

	if (rc == 0)
		rc = body(&w, rep);
	json_decref(w.s);
	json_decref(w.f);
	if (rc != 0) {
		buf_release(&w.b);
		return NULL;
	}
	*len = w.b.n;
	return w.b.p;
}
