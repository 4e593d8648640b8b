/*
 * substitute.c - a class taken by another teacher.  The subject's teacher
 * (away), a head of the class's department or an administrator assigns a
 * substitute for one period on one date; the substitute then finds that
 * period on their day's timetable and takes its attendance like the
 * subject's teacher (scope.h: SCOPE_TAKES_SQL).  The session records who
 * took it (session.taken_by), which the register and reports show.
 *
 *   POST   /substitutes {period_id, date, teacher_email, reason?}
 *   GET    /substitutes?from=&to=   the assignments that concern the caller
 *   DELETE /substitutes/:id         by whoever may assign it
 */
#include <stdlib.h>
#include <string.h>

#include "attstats.h"
#include "audit.h"
#include "calendar.h"
#include "config.h"
#include "db.h"
#include "jsonio.h"
#include "register.h"
#include "scope.h"
#include "substitute.h"

/* The reply for a scope_assign_substitute() refusal; 0 when SCOPE_IN. */
static int
may_assign(struct http_req *r, long long period_id)
{
	struct scope s;
	int rc;

	if (scope_load(r->db, r->arena, &r->auth, &s) != SCOPE_IN)
		return 503;
	rc = scope_assign_substitute(r->db, r->arena, &s, period_id);
	if (rc == SCOPE_MISSING)
		return http_reply_error(r, 404, "period_not_found",
		    "no such period");
	if (rc == SCOPE_OUT)
		return http_reply_error(r, 403, "out_of_scope",
		    "only the subject's teacher, the department's head or an "
		    "administrator may assign its substitute");
	return rc == SCOPE_IN ? 0 : 503;
}

/* The date: a day not further back than BACKDATE_DAYS, within a year. */
static int
check_date(struct http_req *r, const char *date)
{
	char today[ATTSTATS_DATE_LEN];
	long back;

	attstats_format_date(attstats_today(), today);
	back = calendar_days_back(today, date);
	if (back > r->cfg->backdate_days || back < -366)
		return http_reply_error(r, 400, "bad_date",
		    "a substitute may be assigned from %ld days back to a year "
		    "ahead",
		    (long)r->cfg->backdate_days);
	return 0;
}

/* The substitute: a verified, unblocked teacher, not the subject's own. */
static int
check_teacher(struct http_req *r, long long period_id, const char *email)
{
	struct db_rows t;
	int rc = db_query_one(r->db, r->arena, &t,
	    "SELECT t.verified AND NOT t.blocked, t.teacher_email = "
	    "(SELECT sj.teacher_email FROM period p JOIN subject sj ON "
	    "sj.subject_id = p.subject_id WHERE p.period_id = ?) "
	    "FROM teacher t WHERE t.teacher_email = ?",
	    "Is", period_id, email);

	if (rc == DB_NOTFOUND || (rc == DB_OK && !db_get_int(&t, 0, 0)))
		return http_reply_error(r, 404, "teacher_not_found",
		    "no such teacher (or not yet verified)");
	if (rc != DB_OK)
		return 503;
	if (db_get_int(&t, 0, 1))
		return http_reply_error(r, 400, "same_teacher",
		    "the subject's own teacher needs no substitute");
	return 0;
}

/* Inserts the row and its audit row in one transaction. */
static int
insert_substitute(struct http_req *r, long long period_id, const char *date,
    const char *email, const char *reason, long long *id)
{
	int rc;

	if (db_begin(r->db) != DB_OK)
		return 503;
	rc = db_exec(r->db,
	    "INSERT INTO substitute (period_id, date, teacher_email, reason, "
	    "assigned_by) VALUES (?, ?, ?, ?, ?)",
	    "Issss", period_id, date, email, reason, r->auth.email);
	if (rc == DB_CONFLICT)
		return http_reply_error(r, 409, "substitute_exists",
		    "that period already has a substitute on %s", date);
	if (rc != DB_OK)
		return 503;
	*id = db_insert_id(r->db);
	if (audit_write(r->db, r->auth.email, "substitute.assigned", email,
		NULL, date, reason) != DB_OK ||
	    db_commit(r->db) != DB_OK)
		return 503;
	return 0;
}

int
substitute_create(struct http_req *r)
{
	const char *date = NULL, *email = NULL, *reason = "";
	long long period_id = 0, id = 0;
	char err[256];
	int status;

	if ((status = register_date(r, "date", &date)) != 0)
		goto out;
	if (jsonio_int(r->json, "period_id", JSONH_REQUIRED, 1, 4294967295LL,
		&period_id, err, sizeof(err)) < 0 ||
	    jsonio_string(r->json, "teacher_email", JSONH_REQUIRED, 190, &email,
		err, sizeof(err)) < 0 ||
	    jsonio_string(r->json, "reason", JSONH_OPTIONAL, 500, &reason, err,
		sizeof(err)) < 0) {
		status = http_reply_error(r, 400, "bad_request", "%s", err);
		goto out;
	}
	if ((status = may_assign(r, period_id)) != 0 ||
	    (status = check_date(r, date)) != 0 ||
	    (status = check_teacher(r, period_id, email)) != 0 ||
	    (status = insert_substitute(r, period_id, date, email,
		 reason ? reason : "", &id)) != 0)
		goto out;
	status = http_reply_json(r, 201,
	    json_pack("{s:I,s:I,s:s,s:s}", "substitute_id", (json_int_t)id,
		"period_id", (json_int_t)period_id, "date", date,
		"teacher_email", email));
out:
	return status;
}

