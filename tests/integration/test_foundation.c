/*
 * test_foundation.c - the running stack end to end through nginx: health,
 * JSON errors for every failure class, token gate, schema constraints.
 * Runs last-but-one of its suite: the database-restart test stops MariaDB.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "it.h"

static int
is_json_error(struct it_resp *r)
{
	return r->content_type && strstr(r->content_type, "application/json") &&
	    json_is_string(
		json_object_get(json_object_get(r->json, "error"), "code")) &&
	    json_is_string(
		json_object_get(json_object_get(r->json, "error"), "message"));
}

Test(foundation, healthz_reports_the_database_up)
{
	struct it_resp r;

	IT_REQUIRE_STACK();
	cr_assert_eq(it_get("/healthz", NULL, &r), 0);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_assert_str_eq(json_string_value(json_object_get(r.json, "db")),
	    "up");
	it_resp_free(&r);
}

Test(foundation, unknown_path_is_a_json_404)
{
	struct it_resp r;

	IT_REQUIRE_STACK();
	cr_assert_eq(it_get("/no/such/endpoint", NULL, &r), 0);
	cr_assert_eq(r.status, 404);
	cr_assert(is_json_error(&r), "%s", r.body);
	it_resp_free(&r);
}

Test(foundation, wrong_method_is_a_json_405)
{
	struct it_resp r;

	IT_REQUIRE_STACK();
	cr_assert_eq(it_request("DELETE", "/healthz", NULL, 0, NULL, &r), 0);
	cr_assert_eq(r.status, 405);
	cr_assert(is_json_error(&r), "%s", r.body);
	it_resp_free(&r);
}

Test(foundation, a_two_megabyte_body_is_a_json_413)
{
	struct it_resp r;
	size_t n = 2 * 1024 * 1024;
	char *big = malloc(n);
	const char *h[] = { "Content-Type: application/json", NULL };

	IT_REQUIRE_STACK();
	memset(big, ' ', n);
	big[0] = '{';
	big[n - 1] = '}';
	cr_assert_eq(it_request("POST", "/auth/google", big, n, h, &r), 0);
	cr_assert_eq(r.status, 413, "%s", r.body);
	cr_assert(is_json_error(&r), "%s", r.body);
	it_resp_free(&r);
	/* and one over nginx's own cap is JSON too */
	big = realloc(big, 9 * 1024 * 1024);
	memset(big, ' ', 9 * 1024 * 1024);
	cr_assert_eq(it_request("POST", "/auth/google", big, 9 * 1024 * 1024, h,
			 &r),
	    0);
	cr_assert_eq(r.status, 413);
	cr_assert(is_json_error(&r), "%s", r.body);
	it_resp_free(&r);
	free(big);
}

Test(foundation, protected_routes_refuse_bad_tokens_with_json_401)
{
	struct it_resp r;
	const char *forged = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.AAAA";
	const char *none =
	    "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJhQGIuYyIsInJvbGUi"
	    "OiJ0ZWFjaGVyIiwiZXhwIjo0MTAyNDQ0ODAwLCJqdGkiOiJ4IiwidHlwIjoiYWNj"
	    "ZXNzIiwiZGV2IjoxfQ.";
	const char *expired;

	IT_REQUIRE_STACK();
	expired = it_token("nobody@college.edu", "teacher", 1, -10);
	const char *tokens[] = { NULL, forged, none, expired };
	for (size_t i = 0; i < 4; i++) {
		cr_assert_eq(it_get("/me", tokens[i], &r), 0);
		cr_assert_eq(r.status, 401, "token %zu: %s", i, r.body);
		cr_assert(is_json_error(&r), "%s", r.body);
		it_resp_free(&r);
	}
}

Test(foundation, the_ten_tables_exist_with_their_unique_keys)
{
	static const char *tables[] = { "department", "teacher", "student",
		"class", "course", "subject", "period", "session", "attendance",
		"device" };
	char dept[64];
	long long dep, cls;

	IT_REQUIRE_STACK();
	for (size_t i = 0; i < 10; i++)
		cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM "
					"information_schema.tables WHERE "
					"table_schema = DATABASE() AND "
					"table_name = ?",
				 "s", tables[i]),
		    1, "table %s", tables[i]);
	snprintf(dept, sizeof(dept), "Dept %s", it_uniq());
	cr_assert_eq(it_sql("INSERT INTO department (department_name) "
			    "VALUES (?)",
			 "s", dept),
	    DB_OK);
	dep = it_sql_int("SELECT department_id FROM department WHERE "
			 "department_name = ?",
	    "s", dept);
	cr_assert_eq(it_sql("INSERT INTO class (department_id, batch, "
			    "semester, section) VALUES (?, '2024', 1, 'A')",
			 "I", dep),
	    DB_OK);
	cls = it_sql_int("SELECT class_id FROM class WHERE department_id = ?",
	    "I", dep);
	cr_assert_eq(it_sql("INSERT INTO class (department_id, batch, "
			    "semester, section) VALUES (?, '2024', 1, 'A')",
			 "I", dep),
	    DB_CONFLICT, "UNIQUE (department, batch, semester, section)");
	cr_assert_eq(it_sql("INSERT INTO student (student_email, name, "
			    "roll_no, class_id) VALUES (CONCAT('u1', ?, "
			    "'@x.edu'), 'A', '01', ?)",
			 "sI", it_uniq(), cls),
	    DB_OK);
	cr_assert_eq(it_sql("INSERT INTO student (student_email, name, "
			    "roll_no, class_id) VALUES (CONCAT('u2', ?, "
			    "'@x.edu'), 'B', '01', ?)",
			 "sI", it_uniq(), cls),
	    DB_CONFLICT, "UNIQUE (ROLL_NO, CLASS_ID)");
	cr_assert_eq(it_sql("INSERT INTO attendance (session_id, "
			    "student_email, status) VALUES (999999, 'x', 'P')",
			 ""),
	    DB_FK, "attendance needs a real session");
	cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM schema_migrations WHERE "
				"version = '001_init.sql'",
			 ""),
	    1);
}

