/*
 * pushtoken.h - the app's FCM registration token on its device row.
 */
#ifndef EHZ_PUSHTOKEN_H
#define EHZ_PUSHTOKEN_H

#include "http.h"

struct db;

#define PUSHTOKEN_MAX 512 /* device.push_token */

/*
 * 1 when tok looks like an FCM registration token: 16..512 characters of
 * A-Z a-z 0-9 and "-_:.".  Sign-in uses it for the token it accepts too.
 */
int pushtoken_valid(const char *tok);
/*
 * Stores tok (NULL: none) on device_id and takes it off any other device
 * row, so one phone never gets a push twice.  Runs inside the caller's
 * transaction if there is one.  Returns a DB_* code.
 */
int pushtoken_store(struct db *db, long long device_id, const char *tok);

/* POST /devices/push-token {"push_token": "..." | null} */
int pushtoken_set(struct http_req *r);

#endif
