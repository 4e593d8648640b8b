/*
 * test_rotation.c - rotating codes: the policy check's messages, codes
 * per slot, the overlap at a change, and the slow line.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "rotation.h"

#define SECRET "window-secret-0123456789abcdef"

struct policy_case {
	long every, overlap, ttl;
	const char *message; /* NULL: accepted */
};

static struct policy_case policies[] = {
	{ 0, 0, 15, NULL },
	{ 5, 2, 15, NULL },
	{ 10, 5, 60, NULL },
	{ 3, 0, 60, "at least 5 seconds" },
	{ 10, 0, 15, "fewer than two codes in a 15s window" },
	{ 7, 0, 60, "does not divide the 60s window" },
	{ 10, 6, 60, "rotate_overlap must be between 0 and 5" },
	{ 30, 11, 120, "rotate_overlap must be between 0 and 10" },
	{ 10, -1, 60, "rotate_overlap must be between 0 and 5" },
};

Test(rotation, a_policy_is_checked_against_the_window_with_clear_messages)
{
	size_t i;

	for (i = 0; i < sizeof(policies) / sizeof(policies[0]); i++) {
		struct policy_case *p = &policies[i];
		char err[256] = "";
		int rc = rotation_check(p->every, p->overlap, p->ttl, err,
		    sizeof(err));

		if (p->message == NULL) {
			cr_expect_eq(rc, 0, "case %zu: %s", i, err);
		} else {
			cr_expect_eq(rc, -1, "case %zu", i);
			cr_expect(strstr(err, p->message) != NULL,
			    "case %zu: '%s'", i, err);
		}
	}
}

Test(rotation, codes_are_four_digits_and_change_with_slot_and_secret)
{
	struct arena *ar = arena_new(1 << 16);
	const char *a = rotation_code(SECRET, 0, ar),
		   *b = rotation_code(SECRET, 1, ar),
		   *c = rotation_code("another-secret-0123456789", 0, ar);
	int differ = 0, k;

	cr_assert_eq(strlen(a), 4);
	cr_assert_eq(strspn(a, "0123456789"), 4);
	cr_assert_str_eq(a, rotation_code(SECRET, 0, ar), "stable");
	/* over a few slots the code is not one number (1e-4 per pair) */
	for (k = 1; k < 6; k++)
		differ += strcmp(a, rotation_code(SECRET, k, ar)) != 0;
	cr_assert_gt(differ, 3);
	/* fixed secrets: these two are known to differ */
	cr_assert_str_neq(a, b);
	cr_assert_str_neq(a, c, "another window, another code");
	arena_free(ar);
}

struct accept_case {
	long long elapsed_ms;
	long long typed_slot; /* the slot whose code is typed */
	int ok;
	long long slot, delay_ms;
};

/* every 10 s, overlap 3 s */
static struct accept_case accepts[] = {
	{ 0, 0, 1, 0, 0 }, { 4200, 0, 1, 0, 4200 }, { 10500, 1, 1, 1, 500 },
	{ 12000, 0, 1, 0, 12000 }, /* typed at the change: overlap */
	{ 13000, 0, 0, 0, 0 },     /* overlap over */
	{ 25000, 0, 0, 0, 0 },     /* a relayed code two slots old */
	{ 9999, 1, 0, 0, 0 },      /* the next code is not known yet */
};

Test(rotation, the_current_code_or_the_previous_within_the_overlap_is_taken)
{
	struct arena *ar = arena_new(1 << 16);
	size_t i;

	for (i = 0; i < sizeof(accepts) / sizeof(accepts[0]); i++) {
		struct accept_case *c = &accepts[i];
		long long slot = -1, delay = -1;
		int ok = rotation_accept(SECRET, 10, 3, c->elapsed_ms,
		    rotation_code(SECRET, c->typed_slot, ar), &slot, &delay,
		    ar);

		cr_expect_eq(ok, c->ok, "case %zu", i);
		if (ok && c->ok) {
			cr_expect_eq(slot, c->slot, "case %zu", i);
			cr_expect_eq(delay, c->delay_ms, "case %zu", i);
		}
	}
	cr_expect_eq(rotation_accept(SECRET, 10, 3, 100, "12345",
			 &(long long){ 0 }, &(long long){ 0 }, ar),
	    0, "five digits never match");
	arena_free(ar);
}

Test(rotation, the_slow_line_is_the_percentile_plus_the_margin)
{
	long long d[10] = { 900, 100, 200, 300, 400, 500, 600, 700, 800,
		20000 };
	long long few[3] = { 1, 2, 3 };

	long long six[6] = { 60000, 1000, 1200, 900, 1100, 1300 };

	/* the 9th of 10 sorted delays */
	cr_assert_eq(rotation_slow_threshold(d, 10, 90, 3000, 5), 3900);
	cr_assert_eq(d[9], 20000, "sorted");
	/* in a class of 6 the slowest is not its own yardstick: the 5th */
	cr_assert_eq(rotation_slow_threshold(six, 6, 90, 5000, 5), 6300);
	cr_assert_eq(rotation_slow_threshold(few, 3, 90, 3000, 5), -1,
	    "too few to compare");
}