static json_t *
substitutes_json(const struct db_rows *rows)
{
	json_t *list = json_array();
	int i;

	for (i = 0; i < rows->nrows; i++)
		json_array_append_new(list,
		    json_pack("{s:I,s:I,s:s,s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:s}",
			"substitute_id", (json_int_t)db_get_int(rows, i, 0),
			"period_id", (json_int_t)db_get_int(rows, i, 1), "date",
			db_get(rows, i, 2), "period_no",
			(json_int_t)db_get_int(rows, i, 3), "course_id",
			db_get(rows, i, 4), "class", db_get(rows, i, 5),
			"teacher_email", db_get(rows, i, 6), "teacher",
			db_get(rows, i, 7), "regular_teacher",
			db_get(rows, i, 8), "assigned_by", db_get(rows, i, 9),
			"reason", db_get(rows, i, 10)));
	return list;
}

/*
 * GET /substitutes?from=&to= (default: today to 30 days ahead): those the
 * caller takes or assigned or whose subject they teach; a head's
 * department's; an administrator's all.
 */
int
substitute_list(struct http_req *r)
{
	const char *f = http_query(r, "from"), *t = http_query(r, "to");
	char from[ATTSTATS_DATE_LEN], to[ATTSTATS_DATE_LEN];
	long fd = attstats_today(), td = fd + 30;
	struct db_rows rows;
	struct scope s;
	int status = 503;

	if ((f && *f && attstats_parse_date(f, &fd) < 0) ||
	    (t && *t && attstats_parse_date(t, &td) < 0) || fd > td ||
	    td - fd > 400) {
		status = http_reply_error(r, 400, "bad_range",
		    "'from' and 'to' must be dates YYYY-MM-DD, in order, at "
		    "most 400 days apart");
		goto out;
	}
	attstats_format_date(fd, from);
	attstats_format_date(td, to);
	if (scope_load(r->db, r->arena, &r->auth, &s) != SCOPE_IN ||
	    db_query(r->db, r->arena, &rows,
		"SELECT sb.substitute_id, sb.period_id, DATE_FORMAT(sb.date, "
		"'%Y-%m-%d'), p.period_no, sj.course_id, CONCAT(c.batch, '/', "
		"c.semester, '/', c.section), sb.teacher_email, t.name, "
		"sj.teacher_email, sb.assigned_by, sb.reason "
		"FROM substitute sb JOIN period p ON p.period_id = sb.period_id "
		"JOIN subject sj ON sj.subject_id = p.subject_id "
		"JOIN class c ON c.class_id = sj.class_id "
		"JOIN teacher t ON t.teacher_email = sb.teacher_email "
		"WHERE sb.date BETWEEN ? AND ? AND (? = 1 OR ? IN "
		"(sb.teacher_email, sb.assigned_by, sj.teacher_email) OR "
		"c.department_id = ?) ORDER BY sb.date, p.period_no",
		"ssisI", from, to, s.role == ROLE_ADMIN, r->auth.email,
		s.role == ROLE_HEAD ? s.department_id : -1) != DB_OK)
		goto out;
	status = http_reply_json(r, 200,
	    json_pack("{s:s,s:s,s:o}", "from", from, "to", to, "substitutes",
		substitutes_json(&rows)));
out:
	return status;
}

/* DELETE /substitutes/:id: whoever may assign one for its period. */
int
substitute_delete(struct http_req *r)
{
	const char *p = http_param(r, "id");
	long long id = p ? atoll(p) : 0;
	struct db_rows row;
	int status = 503, rc;

	rc = id > 0 ? db_query_one(r->db, r->arena, &row,
			  "SELECT period_id, teacher_email FROM substitute "
			  "WHERE substitute_id = ?",
			  "I", id)
		    : DB_NOTFOUND;
	if (rc == DB_NOTFOUND) {
		status =
		    http_reply_error(r, 404, "not_found", "no such substitute");
		goto out;
	}
	if (rc != DB_OK ||
	    (status = may_assign(r, db_get_int(&row, 0, 0))) != 0)
		goto out;
	status = 503;
	if (db_begin(r->db) != DB_OK ||
	    db_exec(r->db, "DELETE FROM substitute WHERE substitute_id = ?",
		"I", id) != DB_OK ||
	    audit_write(r->db, r->auth.email, "substitute.removed",
		db_get(&row, 0, 1), p, NULL, NULL) != DB_OK ||
	    db_commit(r->db) != DB_OK)
		goto out;
	status = http_reply_json(r, 200,
	    json_pack("{s:I,s:b}", "substitute_id", (json_int_t)id, "deleted",
		1));
out:
	return status;
}
