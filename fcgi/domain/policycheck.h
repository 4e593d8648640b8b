/*
 * policycheck.h - the checks of a class's policy keys beyond the network
 * list and the focus-loss flag (classpolicy.c holds the writer): one value
 * at a time, then the class's policy as a whole (the rotation against the
 * window length, a geofence with a centre).
 */
#ifndef EHZ_POLICYCHECK_H
#define EHZ_POLICYCHECK_H

#include <stddef.h>

#include "arena.h"

struct config;
struct db;

/* policycheck_class's "the database failed" (as CLASSPOLICY_DB). */
#define POLICYCHECK_DB (-2)

/* The keys this module checks, NULL-terminated. */
extern const char *const policycheck_keys[];

/* 1 when key is one of policycheck_keys. */
int policycheck_owns(const char *key);
/*
 * The stored form of value for key (a boolean as "1"/"0", a number in
 * its range, a geofence_missing name), arena memory; NULL with a message
 * for people in err.
 */
const char *policycheck_value(struct arena *ar, const char *key,
    const char *value, char *err, size_t errlen);
/*
 * Checks class_id's policy as a whole, as the caller's transaction sees
 * it: window_ttl 0 or within OTP_TTL_MIN..OTP_TTL_MAX; rotate_every and
 * rotate_overlap against the window length (rotation_check); a geofence
 * radius only with a centre, the rest checked by geofence_check.  0, or
 * -1 with a message in err (the caller rolls back), POLICYCHECK_DB when
 * the database failed (retryable: the caller's 503).
 */
int policycheck_class(struct db *db, struct arena *ar, const struct config *cfg,
    long long class_id, char *err, size_t errlen);

#endif
