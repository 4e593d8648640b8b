/*
 * rotation.h - rotating codes and the delay evidence they give: the code
 * on the teacher's screen changes every N seconds of a window, each code
 * derived from a per-window secret, the previous one still taken for a
 * short overlap; a submission's delay is counted from the moment its code
 * was shown, and one far slower than its class is marked.
 */
#ifndef EHZ_ROTATION_H
#define EHZ_ROTATION_H

#include <stddef.h>

#include "arena.h"

#define ROTATION_MIN_EVERY 5    /* s: a code must be readable */
#define ROTATION_MAX_OVERLAP 10 /* s: the previous code's extra life */

/*
 * Checks a class's rotation policy against its window length ttl (all in
 * seconds): every 0 is off; otherwise ROTATION_MIN_EVERY <= every, at
 * least two codes per window (every <= ttl / 2), every divides ttl (the
 * last code is not cut short), and 0 <= overlap <= min(every / 2,
 * ROTATION_MAX_OVERLAP).  0, or -1 with a message for people in err.
 */
int
rotation_check(long every, long overlap, long ttl, char *err, size_t errlen);
/*
 * The 4-digit code of slot (0 = the window's first every seconds) under
 * the window's secret: HMAC-SHA256(secret, "otp:<slot>") reduced mod
 * 10000.  Arena memory, NULL on failure.
 */
char *rotation_code(const char *secret, long long slot, struct arena *ar);
/*
 * Is code good at elapsed_ms into the window: the current slot's, or the
 * previous slot's within overlap seconds of the change.  1 with the slot
 * matched and the delay (ms since that slot's code was first shown) in
 * *slot and *delay_ms; 0 otherwise.
 */
int rotation_accept(const char *secret, long every, long overlap,
    long long elapsed_ms, const char *code, long long *slot,
    long long *delay_ms, struct arena *ar);
/*
 * The "slow - possibly relayed" line of a class: the pct-th percentile
 * (rank pct * n / 100 rounded down) of the n delays plus margin_ms; -1 when n is below
 * min_n (too few to compare with).  delays is sorted in place.
 */
long long rotation_slow_threshold(long long *delays, size_t n, int pct,
    long long margin_ms, size_t min_n);

#endif
