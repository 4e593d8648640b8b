/*
 * window.h - attendance windows (rounds): the OTP, its life, and the end of
 * a window.  Shared by the workers (close, initiate) and the relay (timer).
 */
#ifndef EHZ_WINDOW_H
#define EHZ_WINDOW_H

#include <jansson.h>

#include "arena.h"

struct config;
struct db;

/*
 * Ends a window: every enrolled student of the session's class without a
 * record is marked A (source TIMEOUT) in one transaction, with absent and
 * flagged notices queued for the relay; then attendance.closed with the
 * totals goes to the teacher's and the class's channels.  Finalising twice
 * is harmless (the second call changes nothing and publishes nothing).
 * Must be called outside a transaction.  Returns a DB_* code; *closed is
 * set to 1 when this call did the work.
 */
int window_finalize(struct db *db, struct arena *a, const struct config *cfg,
    long long window_id, int *closed);
/*
 * Windows due for finalising (expired + grace, or closed) are finalised;
 * returns the number done, or -1.  *next_ms gets the wall-clock ms of the
 * next expiry still ahead (0 when none).
 */
int window_finalize_due(struct db *db, struct arena *a,
    const struct config *cfg, long long *next_ms);
/* Totals of a session: {present, absent, flagged, pending, total}. */
json_t *window_totals(struct db *db, struct arena *a, long long session_id);
/*
 * SQL for "the window still takes codes": not closed, not finalised, and
 * the database clock within expiry + grace.  The one definition of an open
 * window, for submits, the teacher's screens and the student's list:
 * WINDOW_OPEN on unqualified columns, WINDOW_OPEN_W on the alias w.
 */
#define WINDOW_OPEN_ON(t)                                         \
	t "closed_at IS NULL AND " t "finalized_at IS NULL AND "  \
	  "NOW(3) <= " t "expires_at + INTERVAL " t "grace_ms * " \
	  "1000 MICROSECOND"
#define WINDOW_OPEN WINDOW_OPEN_ON("")
#define WINDOW_OPEN_W WINDOW_OPEN_ON("w.")

/* A uniformly random 4-digit code from the OS CSPRNG; 0 or -1. */
int window_new_otp(char out[5]);

#endif
