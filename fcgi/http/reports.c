/*
 * reports.c - GET /attendance/student-summary and /attendance/class-summary:
 * query parameters, who may see what, and the answer in the asked format.
 * The numbers come from reports.c, the same builders cron uses; the
 * student's JSON also lists their leave over the range (reportleave.c).
 *
 * Access: a student sees only their own summary; a teacher sees a student
 * only through the subjects the teacher teaches in that student's class,
 * and a class register only for a subject they teach.  A student asking
 * for someone else gets 403 whether or not the e-mail exists.  A head of
 * department reads every student and subject of their department, an
 * administrator everything (scope.c); outside that a head is a teacher.
 * Refusals of an existing object are 403 out_of_scope; a missing one is
 * 404 for staff (a student never learns whether an e-mail exists).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "classjson.h"
#include "config.h"
#include "db.h"
#include "log.h"
#include "reportbuild.h"
#include "reportexport.h"
#include "reportfile.h"
#include "reportjson.h"
#include "reportleave.h"
#include "reports.h"
#include "scope.h"

#define MAX_RANGE_DAYS 400

/*
 * The teacher filter for the report builders: NULL when a head or an
 * administrator reads the object through their department (or the
 * institution), the caller's e-mail otherwise (the teacher path).  0, or
 * the status already answered.
 */
static int
wide_scope(struct http_req *r, const char *student, long long subject_id,
    const char **teacher)
{
	struct scope s;
	int rc;

	*teacher = r->auth.email;
	if (r->auth.role != ROLE_HEAD && r->auth.role != ROLE_ADMIN)
		return 0;
	if (scope_load(r->db, r->arena, &r->auth, &s) != SCOPE_IN)
		return 503;
	rc = student ? scope_student(r->db, r->arena, &s, student)
		     : scope_subject(r->db, r->arena, &s, subject_id);
	if (rc == SCOPE_DBERR)
		return 503;
	if (rc == SCOPE_MISSING)
		return http_reply_error(r, 404, "not_found",
		    student ? "no such student" : "no such subject");
	if (rc == SCOPE_IN)
		*teacher = NULL;
	return 0;
}

static int
reply_file(struct http_req *r, int fmt, const char *name, char *buf, size_t len)
{
	http_add_header(r, "Content-Disposition",
	    arena_printf(r->arena, "attachment; filename=\"%s\"", name));
	return http_reply_raw(r, 200, reportfile_mime(fmt), buf, len);
}

/* An optional positive id; 0 when absent, -1 when malformed. */
static long long
query_id(struct http_req *r, const char *name)
{
	const char *s = http_query(r, name);
	long long v = 0;
	const char *p;

	if (s == NULL || *s == '\0')
		return 0;
	for (p = s; *p; p++) {
		if (*p < '0' || *p > '9' || v > 0x7fffffffLL)
			return -1;
		v = v * 10 + (*p - '0');
	}
	return v > 0 && v <= 0xffffffffLL ? v : -1;
}

/* The date range and format both reports take; 0, or the status with the
 * error reply set. */
static int
range_and_format(struct http_req *r, long *from, long *to, int *fmt)
{
	long days = r->cfg->report_days;

	days = days < 1 ? 1 : days > MAX_RANGE_DAYS ? MAX_RANGE_DAYS : days;
	switch (attstats_range(http_query(r, "from"), http_query(r, "to"),
	    attstats_today(), days, MAX_RANGE_DAYS, from, to)) {
	case ATTSTATS_RANGE_OK:
		break;
	case ATTSTATS_RANGE_BAD_FROM:
		return http_reply_error(r, 400, "bad_request",
		    "from must be a date as YYYY-MM-DD");
	case ATTSTATS_RANGE_BAD_TO:
		return http_reply_error(r, 400, "bad_request",
		    "to must be a date as YYYY-MM-DD");
	case ATTSTATS_RANGE_REVERSED:
		return http_reply_error(r, 400, "bad_request",
		    "from must not be after to");
	default:
		return http_reply_error(r, 400, "bad_request",
		    "the range from..to must be at most %d days",
		    MAX_RANGE_DAYS);
	}
	if ((*fmt = reportfile_format(http_query(r, "format"))) < 0)
		return http_reply_error(r, 400, "bad_request",
		    "format must be json, csv, xlsx or edfi");
	return 0;
}

