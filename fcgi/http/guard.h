/*
 * guard.h - per-request checks the router runs for signed-in routes.
 */
#ifndef EHZ_GUARD_H
#define EHZ_GUARD_H

#include "http.h"

/*
 * Re-checks against the database that r->auth's device is still active and
 * the account verified and not blocked.  0 when allowed, else the status
 * with the error reply already set.
 */
int guard_session(struct http_req *r);
/* The same check without a reply: 0, or the status with code and message. */
int guard_account(struct http_req *r, const char **code, const char **msg);
/*
 * The late guard of a ROUTE_GUARD_LATE route (router.h).  guard_late runs
 * guard_account if the check is still owed and settles it when allowed;
 * guard_settle records that the handler's own read found the device
 * active and the account verified and not blocked.
 */
int guard_late(struct http_req *r, const char **code, const char **msg);
void guard_settle(struct http_req *r);
/*
 * Counts one hit on key in a fixed window of window_s seconds.  0 while
 * within limit, else 429 with the error reply set (and Retry-After).
 * Inside a transaction the hit commits with it, and the key's row stays
 * locked until then.
 */
int guard_rate(struct http_req *r, const char *key, long limit, long window_s);

/*
 * The start (unix seconds) of guard_rate's window (window_s > 0) that now
 * falls in, for a caller that reads a count without adding to it.
 */
long long guard_window_start(long long now, long window_s);

#endif
