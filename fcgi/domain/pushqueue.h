/*
 * pushqueue.h - the wake-up pushes of an opened window: one outbox row
 * per push-capable device of every student of the class still to mark,
 * queued by one INSERT ... SELECT inside the initiate's transaction.
 * Shared by the initiate handler and the push benchmark, so the
 * benchmark times the statement the teachers' initiates really run.
 */
#ifndef EHZ_PUSHQUEUE_H
#define EHZ_PUSHQUEUE_H

struct db;

/*
 * Queues "push.started" rows for class_id's verified, unblocked students
 * without a mark in session_id (a TIMEOUT absence does not count as one),
 * one per active device with an FCM token or a Web Push subscription.
 * payload is the FCM message JSON, collapse_key e.g. "session-12",
 * expires_ms the window's end (wall-clock ms).  Must run inside the
 * caller's transaction.  Returns a DB_* code; *queued the rows added.
 */
int pushqueue_started(struct db *db, long long class_id, long long session_id,
    const char *collapse_key, const char *payload, long long expires_ms,
    long long *queued);

#endif
