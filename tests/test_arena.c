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

Test(arena, printf_and_strdup_copy_into_the_arena)
{
	struct arena *a = arena_new(1 << 20);
	char *s = arena_printf(a, "%s-%d", "room", 12);

	cr_assert_str_eq(s, "room-12");
	cr_assert_str_eq(arena_strndup(a, "abcdef", 3), "abc");
	cr_assert_null(arena_strdup(a, NULL));
	arena_free(a);
}
