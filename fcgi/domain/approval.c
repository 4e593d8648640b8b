/*
 * approval.c - who decides about a student's new phone.
 *
 * A student signing in from another phone leaves a PENDING device row
 * (auth.c).  A teacher who teaches a subject of the student's class sees
 * it in GET /devices/pending and approves or rejects it; an administrator
 * can do the same from ehazira-admin (same function, no class check).
 * Approval keeps the invariant "one active device per student": in one
 * transaction the old device becomes REPLACED, inactive, and its refresh
 * tokens are revoked, so it is refused at its next request (guard.c
 * re-checks the device on every call).  The same holds across accounts:
 * approving a phone that is another student's active device (held as
 * device.shared at sign-in) moves it, and the other binding is REPLACED.
 *
 * Lock order matches sign-in: the student row first, then device rows.
 */
#include <stdlib.h>
#include <string.h>

#include "approval.h"
#include "audit.h"
#include "db.h"
#include "devshare.h"
#include "log.h"

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
		return rc == DB_NOTFOUND ? APPROVAL_NOTFOUND : APPROVAL_ERR;
	email = db_get(&rows, 0, 0);
	rc = db_query_one(db, ar, &rows,
	    "SELECT class_id FROM student "
	    "WHERE student_email = ? FOR UPDATE",
	    "s", email);
	if (rc != DB_OK)
		return rc == DB_NOTFOUND ? APPROVAL_NOTFOUND : APPROVAL_ERR;
	cls = db_get_int(&rows, 0, 0);
	if (teacher) {
		rc = db_query(db, ar, &rows,
		    "SELECT 1 FROM subject WHERE "
		    "class_id = ? AND teacher_email = ? LIMIT 1",
		    "Is", cls, teacher);
		if (rc != DB_OK)
			return APPROVAL_ERR;
		if (rows.nrows == 0)
			return APPROVAL_FORBIDDEN;
	}
	rc = db_query_one(db, ar, &rows,
	    "SELECT approval FROM device "
	    "WHERE device_id = ? FOR UPDATE",
	    "I", id);
	if (rc != DB_OK)
		return APPROVAL_ERR;
	if (strcmp(db_get(&rows, 0, 0), "PENDING") != 0)
		return APPROVAL_NOT_PENDING;
	if (!approve) {
		if (db_exec(db,
			"UPDATE device SET approval = 'REJECTED', "
			"active = FALSE, decided_by = ?, decided_at = NOW(3) "
			"WHERE device_id = ?",
			"sI", actor, id) != DB_OK ||
		    audit_write(db, actor, "device.reject", email, "PENDING",
			"REJECTED",
			arena_printf(ar, "device %lld", id)) != DB_OK)
			return APPROVAL_ERR;
		return APPROVAL_OK;
	}
	if (db_query(db, ar, &old,
		"SELECT device_id FROM device WHERE "
		"user_email = ? AND device_id <> ? AND active = TRUE",
		"sI", email, id) != DB_OK)
		return APPROVAL_ERR;
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
		    audit_write(db, actor, "device.replaced", email, "ACTIVE",
			"REPLACED",
			arena_printf(ar,
			    "device %lld replaced by "
			    "%lld",
			    o, id)) != DB_OK)
			return APPROVAL_ERR;
	}
	/* a phone another student held moves: one phone, one student */
	if (devshare_release(db, ar, id, actor) != DB_OK ||
	    db_exec(db,
		"UPDATE device SET approval = 'ACTIVE', active = TRUE, "
		"decided_by = ?, decided_at = NOW(3) WHERE device_id = ?",
		"sI", actor, id) != DB_OK ||
	    audit_write(db, actor, "device.approve", email, "PENDING", "ACTIVE",
		arena_printf(ar, "device %lld", id)) != DB_OK)
		return APPROVAL_ERR;
	return APPROVAL_OK;
}

int
approval_decide(struct db *db, struct arena *ar, long long device_id,
    int approve, const char *teacher, const char *actor)
{
	int rc;

	if (db_begin(db) != DB_OK)
		return APPROVAL_ERR;
	rc = decide_locked(db, ar, device_id, approve, teacher, actor);
	if (rc != APPROVAL_OK) {
		db_rollback(db);
		return rc;
	}
	if (db_commit(db) != DB_OK) {
		db_rollback(db);
		return APPROVAL_ERR;
	}
	log_info("device %lld %s by %s", device_id,
	    approve ? "approved" : "rejected", actor);
	return APPROVAL_OK;
}
