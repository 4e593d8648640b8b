/*
 * router.h - the one static route table and dispatch.
 */
#ifndef EHZ_ROUTER_H
#define EHZ_ROUTER_H

#include <stddef.h>

#include "http.h"

typedef int (*route_handler)(struct http_req *r);

enum route_flags {
	ROUTE_PUBLIC = 0,
	ROUTE_AUTH = 1 << 0,       /* any signed-in user */
	ROUTE_STUDENT = 1 << 1,    /* implies AUTH */
	ROUTE_TEACHER = 1 << 2,    /* teachers, heads and admins; AUTH */
	ROUTE_JSON = 1 << 3,       /* body must be a JSON object */
	ROUTE_INTERNAL = 1 << 4,   /* only via nginx's internal hooks */
	ROUTE_WS_TOKEN = 1 << 5,   /* bearer.<token> subprotocol (ws) */
	ROUTE_WS_SUBJECT = 1 << 6, /* identity from nginx's X-WS-Subject */
	/*
	 * The device/account re-check is owed by the handler's own first
	 * read (the submit batch folds it into its one statement).  The
	 * router still owns it: it marks the check owed (r->guard_owed),
	 * and a reply below 400 from a handler that did not settle it
	 * (guard_settle, guard_late) is turned into a 500.  Only the submit
	 * route carries it (test_router.c checks the table).
	 */
	ROUTE_GUARD_LATE = 1 << 7,
	ROUTE_LOCAL = 1 << 8, /* only from 127.0.0.1, ::1 or a
				 METRICS_ALLOW peer; else 404 */
	/*
	 * The dashboard's readers.  The router checks the role; which
	 * department or class a head may read is the handler's object
	 * check (scope.c), since only the handler knows the object.
	 */
	ROUTE_HEAD = 1 << 9,   /* heads of department and admins; AUTH */
	ROUTE_ADMIN = 1 << 10, /* institution administrators only; AUTH */
};

/* The flags that need a signed-in caller. */
#define ROUTE_SIGNED_IN \
	(ROUTE_AUTH | ROUTE_STUDENT | ROUTE_TEACHER | ROUTE_HEAD | ROUTE_ADMIN)

struct route {
	const char *method;
	const char *pattern; /* "/devices/:id/approve" */
	route_handler handler;
	unsigned flags;
	const char *summary;
};

/* Runs the route for r and returns the final status; r holds the reply. */
int router_dispatch(struct http_req *r);
/* The table, for the contract test. */
const struct route *router_table(size_t *n);
/*
 * Matches path against pattern, capturing ":name" segments into r (may be
 * NULL).  1 on match, 0 otherwise.
 */
int router_match(const char *pattern, const char *path, struct http_req *r);

#endif