Test(foundation, every_response_carries_a_request_id)
{
	struct it_resp r;

	IT_REQUIRE_STACK();
	cr_assert_eq(it_get("/healthz", NULL, &r), 0);
	cr_assert(strcasestr(r.headers, "X-Request-Id: ") != NULL);
	it_resp_free(&r);
}

Test(foundation, malformed_json_is_a_json_400)
{
	static const char *bodies[] = { "{bad", "[1,2]", "",
		"{\"a\":1,\"a\":2}", "\"just a string\"" };
	char email[96], dept[64];
	long long dep, dev;
	const char *tok;
	struct it_resp r;
	size_t i;

	IT_REQUIRE_STACK();
	snprintf(dept, sizeof(dept), "JSON dept %s", it_uniq());
	snprintf(email, sizeof(email), "json-%s@it.edu", it_uniq());
	cr_assert_eq(it_sql("INSERT INTO department (department_name) VALUES "
			    "(?)",
			 "s", dept),
	    DB_OK);
	dep = it_sql_int("SELECT department_id FROM department WHERE "
			 "department_name = ?",
	    "s", dept);
	cr_assert_eq(it_sql("INSERT INTO teacher (teacher_email, name, "
			    "department_id, verified) VALUES (?, 'T', ?, 1)",
			 "sI", email, dep),
	    DB_OK);
	cr_assert_eq(
	    it_sql("INSERT INTO device (user_email, role, device_uuid, "
		   "fingerprint_hash, platform, active, approval) "
		   "VALUES (?, 'teacher', 'DUMMY', '127.0.0.1', "
		   "'WEB', 1, 'ACTIVE')",
		"s", email),
	    DB_OK);
	dev = it_sql_int("SELECT device_id FROM device WHERE user_email = ?",
	    "s", email);
	tok = it_token(email, "teacher", dev, 600);
	for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		cr_assert_eq(it_post_json("/attendance/initiate", tok,
				 bodies[i], &r),
		    0);
		cr_assert_eq(r.status, 400, "'%s': %s", bodies[i], r.body);
		cr_assert(is_json_error(&r), "%s", r.body);
		it_resp_free(&r);
	}
	/* a well-formed body with a field of the wrong type names the field */
	cr_assert_eq(it_post_json("/attendance/initiate", tok,
			 "{\"period_id\":\"soon\"}", &r),
	    0);
	cr_assert_eq(r.status, 400);
	cr_assert(strstr(r.body, "period_id") != NULL, "%s", r.body);
	it_resp_free(&r);
}

Test(foundation, nginx_refusals_are_json_too)
{
	struct it_resp r;
	char *uri = malloc(20000), *hdr = malloc(40000);
	const char *h[] = { hdr, NULL };

	IT_REQUIRE_STACK();
	memcpy(uri, "/healthz?x=", 11);
	memset(uri + 11, 'a', 19000);
	uri[19011] = '\0';
	cr_assert_eq(it_get(uri, NULL, &r), 0);
	cr_assert_eq(r.status, 414);
	cr_assert(is_json_error(&r), "%s", r.body);
	it_resp_free(&r);
	memcpy(hdr, "X-Big: ", 7);
	memset(hdr + 7, 'b', 39000);
	hdr[39007] = '\0';
	cr_assert_eq(it_request("GET", "/healthz", NULL, 0, h, &r), 0);
	cr_assert_eq(r.status, 400);
	cr_assert(is_json_error(&r), "%s", r.body);
	it_resp_free(&r);
	free(uri);
	free(hdr);
}

Test(foundation, request_ids_are_unique_and_not_taken_from_the_client)
{
	struct it_resp r;
	char ids[60][64], *p;
	const char *h[] = { "X-Request-Id: deadbeefdeadbeef", NULL };
	int i, j;

	IT_REQUIRE_STACK();
	for (i = 0; i < 60; i++) {
		cr_assert_eq(it_request("GET", "/healthz", NULL, 0,
				 i % 2 ? h : NULL, &r),
		    0);
		p = strcasestr(r.headers, "X-Request-Id: ");
		cr_assert_not_null(p);
		sscanf(p + 14, "%63[0-9a-f]", ids[i]);
		cr_assert_geq(strlen(ids[i]), 16, "%s", p);
		cr_assert_str_neq(ids[i], "deadbeefdeadbeef");
		it_resp_free(&r);
		for (j = 0; j < i; j++)
			cr_assert_str_neq(ids[i], ids[j]);
	}
}
