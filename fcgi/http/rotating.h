/*
 * rotating.h - rotating codes in the workers: a window's policy copied
 * from its class at open, and the code a window shows now.
 */
#ifndef EHZ_ROTATING_H
#define EHZ_ROTATING_H

#include "http.h"
#include "slowmark.h"

struct rotating {
	long every, overlap; /* s; every 0: one code for the window */
	const char *secret;  /* NULL when not rotating */
};

/*
 * The class's rotation policy for a window about to open, checked
 * against its length ttl (s; a policy the window length does not fit is not
 * applied: one code, and a warning in the log); when rotating, a fresh
 * secret and slot 0's code in otp.  0, or an HTTP status.
 */
int rotating_open(struct http_req *r, long long class_id, long long ttl,
    struct rotating *rot, char otp[5]);
/* Stores rot on the new window (nothing when not rotating). */
int rotating_store(struct http_req *r, long long window_id,
    const struct rotating *rot);
/*
 * The code window_id shows now (the database's clock), the rotation
 * period and the ms until the next change into *every and *next_ms (0
 * when not rotating); NULL when the window does not rotate or on error.
 */
const char *rotating_now(struct http_req *r, long long window_id, long *every,
    long long *next_ms);

/*
 * Marks "slow": true on each student of a live board (a JSON array of
 * objects) whose delay_ms is above the class's line: the 90th percentile
 * of the board's delays plus the class's slow_margin_ms, once at least
 * ROTATING_SLOW_MIN submissions are there to compare with.
 */
#define ROTATING_SLOW_MIN SLOWMARK_MIN /* the stored mark's too */
void
rotating_mark_slow(struct http_req *r, long long window_id, json_t *students);

#endif
