/*
 * holiday.c - days without class.  A teacher cancels one of their own
 * periods on a date, or declares a holiday for a class they teach; an
 * institution-wide holiday is the admin's (`ehazira-admin holiday`).
 * A day on which attendance was already taken in the record's scope is
 * refused (calendar.c), and initiate refuses a session on such a day.
 */
#include <stdlib.h>
#include <string.h>

#include "attstats.h"
#include "audit.h"
#include "calendar.h"
#include "db.h"
#include "holiday.h"
#include "jsonio.h"
#include "register.h"
#include "token.h"

/* The period must be the caller's: its subject's teacher. */
static int
own_period(struct http_req *r, long long period_id)
{
	struct db_rows p;
	int rc = db_query_one(r->db, r->arena, &p,
	    "SELECT sj.teacher_email = ? FROM period p JOIN subject sj ON "
	    "sj.subject_id = p.subject_id WHERE p.period_id = ?",
	    "sI", r->auth.email, period_id);

	if (rc == DB_NOTFOUND)
		return http_reply_error(r, 404, "period_not_found",
		    "no such period");
	if (rc != DB_OK)
		return 503;
	if (!db_get_int(&p, 0, 0))
		return http_reply_error(r, 403, "not_your_period",
		    "only the subject's teacher may cancel its class");
	return 0;
}

int
holiday_create(struct http_req *r)
{
	struct calendar_noclass n = { 0 };
	long long id = 0;
	char err[256];
	int status;

	n.reason = "";
	n.created_by = r->auth.email;
	if ((status = register_date(r, "date", &n.date)) != 0)
		goto out;
	if (jsonio_int(r->json, "class_id", JSONH_OPTIONAL, 1, 4294967295LL,
		&n.class_id, err, sizeof(err)) < 0 ||
	    jsonio_int(r->json, "period_id", JSONH_OPTIONAL, 1, 4294967295LL,
		&n.period_id, err, sizeof(err)) < 0 ||
	    jsonio_string(r->json, "reason", JSONH_OPTIONAL, 500, &n.reason,
		err, sizeof(err)) < 0) {
		status = http_reply_error(r, 400, "bad_request", "%s", err);
		goto out;
	}
	if ((n.class_id > 0) == (n.period_id > 0)) {
		status = http_reply_error(r, 400, "bad_request",
		    "give exactly one of 'class_id' (a holiday) and "
		    "'period_id' (a cancelled class)");
		goto out;
	}
	if ((status = n.period_id > 0
		    ? own_period(r, n.period_id)
		    : register_teaches_class(r, n.class_id)) != 0 ||
	    (status = register_calendar_reply(r,
		 calendar_noclass_add(r->db, r->arena, &n, &id))) != 0)
		goto out;
	status = http_reply_json(r, 201,
	    json_pack("{s:I,s:s,s:s}", "no_class_id", (json_int_t)id, "date",
		n.date, "kind", n.period_id > 0 ? "CANCELLED" : "HOLIDAY"));
out:
	return status;
}

/* from/to from the query; default: 30 days back to 60 days ahead. */
static int
holiday_range(struct http_req *r, char *from, char *to)
{
	const char *f = http_query(r, "from"), *t = http_query(r, "to");
	long today = attstats_today(), fd = today - 30, td = today + 60;

	if ((f && *f && attstats_parse_date(f, &fd) < 0) ||
	    (t && *t && attstats_parse_date(t, &td) < 0) || fd > td ||
	    td - fd > 3660)
		return http_reply_error(r, 400, "bad_range",
		    "'from' and 'to' must be dates YYYY-MM-DD, in order, "
		    "at most ten years apart");
	attstats_format_date(fd, from);
	attstats_format_date(td, to);
	return 0;
}

static json_t *
noclass_json(const struct db_rows *rows)
{
	json_t *list = json_array();
	int i;

	for (i = 0; i < rows->nrows; i++)
		json_array_append_new(list,
		    json_pack("{s:I,s:s,s:s,s:o,s:o,s:s,s:s?}", "no_class_id",
			(json_int_t)db_get_int(rows, i, 0), "date",
			db_get(rows, i, 1), "kind", db_get(rows, i, 2),
			"class_id",
			db_get(rows, i, 3)
			    ? json_integer(db_get_int(rows, i, 3))
			    : json_null(),
			"period_id",
			db_get(rows, i, 4)
			    ? json_integer(db_get_int(rows, i, 4))
			    : json_null(),
			"reason", db_get(rows, i, 5), "course_id",
			db_get(rows, i, 6)));
	return list;
}

/*
 * GET /holidays?from=&to=: the days without class that concern the
 * caller: institution-wide, their classes', their periods'.
 */
int
holiday_list(struct http_req *r)
{
	char from[ATTSTATS_DATE_LEN], to[ATTSTATS_DATE_LEN];
	int student = r->auth.role == ROLE_STUDENT, status;
	struct db_rows rows;

	if ((status = holiday_range(r, from, to)) != 0)
		goto out;
	status = 503;
	if (db_query(r->db, r->arena, &rows,
		"SELECT nc.no_class_id, DATE_FORMAT(nc.date, '%Y-%m-%d'), "
		"nc.kind, nc.class_id, nc.period_id, nc.reason, sj.course_id "
		"FROM no_class nc LEFT JOIN period p ON p.period_id = "
		"nc.period_id LEFT JOIN subject sj ON sj.subject_id = "
		"p.subject_id WHERE nc.date BETWEEN ? AND ? AND "
		"(nc.class_id IS NULL AND nc.period_id IS NULL OR "
		" COALESCE(nc.class_id, sj.class_id) IN (SELECT class_id FROM "
		" subject WHERE ? = 0 AND teacher_email = ? UNION SELECT "
		" class_id FROM student WHERE ? = 1 AND student_email = ?)) "
		"ORDER BY nc.date, nc.no_class_id",
		"ssisis", from, to, student, r->auth.email, student,
		r->auth.email) != DB_OK)
		goto out;
	status = http_reply_json(r, 200,
	    json_pack("{s:s,s:s,s:o}", "from", from, "to", to, "days",
		noclass_json(&rows)));
out:
	return status;
}

/* DELETE /holidays/:id: a record the caller made (an admin's stays). */
int
holiday_delete(struct http_req *r)
{
	const char *p = http_param(r, "id");
	long long id = p ? atoll(p) : 0;
	int status = 503;

	if (id <= 0) {
		status = http_reply_error(r, 404, "not_found",
		    "no such day of yours");
		goto out;
	}
	if (db_begin(r->db) != DB_OK ||
	    db_exec(r->db,
		"DELETE FROM no_class WHERE no_class_id = ? AND created_by = ?",
		"Is", id, r->auth.email) != DB_OK)
		goto out;
	if (db_affected(r->db) == 0) {
		status = http_reply_error(r, 404, "not_found",
		    "no such day of yours");
		goto out;
	}
	if (audit_write(r->db, r->auth.email, "calendar.no_class_removed", p,
		NULL, NULL, NULL) != DB_OK ||
	    db_commit(r->db) != DB_OK)
		goto out;
	status = http_reply_json(r, 200,
	    json_pack("{s:I,s:b}", "no_class_id", (json_int_t)id, "deleted",
		1));
out:
	return status;
}
