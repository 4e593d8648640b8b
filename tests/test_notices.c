/*
 * test_notices.c - the push and notice texts in each language.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "arena.h"
#include "notices.h"

Test(notices, every_text_exists_in_every_language_and_differs_from_english)
{
	int k, l;

	for (k = 0; k < NOTICE_COUNT; k++)
		for (l = 0; l < NOTICES_LANGS; l++) {
			const char *s = notices_text(notices_langs[l], k);

			cr_assert(s && *s, "text %d in %s", k,
			    notices_langs[l]);
			if (l > 0)
				cr_assert_str_neq(s, notices_text("en", k),
				    "text %d left in English in %s", k,
				    notices_langs[l]);
		}
}

Test(notices, an_unknown_or_missing_language_is_english)
{
	static const char *const langs[] = { NULL, "", "fr", "HI", "en-IN" };
	size_t i;

	for (i = 0; i < sizeof(langs) / sizeof(langs[0]); i++) {
		cr_assert_not(notices_lang_valid(langs[i]));
		cr_assert_str_eq(notices_text(langs[i], NOTICE_LOW_TITLE),
		    "Low attendance");
	}
	cr_assert(notices_lang_valid("hi"));
	cr_assert(notices_lang_valid("ur"));
	cr_assert_str_eq(notices_text("hi", NOTICE_ABSENT_TITLE),
	    "अनुपस्थित दर्ज");
}

Test(notices, placeholders_are_filled_by_name_and_unknown_ones_stay)
{
	static const struct {
		const char *tmpl, *want;
	} cases[] = {
		{ "Your attendance in {course} is {percent}%, below "
		  "{threshold}%.",
		    "Your attendance in CS301 DS is 50.0%, below 75%." },
		{ "{threshold}{course}", "75CS301 DS" },
		{ "{nope} and {course", "{nope} and {course" },
		{ "", "" },
		{ "no braces", "no braces" },
	};
	struct arena *a = arena_new(1 << 20);
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		cr_assert_str_eq(notices_fill(a, cases[i].tmpl, "course",
				     "CS301 DS", "percent", "50.0", "threshold",
				     "75", (char *)NULL),
		    cases[i].want, "%s", cases[i].tmpl);
	cr_assert_str_eq(notices_fill(a, notices_text("ur", NOTICE_LOW_BODY),
			     "course", "CS301", "percent", "50.0", "threshold",
			     "75", (char *)NULL),
	    "CS301 میں آپ کی حاضری 50.0% ہے، 75% سے کم۔");
	arena_free(a);
}
