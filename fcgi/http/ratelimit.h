/*
 * ratelimit.h - fixed-window rate limits kept in MariaDB.
 */
#ifndef EHZ_RATELIMIT_H
#define EHZ_RATELIMIT_H

#include "http.h"

/*
 * Counts one hit on key in a fixed window of window_s seconds.  0 while
 * within limit, else 429 with the error reply set (and Retry-After).
 * Inside a transaction the hit commits with it, and the key's row stays
 * locked until then.
 */
int
ratelimit_hit(struct http_req *r, const char *key, long limit, long window_s);

/*
 * The start (unix seconds) of ratelimit_hit's window (window_s > 0) that now
 * falls in, for a caller that reads a count without adding to it.
 */
long long ratelimit_window_start(long long now, long window_s);

#endif