/* The summary as JSON, with the student's leave over the range. */
static int
student_json(struct http_req *r, const struct student_report *rep,
    const char *email, long from, long to)
{
	json_t *body = reportjson_student(rep), *leave = NULL;

	if (body == NULL ||
	    reportleave_student(db_reader(r->db), r->arena, email, from, to,
		&leave) != DB_OK) {
		json_decref(body);
		return 503;
	}
	json_object_set_new(body, "leave", leave);
	return http_reply_json(r, 200, body);
}

int
reports_student(struct http_req *r)
{
	struct student_report rep;
	const char *email = http_query(r, "student_email"), *teacher = NULL;
	long long subject_id = query_id(r, "subject_id");
	long from, to;
	int fmt, rc;
	char *buf;
	size_t len;

	if ((rc = range_and_format(r, &from, &to, &fmt)) != 0)
		return rc;
	if (subject_id < 0)
		return http_reply_error(r, 400, "bad_request",
		    "subject_id must be a positive whole number");
	if (email && *email == '\0')
		email =
		    NULL; /* "student_email=" is the same as leaving it out */
	if (email && strlen(email) > 190)
		return http_reply_error(r, 400, "bad_request",
		    "student_email is too long");
	if (r->auth.role == ROLE_STUDENT) {
		if (email && strcasecmp(email, r->auth.email) != 0)
			return http_reply_error(r, 403, "out_of_scope",
			    "students may only see their own attendance");
		email = r->auth.email;
	} else {
		if (email == NULL)
			return http_reply_error(r, 400, "bad_request",
			    "student_email is required");
		if ((rc = wide_scope(r, email, 0, &teacher)) != 0)
			return rc;
	}
	rc = reportbuild_student(db_reader(r->db), r->arena, r->cfg, email,
	    subject_id, teacher, from, to, &rep);
	if (rc == DB_NOTFOUND)
		return http_reply_error(r, 404, "not_found", "no such student");
	if (rc != DB_OK)
		return 503;
	if (rep.nsubjects == 0 && teacher)
		return http_reply_error(r, 403, "out_of_scope",
		    subject_id ? "you do not teach this subject to this student"
			       : "you do not teach this student");
	if (rep.nsubjects == 0 && subject_id)
		return http_reply_error(r, 404, "not_found",
		    "no such subject in your class");
	http_add_header(r, "Cache-Control", "no-store");
	if (fmt == REPORT_JSON)
		return student_json(r, &rep, email, from, to);
	if (reportexport_student(&rep, fmt,
		reportexport_tmpdir(r->arena, r->cfg), r->arena, &buf,
		&len) < 0)
		return 503;
	return reply_file(r, fmt, reportfile_student_name(r->arena, &rep, fmt),
	    buf, len);
}

int
reports_class(struct http_req *r)
{
	struct class_report rep;
	const char *teacher;
	long long subject_id = query_id(r, "subject_id");
	long long class_id = query_id(r, "class_id");
	long from, to;
	int fmt, rc;
	char *buf;
	size_t len;

	if ((rc = range_and_format(r, &from, &to, &fmt)) != 0)
		return rc;
	if (subject_id <= 0)
		return http_reply_error(r, 400, "bad_request",
		    "subject_id is required (a positive whole number)");
	if (class_id < 0)
		return http_reply_error(r, 400, "bad_request",
		    "class_id must be a positive whole number");
	if ((rc = wide_scope(r, NULL, subject_id, &teacher)) != 0)
		return rc;
	rc = reportbuild_class(db_reader(r->db), r->arena, r->cfg, subject_id,
	    teacher, from, to, &rep);
	if (rc == DB_NOTFOUND)
		return http_reply_error(r, 404, "not_found", "no such subject");
	if (rc == REPORTBUILD_FORBIDDEN)
		return http_reply_error(r, 403, "out_of_scope",
		    "only the subject's teacher may see its register");
	if (rc != DB_OK)
		return 503;
	if (class_id && class_id != rep.subj.class_id)
		return http_reply_error(r, 404, "not_found",
		    "the subject is not taught in that class");
	http_add_header(r, "Cache-Control", "no-store");
	if (fmt == REPORT_JSON) {
		buf = classjson_dump(&rep,
		    &len); /* malloc'd: the arena takes it */
		return http_reply_json_text(r, 200, buf, len);
	}
	if (reportexport_class(&rep, fmt, reportexport_tmpdir(r->arena, r->cfg),
		r->arena, &buf, &len) < 0)
		return 503;
	return reply_file(r, fmt, reportfile_class_name(r->arena, &rep, fmt),
	    buf, len);
}
