/*
 * leave.c - leave and duty records: a teacher enters one for a student of
 * a class they teach (approved at once); a student applies for their own
 * (pending until a teacher of their class approves or rejects it).  The
 * rules (overlap, class dates, one transaction with its audit row) are
 * calendar.c's, shared with `ehazira-admin leave`.
 */
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "db.h"
#include "jsonio.h"
#include "leave.h"
#include "register.h"
#include "token.h"

/* The body's fields; the student is the caller when a student asks. */
static int
leave_parse(struct http_req *r, struct calendar_leave *l)
{
	const char *reason = "";
	char err[256];
	int kind = -1, status;

	if (jsonio_enum(r->json, "kind", JSONH_REQUIRED, calendar_leave_kinds,
		&kind, err, sizeof(err)) < 0 ||
	    jsonio_string(r->json, "reason", JSONH_OPTIONAL, 500, &reason, err,
		sizeof(err)) < 0)
		return http_reply_error(r, 400, "bad_request", "%s", err);
	if ((status = register_date(r, "from", &l->from)) != 0 ||
	    (status = register_date(r, "to", &l->to)) != 0)
		return status;
	if (strcmp(l->from, l->to) > 0)
		return http_reply_error(r, 422, "bad_range",
		    "'from' is after 'to'");
	l->kind = calendar_leave_kinds[kind];
	l->reason = reason;
	l->entered_by = r->auth.email;
	if (r->auth.role == ROLE_STUDENT) {
		l->student_email = r->auth.email;
		l->state = "PENDING";
		return 0;
	}
	l->state = "APPROVED";
	if (jsonio_string(r->json, "student_email", JSONH_REQUIRED, 190,
		&l->student_email, err, sizeof(err)) < 0)
		return http_reply_error(r, 400, "bad_request", "%s", err);
	return 0;
}

/* A teacher may act only on a student of a class they teach. */
static int
teaches_student(struct http_req *r, const char *email)
{
	struct db_rows s;
	int rc = db_query_one(r->db, r->arena, &s,
	    "SELECT class_id FROM student WHERE student_email = ?", "s", email);

	if (rc == DB_NOTFOUND)
		return http_reply_error(r, 404, "student_not_found",
		    "no such student");
	if (rc != DB_OK)
		return 503;
	return register_teaches_class(r, db_get_int(&s, 0, 0));
}

int
leave_create(struct http_req *r)
{
	struct calendar_leave l = { 0 };
	long long id = 0;
	int status;

	if ((status = leave_parse(r, &l)) != 0)
		goto out;
	if (r->auth.role == ROLE_TEACHER &&
	    (status = teaches_student(r, l.student_email)) != 0)
		goto out;
	if ((status = register_calendar_reply(r,
		 calendar_leave_add(r->db, r->arena, &l, &id))) != 0)
		goto out;
	status = http_reply_json(r, 201,
	    json_pack("{s:I,s:s,s:s,s:s,s:s,s:s}", "leave_id", (json_int_t)id,
		"student_email", l.student_email, "kind", l.kind, "from",
		l.from, "to", l.to, "state", l.state));
out:
	return status;
}

static json_t *
leave_rows_json(const struct db_rows *rows)
{
	json_t *list = json_array();
	int i;

	for (i = 0; i < rows->nrows; i++)
		json_array_append_new(list,
		    json_pack("{s:I,s:s,s:s,s:s,s:I,s:s,s:s,s:s,s:s,s:s,s:s?}",
			"leave_id", (json_int_t)db_get_int(rows, i, 0),
			"student_email", db_get(rows, i, 1), "name",
			db_get(rows, i, 2), "roll_no", db_get(rows, i, 3),
			"class_id", (json_int_t)db_get_int(rows, i, 4), "kind",
			db_get(rows, i, 5), "from", db_get(rows, i, 6), "to",
			db_get(rows, i, 7), "reason", db_get(rows, i, 8),
			"state", db_get(rows, i, 9), "entered_by",
			db_get(rows, i, 10)));
	return list;
}

/*
 * GET /leave[?class_id=&state=]: a student's own records; a teacher's
 * students' (the classes they teach), newest first.
 */
int
leave_list(struct http_req *r)
{
	const char *cq = http_query(r, "class_id"),
		   *state = http_query(r, "state");
	long long class_id = cq ? atoll(cq) : 0;
	int student = r->auth.role == ROLE_STUDENT, status = 503;
	struct db_rows rows;

	if (state && *state && strcmp(state, "PENDING") != 0 &&
	    strcmp(state, "APPROVED") != 0 && strcmp(state, "REJECTED") != 0) {
		status = http_reply_error(r, 400, "bad_request",
		    "'state' must be PENDING, APPROVED or REJECTED");
		goto out;
	}
	if (db_query(r->db, r->arena, &rows,
		"SELECT l.leave_id, s.student_email, s.name, s.roll_no, "
		"s.class_id, l.kind, DATE_FORMAT(l.from_date, '%Y-%m-%d'), "
		"DATE_FORMAT(l.to_date, '%Y-%m-%d'), l.reason, l.state, "
		"l.entered_by FROM student_leave l JOIN student s ON "
		"s.student_email = l.student_email WHERE "
		"((? = 1 AND s.student_email = ?) OR (? = 0 AND s.class_id IN "
		"(SELECT class_id FROM subject WHERE teacher_email = ?) AND "
		"(? = 0 OR s.class_id = ?))) AND (? = '' OR l.state = ?) "
		"ORDER BY l.from_date DESC, l.leave_id DESC LIMIT 500",
		"isisIIss", student, r->auth.email, student, r->auth.email,
		class_id, class_id, state ? state : "",
		state ? state : "") != DB_OK)
		goto out;
	status = http_reply_json(r, 200,
	    json_pack("{s:o}", "leave", leave_rows_json(&rows)));
out:
	return status;
}

static int
decide(struct http_req *r, int approve)
{
	const char *p = http_param(r, "id");
	struct db_rows l;
	char *end;
	long long id = 0;
	int status, rc;

	if (p == NULL || strlen(p) > 18 || *p < '0' || *p > '9' ||
	    (id = strtoll(p, &end, 10)) <= 0 || *end != '\0') {
		status = http_reply_error(r, 404, "leave_not_found",
		    "no such leave");
		goto out;
	}
	rc = db_query_one(r->db, r->arena, &l,
	    "SELECT s.class_id FROM student_leave l JOIN student s ON "
	    "s.student_email = l.student_email WHERE l.leave_id = ?",
	    "I", id);
	if (rc != DB_OK) {
		status = rc == DB_NOTFOUND
		    ? http_reply_error(r, 404, "leave_not_found",
			  "no such leave")
		    : 503;
		goto out;
	}
	if ((status = register_teaches_class(r, db_get_int(&l, 0, 0))) != 0 ||
	    (status = register_calendar_reply(r,
		 calendar_leave_decide(r->db, r->arena, id, approve,
		     r->auth.email))) != 0)
		goto out;
	status = http_reply_json(r, 200,
	    json_pack("{s:I,s:s}", "leave_id", (json_int_t)id, "state",
		approve ? "APPROVED" : "REJECTED"));
out:
	return status;
}

int
leave_approve(struct http_req *r)
{
	return decide(r, 1);
}

int
leave_reject(struct http_req *r)
{
	return decide(r, 0);
}
