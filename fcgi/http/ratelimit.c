/*
 * ratelimit.c - the rate limiter for guessable endpoints.
 *
 * Per-account rate limits are fixed-window counters in MariaDB (workers
 * keep no state): one row per key holding the current window and its
 * count, one upsert per hit.  Inside a transaction the row's lock also
 * orders the key's requests (a student's submits run one at a time).
 * Per-address limits live in nginx (limit_req), which keeps them in
 * memory and never makes students behind one campus NAT wait on a row.
 */
#include <stdio.h>
#include <time.h>

#include "db.h"
#include "log.h"
#include "ratelimit.h"

/* The fixed window a hit at now falls in. */
long long
ratelimit_window_start(long long now, long window_s)
{
	return now - now % window_s;
}

int
ratelimit_hit(struct http_req *r, const char *key, long limit, long window_s)
{
	long long now = (long long)time(NULL), start, hits;
	char ra[32];
	int rc;

	if (window_s <= 0)
		window_s = 60;
	start = ratelimit_window_start(now, window_s);
	/*
	 * One statement: LAST_INSERT_ID(expr) hands the new count back in
	 * the OK packet.  Inside a caller's transaction the hit commits (or
	 * not) with the work it guards.
	 */
	rc = db_exec(r->db,
	    "INSERT INTO rate_limit (rl_key, window_start, hits) "
	    "VALUES (?, FROM_UNIXTIME(?), LAST_INSERT_ID(1)) "
	    "ON DUPLICATE KEY UPDATE hits = LAST_INSERT_ID(IF(window_start = "
	    "VALUES(window_start), hits + 1, 1)), "
	    "window_start = VALUES(window_start)",
	    "sI", key, start);
	if (rc != DB_OK) {
		/* Fail open: a limiter outage must not stop attendance. */
		log_warn("rate: cannot count '%s'", key);
		return 0;
	}
	hits = db_insert_id(r->db);
	if (hits <= limit)
		return 0;
	snprintf(ra, sizeof(ra), "%lld", start + window_s - now);
	http_add_header(r, "Retry-After", ra);
	return http_reply_error(r, 429, "rate_limited",
	    "too many attempts; try again in %s s", ra);
}
