/*
 * test_appconfig.c - GET /app-config through nginx: public, and it says
 * what the stack was started with (tests/standin/env.sh: no demo, two
 * client ids of which the web one is first, no web students).  Nothing
 * in it grants access: a token is still needed everywhere else.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "it.h"

Test(appconfig, is_public_and_names_the_first_client_id)
{
	struct it_resp r;
	const char *ids = getenv("EHAZIRA_GOOGLE_CLIENT_IDS"), *comma;
	char first[256] = "";

	IT_REQUIRE_STACK();
	if (ids) {
		comma = strchr(ids, ',');
		snprintf(first, sizeof(first), "%.*s",
		    comma ? (int)(comma - ids) : (int)strlen(ids), ids);
	}
	cr_assert_eq(it_get("/app-config", NULL, &r), 0);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_assert(strstr(r.content_type, "application/json") != NULL);
	cr_assert_str_eq(json_string_value(
			     json_object_get(r.json, "google_client_id")),
	    first, "the web client id is the first of GOOGLE_CLIENT_IDS");
	cr_assert(json_is_boolean(json_object_get(r.json, "demo")));
	cr_assert(json_is_boolean(json_object_get(r.json, "web_students")));
	cr_assert_eq(json_is_true(json_object_get(r.json, "demo")),
	    it_config()->demo != 0);
	cr_assert_eq(json_is_true(json_object_get(r.json, "web_students")),
	    it_config()->web_students != 0);
	it_resp_free(&r);
}

Test(appconfig, says_nothing_secret)
{
	struct it_resp r;
	json_t *v;

	IT_REQUIRE_STACK();
	cr_assert_eq(it_get("/app-config", NULL, &r), 0);
	cr_assert_eq(r.status, 200);
	cr_assert_eq(json_object_size(r.json), 4, "only the four facts: %s",
	    r.body);
	cr_assert_null(strstr(r.body, it_config()->jwt_secret));
	/* the VAPID key's public half (87 characters), or null: never more */
	v = json_object_get(r.json, "vapid_public_key");
	cr_assert(json_is_null(v) ||
		(json_is_string(v) && strlen(json_string_value(v)) == 87),
	    "vapid_public_key: %s", r.body);
	cr_assert_null(strstr(r.body, "PRIVATE"));
	it_resp_free(&r);
}
