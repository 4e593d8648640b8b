/*
 * pushqueue.c - the wake-up pushes of an opened window (pushqueue.h).
 *
 * One statement for the whole class, not one INSERT per device: a class
 * of 50 costs one round trip, and the rows of one initiate share one
 * transaction with the window they announce, so a rolled-back initiate
 * sends nothing.
 */
#include "db.h"
#include "pushqueue.h"

int
pushqueue_started(struct db *db, long long class_id, long long session_id,
    const char *collapse_key, const char *payload, long long expires_ms,
    long long *queued)
{
	int rc;

	*queued = 0;
	rc = db_exec(db,
	    "INSERT INTO outbox (kind, device_id, collapse_key, payload, "
	    "expires_at) "
	    "SELECT 'push.started', d.device_id, ?, ?, FROM_UNIXTIME(? / 1000) "
	    "FROM student s JOIN device d ON d.user_email = s.student_email "
	    "  AND d.active = 1 AND (d.push_token IS NOT NULL OR EXISTS "
	    "  (SELECT 1 FROM web_push_subscription w "
	    "   WHERE w.device_id = d.device_id)) "
	    "WHERE s.class_id = ? AND s.blocked = 0 AND s.verified = 1 "
	    "AND NOT EXISTS (SELECT 1 FROM attendance at WHERE "
	    "  at.session_id = ? AND at.student_email = s.student_email "
	    "  AND NOT (at.status = 'A' AND at.source = 'TIMEOUT'))",
	    "ssIII", collapse_key, payload, expires_ms, class_id, session_id);
	if (rc == DB_OK)
		*queued = (long long)db_affected(db);
	return rc;
}
