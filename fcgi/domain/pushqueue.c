/*
 * pushqueue.c - the wake-up pushes of an opened window (pushqueue.h).
 *
 * One statement for the whole class, not one INSERT per device: a class
 * of 50 costs one round trip, and the rows of one initiate share one
 * transaction with the window they announce, so a rolled-back initiate
 * sends nothing.  The students who already have a mark are left out by an
 * anti-join (attendance's key is (session_id, student_email): at most one
 * match), not NOT EXISTS: MariaDB materialises that subquery into a
 * temporary table on every run, half of the statement's time, and the
 * statement holds the outbox's AUTO_INCREMENT lock throughout, so a wave
 * of initiates queues behind it (docs/benchmarks.md, "Pushes").
 * STRAIGHT_JOIN keeps the one right order (the class's students, their
 * devices, their marks) and FORCE INDEX the one right way into each: with
 * stale statistics of a growing device table the optimizer read the whole
 * table instead, hundreds of ms a class (with the order fixed, a wave of
 * 10,000 still queued once in 11 s instead of 0.9 s: a scan by another
 * of device's indexes).
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
	    "SELECT STRAIGHT_JOIN 'push.started', d.device_id, ?, ?, "
	    "FROM_UNIXTIME(? / 1000) "
	    "FROM student s FORCE INDEX (ix_student_class) "
	    "JOIN device d FORCE INDEX (ix_device_user) "
	    "  ON d.user_email = s.student_email "
	    "  AND d.active = 1 AND (d.push_token IS NOT NULL OR EXISTS "
	    "  (SELECT 1 FROM web_push_subscription w "
	    "   WHERE w.device_id = d.device_id)) "
	    "LEFT JOIN attendance at ON at.session_id = ? "
	    "  AND at.student_email = s.student_email "
	    "  AND NOT (at.status = 'A' AND at.source = 'TIMEOUT') "
	    "WHERE s.class_id = ? AND s.blocked = 0 AND s.verified = 1 "
	    "AND at.session_id IS NULL",
	    "ssIII", collapse_key, payload, expires_ms, session_id, class_id);
	if (rc == DB_OK)
		*queued = (long long)db_affected(db);
	return rc;
}
