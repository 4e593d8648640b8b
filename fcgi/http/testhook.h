/*
 * testhook.h - points where a test build lets an integration test make a
 * race happen on demand, so that the paths that only a race reaches run
 * under test (docs/testing.md).  Compiled in only with -DEHAZIRA_TEST_HOOKS
 * (the ASan and coverage builds); in a release build every point is
 * nothing at all.
 */
#ifndef EHZ_TESTHOOK_H
#define EHZ_TESTHOOK_H

#include "http.h"

#ifdef EHAZIRA_TEST_HOOKS
/*
 * Between a submit's read and its write (point "before_write") and just
 * after the write ("after_write"): does what the request's
 * X-Ehazira-Test-Race header asks, as another client would, on a
 * connection of its own (testhook.c lists the races).
 */
void testhook_submit(struct http_req *r, const char *point, long long window_id,
    long long session_id, const char *email);
#define TESTHOOK_SUBMIT(r, point, w, s, e) testhook_submit(r, point, w, s, e)
/*
 * Around a handler: arms the database fault the request's
 * X-Ehazira-Test-Fail-Statement header asks for (the nth statement of the
 * handler fails), and disarms it after.
 */
void testhook_handler(struct http_req *r, int start);
#define TESTHOOK_HANDLER(r, start) testhook_handler(r, start)
#else
#define TESTHOOK_SUBMIT(r, point, w, s, e) ((void)0)
#define TESTHOOK_HANDLER(r, start) ((void)0)
#endif

#endif
