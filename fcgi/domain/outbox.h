/*
 * outbox.h - the outbox table: work for the relay, written by the workers
 * inside the transaction of the change it announces (producer side), and
 * claimed, leased, renewed and settled by the relay (consumer side), with
 * the relay_stat counters.
 */
#ifndef EHZ_OUTBOX_H
#define EHZ_OUTBOX_H

#include <jansson.h>

#include "arena.h"

struct config;
struct db;

/* --- producer (workers, admin CLI) --- */

/*
 * Queues one push to a device.  Must run inside the transaction of the
 * change it announces, so a rolled-back change never sends anything.
 *   kind         "push.started", "push.absent", "push.flagged",
 *                "push.low_attendance", ...
 *   collapse_key e.g. "session-12" (one visible notice per session)
 *   message      {"notification":{"title","body"},"data":{string values}};
 *                stolen.  Never put an OTP in it.
 *   expires_ms   wall-clock ms after which sending is pointless (the FCM
 *                TTL is computed from it), or 0 for "no expiry"
 * Returns a DB_* code.
 */
int outbox_add(struct db *db, const char *kind, long long device_id,
    const char *collapse_key, json_t *message, long long expires_ms);

/*
 * Nudges the relay to look at the outbox and its timers now, over its
 * datagram socket (best effort: a relay that is down polls anyway).
 */
void outbox_wake(const struct config *cfg);

/* --- consumer (relay) --- */

/* One claimed row, with its device's token as it is now. */
struct outbox_row {
	long long id;
	long long device_id;  /* 0 when the row has none */
	long long expires_ms; /* 0: no expiry */
	long long created_ms; /* when it was queued */
	int tries;            /* including this attempt */
	int device_active;
	const char *kind;
	const char *collapse_key; /* may be NULL */
	const char *payload;      /* JSON text */
	const char *push_token;   /* NULL: no token (or no device) */
	/* A WEB device's Web Push subscription (webpush.h); NULL: none. */
	int web;
	const char *wp_endpoint, *wp_p256dh, *wp_auth;
};

/* What became of a claimed row. */
enum outbox_fate {
	OUTBOX_SENT,
	OUTBOX_RETRY,   /* back to PENDING, not before now + delay_ms */
	OUTBOX_DROPPED, /* pointless or refused: never sent again */
	OUTBOX_FAILED,  /* out of tries */
	OUTBOX_RELEASE, /* not attempted: give the lease and the try back */
};

struct outbox_result {
	long long id;
	enum outbox_fate fate;
	long long delay_ms;      /* OUTBOX_RETRY */
	const char *error;       /* last_error, or NULL */
	long long clear_device;  /* >0: clear this device's token ... */
	const char *clear_token; /* ... if it is still this one */
	int clear_web; /* ... its Web Push subscription (that endpoint) */
};

/*
 * Housekeeping before a claim: rows past expires_at become DROPPED, and
 * rows whose lease ran out on their last try (a relay died mid-send)
 * become FAILED.  Sets *dropped and *failed.  Returns a DB_* code.
 */
int outbox_sweep(struct db *db, int max_tries, long long *dropped,
    long long *failed);

/*
 * Leases up to limit due PENDING rows to owner for lease_s seconds,
 * counting one try each, and returns them (oldest first) in *rows,
 * allocated in the arena.  A row leased by another live relay is never
 * returned; one whose lease expired is.  Returns a DB_* code; *n is 0
 * when nothing was due.
 */
int outbox_claim(struct db *db, struct arena *a, const char *owner, int lease_s,
    int limit, struct outbox_row **rows, int *n);

/* Pushes owner's lease lease_s seconds into the future.  DB_* code. */
int outbox_renew(struct db *db, const char *owner, int lease_s);

/*
 * Records the fates of n rows of owner's lease in one transaction, and
 * adds the named counters to relay_stat in the same one (names and
 * values run in parallel, nstats of them).  Returns a DB_* code; on
 * failure nothing is written and the leases run out, so the rows are
 * retried (at least once, never lost).
 */
int outbox_settle(struct db *db, struct arena *a, const char *owner,
    const struct outbox_result *res, int n, const char *const *names,
    const long long *values, int nstats);

#endif
