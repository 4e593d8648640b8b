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

#endif
