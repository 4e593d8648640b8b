/*
 * outbox.h - work for the relay, written inside the caller's transaction.
 */
#ifndef EHZ_OUTBOX_H
#define EHZ_OUTBOX_H

#include <jansson.h>

struct db;

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

#endif
