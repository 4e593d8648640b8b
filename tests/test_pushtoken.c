/*
 * test_pushtoken.c - which strings are accepted as FCM registration
 * tokens (the endpoint and sign-in share the check).
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>

#include "pushtoken.h"

struct token_case {
	char tok[600];
	int ok;
};

ParameterizedTestParameters(pushtoken, registration_tokens_are_checked)
{
	static struct token_case cases[] = {
		{ "dQw4w9WgXcQ:APA91bHun4MxP5egoKMwt2KZFBaFUH-1RYqx", 1 },
		{ "abcdefghijklmnop", 1 },
		{ "abc.def_ghi-jkl:mno", 1 },
		{ "short", 0 },
		{ "", 0 },
		{ "has space in the middle of it", 0 },
		{ "quote\"injection'attempt--", 0 },
		{ "newline\ninside-the-token", 0 },
		{ "unicode-\xc3\xa9-is-not-allowed", 0 },
	};
	return cr_make_param_array(struct token_case, cases,
	    sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct token_case *c, pushtoken,
    registration_tokens_are_checked)
{
	cr_assert_eq(pushtoken_valid(c->tok), c->ok, "'%s'", c->tok);
}

Test(pushtoken, the_column_width_is_the_limit)
{
	char t[PUSHTOKEN_MAX + 2];

	memset(t, 'a', sizeof(t));
	t[PUSHTOKEN_MAX] = '\0';
	cr_assert_eq(pushtoken_valid(t), 1);
	t[PUSHTOKEN_MAX] = 'a';
	t[PUSHTOKEN_MAX + 1] = '\0';
	cr_assert_eq(pushtoken_valid(t), 0);
	cr_assert_eq(pushtoken_valid(NULL), 0);
}
