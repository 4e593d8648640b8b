/*
 * classpolicy.h - a class's anti-proxy policy: validated, written, audited.
 */
#ifndef EHZ_CLASSPOLICY_H
#define EHZ_CLASSPOLICY_H

#include <stddef.h>

#include "arena.h"

struct db;

/*
 * The keys, NULL-terminated: allowed_cidrs, flag_on_focus_loss, the ones
 * policycheck.c checks (window length, rotation, slow, geofence) and
 * require_uv.
 * After setting several, policycheck_class checks the whole.
 */
extern const char *const classpolicy_keys[];

/* classpolicy_set's and policycheck_class's "the database failed". */
#define CLASSPOLICY_DB (-2)

/*
 * Sets key to value on class_id inside the caller's transaction: the value
 * is checked first (a CIDR list, IPv4 and IPv6; a boolean), and a change
 * writes one audit_log row (action class.policy) by actor.  Windows already
 * open keep the policy they opened with (attendance_window's copy).
 * 0 (also when nothing changed), -1 with a message for people in err
 * (a bad value: the caller's 4xx), or CLASSPOLICY_DB when the database
 * failed (an outage, not the value's fault: the caller's 503, retryable).
 */
int classpolicy_set(struct db *db, struct arena *ar, long long class_id,
    const char *key, const char *value, const char *actor, char *err,
    size_t errlen);

#endif
