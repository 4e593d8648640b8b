/*
 * devices.c - who decides about a student's new phone, and the audit
 * trail.
 *
 * A student signing in from another phone leaves a PENDING device row
 * (auth.c).  A teacher who teaches a subject of the student's class sees
 * it in GET /devices/pending and approves or rejects it; an administrator
 * can do the same from ehazira-admin (same function, no class check).
 * Approval keeps the invariant "one active device per student": in one
 * transaction the old device becomes REPLACED, inactive, and its refresh
 * tokens are revoked, so it is refused at its next request (guard.c
 * re-checks the device on every call).
 *
 * Lock order matches sign-in: the student row first, then device rows.
 */
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "devices.h"
#include "log.h"

int
devices_audit(struct db *db, const char *actor, const char *action,
    const char *subject, const char *old_value, const char *new_value,
    const char *reason)
{
	return db_exec(db,
	    "INSERT INTO audit_log (actor, action, subject, old_value, "
	    "new_value, reason) VALUES (?, ?, ?, LEFT(?, 255), LEFT(?, 255), "
	    "LEFT(?, 512))",
	    "ssssss", actor, action, subject, old_value, new_value, reason);
}

static int
decide_locked(struct db *db, struct arena *ar, long long id, int approve,
    const char *teacher, const char *actor)
{
	struct db_rows rows, old;
	const char *email;
	long long cls;
	int rc, i;

	rc = db_query_one(db, ar, &rows,
	    "SELECT user_email FROM device "
	    "WHERE device_id = ? AND role = 'student'",
	    "I", id);
	if (rc != DB_OK)
		return rc == DB_NOTFOUND ? DEVICES_NOTFOUND : DEVICES_ERR;
	email = db_get(&rows, 0, 0);
	rc = db_query_one(db, ar, &rows,
	    "SELECT class_id FROM student "
	    "WHERE student_email = ? FOR UPDATE",
	    "s", email);
	if (rc != DB_OK)
		return rc == DB_NOTFOUND ? DEVICES_NOTFOUND : DEVICES_ERR;
	cls = db_get_int(&rows, 0, 0);
	if (teacher) {
		rc = db_query(db, ar, &rows,
		    "SELECT 1 FROM subject WHERE "
		    "class_id = ? AND teacher_email = ? LIMIT 1",
		    "Is", cls, teacher);
		if (rc != DB_OK)
			return DEVICES_ERR;
		if (rows.nrows == 0)
			return DEVICES_FORBIDDEN;
	}
	rc = db_query_one(db, ar, &rows,
	    "SELECT approval FROM device "
	    "WHERE device_id = ? FOR UPDATE",
	    "I", id);
	if (rc != DB_OK)
		return DEVICES_ERR;
	if (strcmp(db_get(&rows, 0, 0), "PENDING") != 0)
		return DEVICES_NOT_PENDING;
	if (!approve) {
		if (db_exec(db,
			"UPDATE device SET approval = 'REJECTED', "
			"active = FALSE, decided_by = ?, decided_at = NOW(3) "
			"WHERE device_id = ?",
			"sI", actor, id) != DB_OK ||
		    devices_audit(db, actor, "device.reject", email, "PENDING",
			"REJECTED",
			arena_printf(ar, "device %lld", id)) != DB_OK)
			return DEVICES_ERR;
		return DEVICES_OK;
	}
	if (db_query(db, ar, &old,
		"SELECT device_id FROM device WHERE "
		"user_email = ? AND device_id <> ? AND active = TRUE",
		"sI", email, id) != DB_OK)
		return DEVICES_ERR;
	for (i = 0; i < old.nrows; i++) {
		long long o = db_get_int(&old, i, 0);

		if (db_exec(db,
			"UPDATE refresh_token SET revoked_at = NOW(3) "
			"WHERE device_id = ? AND revoked_at IS NULL",
			"I", o) != DB_OK ||
		    db_exec(db,
			"UPDATE device SET approval = 'REPLACED', "
			"active = FALSE, decided_by = ?, decided_at = NOW(3) "
			"WHERE device_id = ?",
			"sI", actor, o) != DB_OK ||
		    devices_audit(db, actor, "device.replaced", email, "ACTIVE",
			"REPLACED",
			arena_printf(ar,
			    "device %lld replaced by "
			    "%lld",
			    o, id)) != DB_OK)
			return DEVICES_ERR;
	}
	if (db_exec(db,
		"UPDATE device SET approval = 'ACTIVE', active = TRUE, "
		"decided_by = ?, decided_at = NOW(3) WHERE device_id = ?",
		"sI", actor, id) != DB_OK ||
	    devices_audit(db, actor, "device.approve", email, "PENDING",
		"ACTIVE", arena_printf(ar, "device %lld", id)) != DB_OK)
		return DEVICES_ERR;
	return DEVICES_OK;
}

