/*
 * test_arena.c - the per-request pool: cap, reset and cleanups.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "arena.h"

static int ran;

static void
bump(void *p)
{
	ran += *(int *)p;
}

Test(arena, reset_runs_cleanups_newest_first_and_once)
{
	struct arena *a = arena_new(1 << 20);
	static int one = 1, ten = 10;

	ran = 0;
	arena_defer(a, bump, &one);
	arena_defer(a, bump, &ten);
	arena_reset(a);
	cr_assert_eq(ran, 11);
	arena_reset(a);
	cr_assert_eq(ran, 11);
	arena_free(a);
}

Test(arena, allocations_past_the_cap_fail_cleanly)
{
	struct arena *a = arena_new(64 * 1024);
	int i, got = 0;

	for (i = 0; i < 100; i++)
		if (arena_alloc(a, 4096))
			got++;
	cr_assert_lt(got, 100);
	cr_assert_gt(got, 0);
	arena_reset(a);
	cr_assert_not_null(arena_alloc(a, 4096), "usable again after reset");
	arena_free(a);
}

/* Found by tests/fuzz/fuzz_ws: a full arena freed a reply body at once,
 * and http_reply_json went on to read it. */
Test(arena, a_cleanup_taken_at_the_cap_waits_for_the_reset)
{
	struct arena *a = arena_new(16 * 1024);
	char *s = strdup("still mine");
	static int one = 1;

	while (arena_alloc(a, 512) != NULL)
		;
	ran = 0;
	cr_assert_eq(arena_own(a, s), 0);
	cr_assert_eq(arena_defer(a, bump, &one), 0);
	cr_assert_str_eq(s, "still mine", "freed before the reset");
	cr_assert_eq(ran, 0);
	arena_reset(a);
	cr_assert_eq(ran, 1);
	arena_free(a);
}

Test(arena, printf_and_strdup_copy_into_the_arena)
{
	struct arena *a = arena_new(1 << 20);
	char *s = arena_printf(a, "%s-%d", "room", 12);

	cr_assert_str_eq(s, "room-12");
	cr_assert_str_eq(arena_strndup(a, "abcdef", 3), "abc");
	cr_assert_null(arena_strdup(a, NULL));
	arena_free(a);
}

Test(arena, a_large_first_allocation_is_not_kept_by_reset)
{
	struct arena *a = arena_new(64u * 1024 * 1024);

	cr_assert_not_null(arena_alloc(a, 8u * 1024 * 1024));
	cr_assert_not_null(arena_alloc(a, 100));
	cr_assert_geq(arena_held(a), 8u * 1024 * 1024);
	arena_reset(a);
	cr_assert_leq(arena_held(a), 16u * 1024, "held %zu after reset",
	    arena_held(a));
	cr_assert_not_null(arena_alloc(a, 100), "usable again after reset");
	arena_free(a);
}

Test(arena, reset_keeps_one_small_chunk_for_the_next_request)
{
	struct arena *a = arena_new(1 << 20);

	cr_assert_not_null(arena_alloc(a, 100));
	cr_assert_not_null(arena_alloc(a, 15000));
	arena_reset(a);
	cr_assert_eq(arena_held(a), 16u * 1024);
	arena_reset(a);
	cr_assert_eq(arena_held(a), 16u * 1024);
	arena_free(a);
}
