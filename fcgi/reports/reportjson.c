/*
 * reportjson.c - the JSON body of the student report, from the plain
 * report structs (the class summary's, much bigger, is written as text by
 * classjson.c).
 */
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
