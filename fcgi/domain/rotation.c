/*
 * rotation.c - owns rotating codes: the policy check, each slot's code,
 * what a submission may type at a given moment, and the delay line past
 * which a submission is "slow - possibly relayed".  Pure functions over a
 * window's secret and clock; the database and the screens are the
 * callers'.
 *
 * Why derived codes: a code shown for N seconds and then replaced makes a
 * code relayed by chat worth N seconds plus the overlap, not the whole
 * window; deriving each from a per-window secret (never sent to students)
 * means no row per code and no way to guess the next from the current.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "rotation.h"

int
rotation_check(long every, long overlap, long ttl, char *err, size_t errlen)
{
	long max_overlap;

	if (every == 0)
		return 0;
	if (every < ROTATION_MIN_EVERY) {
		snprintf(err, errlen,
		    "rotate_every must be 0 (off) or at least %d seconds",
		    ROTATION_MIN_EVERY);
		return -1;
	}
	if (every > ttl / 2) {
		snprintf(err, errlen,
		    "rotate_every %lds leaves fewer than two codes in a "
		    "%lds window: use at most %lds",
		    every, ttl, ttl / 2);
		return -1;
	}
	if (ttl % every != 0) {
		snprintf(err, errlen,
		    "rotate_every %lds does not divide the %lds window: the "
		    "last code would be cut short",
		    every, ttl);
		return -1;
	}
	max_overlap =
	    every / 2 < ROTATION_MAX_OVERLAP ? every / 2 : ROTATION_MAX_OVERLAP;
	if (overlap < 0 || overlap > max_overlap) {
		snprintf(err, errlen,
		    "rotate_overlap must be between 0 and %ld seconds",
		    max_overlap);
		return -1;
	}
	return 0;
}

char *
rotation_code(const char *secret, long long slot, struct arena *ar)
{
	char *mac =
	    crypto_hmac_hex(secret, arena_printf(ar, "otp:%lld", slot), 64, ar);
	unsigned long v;

	if (mac == NULL)
		return NULL;
	/* 32 bits of the MAC: the bias of mod 10000 is below 1e-5 */
	mac[8] = '\0';
	v = strtoul(mac, NULL, 16);
	return arena_printf(ar, "%04lu", v % 10000);
}

static int
same_code(const char *secret, long long slot, const char *code,
    struct arena *ar)
{
	const char *want = rotation_code(secret, slot, ar);

	return want != NULL && strlen(code) == 4 && crypto_equal(want, code, 4);
}

int
rotation_accept(const char *secret, long every, long overlap,
    long long elapsed_ms, const char *code, long long *slot,
    long long *delay_ms, struct arena *ar)
{
	long long every_ms = (long long)every * 1000, cur, into;

	if (every <= 0 || elapsed_ms < 0)
		return 0;
	cur = elapsed_ms / every_ms;
	into = elapsed_ms - cur * every_ms;
	if (same_code(secret, cur, code, ar)) {
		*slot = cur;
		*delay_ms = into;
		return 1;
	}
	/* typed at the change: the previous code, for overlap seconds */
	if (cur > 0 && into < (long long)overlap * 1000 &&
	    same_code(secret, cur - 1, code, ar)) {
		*slot = cur - 1;
		*delay_ms = every_ms + into;
		return 1;
	}
	return 0;
}

static int
cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

long long
rotation_slow_threshold(long long *delays, size_t n, int pct,
    long long margin_ms, size_t min_n)
{
	size_t rank;

	if (n == 0 || n < min_n || pct < 1 || pct > 100)
		return -1;
	qsort(delays, n, sizeof(*delays), cmp_ll);
	/*
	 * The rank rounded down: in a small class the slowest must not be
	 * its own yardstick (nearest rank makes the 90th of 6 the 6th).
	 */
	rank = (size_t)pct * n / 100;
	return delays[rank > 0 ? rank - 1 : 0] + margin_ms;
}