int
devices_decide(struct db *db, struct arena *ar, long long device_id,
    int approve, const char *teacher, const char *actor)
{
	int rc;

	if (db_begin(db) != DB_OK)
		return DEVICES_ERR;
	rc = decide_locked(db, ar, device_id, approve, teacher, actor);
	if (rc != DEVICES_OK) {
		db_rollback(db);
		return rc;
	}
	if (db_commit(db) != DB_OK) {
		db_rollback(db);
		return DEVICES_ERR;
	}
	log_info("device %lld %s by %s", device_id,
	    approve ? "approved" : "rejected", actor);
	return DEVICES_OK;
}

int
devices_pending(struct http_req *r)
{
	struct db_rows rows;
	json_t *list;
	int i;

	if (db_query(r->db, r->arena, &rows,
		"SELECT d.device_id, d.user_email, s.name, s.roll_no, "
		"s.class_id, d.platform, d.integrity_level, "
		"DATE_FORMAT(d.created_at, '%Y-%m-%dT%H:%i:%sZ') FROM device d "
		"JOIN student s ON s.student_email = d.user_email "
		"WHERE d.approval = 'PENDING' AND d.role = 'student' AND "
		"s.class_id IN (SELECT class_id FROM subject WHERE "
		"teacher_email = ?) ORDER BY d.created_at, d.device_id",
		"s", r->auth.email) != DB_OK)
		return http_reply_error(r, 503, "db_unavailable",
		    "the database is not reachable");
	list = json_array();
	for (i = 0; i < rows.nrows; i++)
		json_array_append_new(list,
		    json_pack("{s:I,s:s,s:s,s:s,s:I,s:s,s:s,s:s}", "device_id",
			(json_int_t)db_get_int(&rows, i, 0), "student_email",
			db_get(&rows, i, 1), "name", db_get(&rows, i, 2),
			"roll_no", db_get(&rows, i, 3), "class_id",
			(json_int_t)db_get_int(&rows, i, 4), "platform",
			db_get(&rows, i, 5), "integrity_level",
			db_get(&rows, i, 6), "requested_at",
			db_get(&rows, i, 7)));
	return http_reply_json(r, 200, json_pack("{s:o}", "devices", list));
}

static int
decide(struct http_req *r, int approve)
{
	const char *p = http_param(r, "id");
	char *end;
	long long id;

	if (p == NULL || strlen(p) > 18 || *p < '0' || *p > '9' ||
	    (id = strtoll(p, &end, 10)) <= 0 || *end != '\0')
		return http_reply_error(r, 404, "device_not_found",
		    "no such device");
	switch (devices_decide(r->db, r->arena, id, approve, r->auth.email,
	    r->auth.email)) {
	case DEVICES_OK:
		return http_reply_json(r, 200,
		    json_pack("{s:I,s:s}", "device_id", (json_int_t)id,
			"status", approve ? "ACTIVE" : "REJECTED"));
	case DEVICES_NOTFOUND:
		return http_reply_error(r, 404, "device_not_found",
		    "no such student device");
	case DEVICES_FORBIDDEN:
		return http_reply_error(r, 403, "not_your_student",
		    "you do not teach this student's class");
	case DEVICES_NOT_PENDING:
		return http_reply_error(r, 409, "device_not_pending",
		    "the device was already decided");
	default:
		return http_reply_error(r, 503, "db_unavailable",
		    "the decision could not be saved; try again");
	}
}

int
devices_approve(struct http_req *r)
{
	return decide(r, 1);
}

int
devices_reject(struct http_req *r)
{
	return decide(r, 0);
}
