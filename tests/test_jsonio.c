/*
 * test_jsonio.c - request-body validation helpers.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>

#include "jsonio.h"

/* Inline arrays: Criterion re-runs the binary, so no pointers in params. */
struct parse_case {
	char body[32];
	int ok;
};

ParameterizedTestParameters(jsonio, only_json_objects_parse)
{
	static struct parse_case cases[] = {
		{ "{}", 1 },
		{ "{\"a\":1}", 1 },
		{ "[1,2]", 0 },
		{ "\"s\"", 0 },
		{ "{\"a\":", 0 },
		{ "{\"a\":1,\"a\":2}", 0 },
		{ "", 0 },
		{ "nul", 0 },
	};
	return cr_make_param_array(struct parse_case, cases,
	    sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct parse_case *c, jsonio, only_json_objects_parse)
{
	char err[128] = "";
	json_t *j =
	    jsonio_parse_object(c->body, strlen(c->body), err, sizeof(err));

	cr_assert_eq(j != NULL, c->ok, "%s: %s", c->body, err);
	if (!c->ok)
		cr_assert_neq(err[0], '\0', "an error message is given");
	json_decref(j);
}

Test(jsonio, strings_are_type_and_length_checked)
{
	json_t *o = json_pack("{s:s,s:i,s:s}", "name", "Asha", "n", 5, "e", "");
	const char *v = NULL;
	char err[128];

	cr_assert_eq(jsonio_string(o, "name", 1, 10, &v, err, sizeof(err)), 0);
	cr_assert_str_eq(v, "Asha");
	cr_assert_eq(jsonio_string(o, "name", 1, 3, &v, err, sizeof(err)), -1);
	cr_assert(strstr(err, "'name'") != NULL, "%s", err);
	cr_assert_eq(jsonio_string(o, "n", 1, 10, &v, err, sizeof(err)), -1);
	cr_assert_eq(jsonio_string(o, "e", 1, 10, &v, err, sizeof(err)), -1);
	cr_assert_eq(jsonio_string(o, "missing", 1, 10, &v, err, sizeof(err)),
	    -1);
	cr_assert(strstr(err, "required") != NULL);
	v = "untouched";
	cr_assert_eq(jsonio_string(o, "missing", 0, 10, &v, err, sizeof(err)),
	    0);
	cr_assert_str_eq(v, "untouched");
	json_decref(o);
}

struct int_case {
	char body[32];
	int rc;
	long long value;
};

ParameterizedTestParameters(jsonio, integers_are_range_checked)
{
	static struct int_case cases[] = {
		{ "{\"v\":7}", 0, 7 },
		{ "{\"v\":\"12\"}", 0, 12 },
		{ "{\"v\":0}", -1, 0 },
		{ "{\"v\":101}", -1, 0 },
		{ "{\"v\":1.5}", -1, 0 },
		{ "{\"v\":\"12x\"}", -1, 0 },
		{ "{\"v\":true}", -1, 0 },
		{ "{\"v\":null}", -1, 0 },
	};
	return cr_make_param_array(struct int_case, cases,
	    sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct int_case *c, jsonio, integers_are_range_checked)
{
	char err[128];
	json_t *o = json_loads(c->body, 0, NULL);
	long long v = 0;

	cr_assert_eq(jsonio_int(o, "v", 1, 1, 100, &v, err, sizeof(err)), c->rc,
	    "%s", c->body);
	if (c->rc == 0)
		cr_assert_eq(v, c->value);
	json_decref(o);
}

Test(jsonio, enums_accept_only_listed_values)
{
	static const char *const st[] = { "P", "A", "R", NULL };
	json_t *o = json_pack("{s:s,s:s}", "ok", "R", "bad", "X");
	char err[128];
	int idx = -1;

	cr_assert_eq(jsonio_enum(o, "ok", 1, st, &idx, err, sizeof(err)), 0);
	cr_assert_eq(idx, 2);
	cr_assert_eq(jsonio_enum(o, "bad", 1, st, &idx, err, sizeof(err)), -1);
	cr_assert(strstr(err, "P, A, R") != NULL, "%s", err);
	json_decref(o);
}

Test(jsonio, an_optional_enum_may_be_missing_and_objects_are_checked)
{
	static const char *const kinds[] = { "a", "b", NULL };
	json_t *o = json_pack("{s:s,s:i,s:{}}", "k", "b", "n", 1, "obj");
	json_t *got = NULL;
	char err[128];
	int v = -1;

	cr_assert_eq(jsonio_enum(o, "absent", JSONH_OPTIONAL, kinds, &v, err,
			 sizeof(err)),
	    0);
	cr_assert_eq(v, -1, "left alone");
	cr_assert_eq(jsonio_enum(o, "k", JSONH_OPTIONAL, kinds, &v, err,
			 sizeof(err)),
	    0);
	cr_assert_eq(v, 1);
	cr_assert_eq(jsonio_object(o, "obj", JSONH_OPTIONAL, &got, err,
			 sizeof(err)),
	    0);
	cr_assert(json_is_object(got));
	cr_assert_eq(jsonio_object(o, "n", JSONH_OPTIONAL, &got, err,
			 sizeof(err)),
	    -1);
	cr_assert_str_eq(err, "'n' must be an object");
	json_decref(o);
}
