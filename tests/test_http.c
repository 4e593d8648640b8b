/*
 * test_http.c - one request and its reply without FastCGI: filling a
 * request from params, query decoding, the error writer and the exact
 * bytes http_render() puts on the wire.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <jansson.h>
#include <string.h>

#include "config.h"
#include "http.h"

static struct config cfg;
static struct arena *arena;

static void
setup(void)
{
	memset(&cfg, 0, sizeof(cfg));
	arena = arena_new(1 << 20);
}

static void
teardown(void)
{
	arena_free(arena);
}

TestSuite(http, .init = setup, .fini = teardown);

Test(http, a_request_is_filled_from_its_params)
{
	char *env[] = { "REQUEST_METHOD=POST",
		"DOCUMENT_URI=/attendance/submit", "QUERY_STRING=a=1",
		"REMOTE_ADDR=10.0.0.7", "HTTP_AUTHORIZATION=Bearer x",
		"CONTENT_TYPE=application/json", "EHAZIRA_REQUEST_ID=00ff",
		NULL };
	struct http_req r;

	http_req_init(&r, arena, &cfg, env);
	cr_expect_str_eq(r.method, "POST");
	cr_expect_str_eq(r.path, "/attendance/submit");
	cr_expect_str_eq(r.query, "a=1");
	cr_expect_str_eq(r.remote_addr, "10.0.0.7");
	cr_expect_str_eq(r.authorization, "Bearer x");
	cr_expect_str_eq(r.content_type, "application/json");
	cr_expect_str_eq(r.id, "00ff");
	cr_expect_eq(r.internal, 0);
	cr_expect_null(http_env(&r, "NOPE"));
}

Test(http, defaults_apply_and_the_query_is_cut_from_request_uri)
{
	char *env[] = { "REQUEST_URI=/reports/class?from=2024-01-01", NULL };
	struct http_req r;

	http_req_init(&r, arena, &cfg, env);
	cr_expect_str_eq(r.method, "GET");
	cr_expect_str_eq(r.path, "/reports/class");
	cr_expect_str_eq(r.query, "");
	cr_expect_str_eq(r.remote_addr, "");
	cr_expect_eq(strlen(r.id), 16, "a random id: '%s'", r.id);
}

Test(http, an_internal_route_names_its_path_and_client)
{
	char *env[] = { "DOCUMENT_URI=/hook", "EHAZIRA_PATH=/ws/auth",
		"EHAZIRA_INTERNAL=1", "REMOTE_ADDR=127.0.0.1",
		"EHAZIRA_CLIENT_ADDR=192.0.2.9", NULL };
	struct http_req r;

	http_req_init(&r, arena, &cfg, env);
	cr_expect_str_eq(r.path, "/ws/auth");
	cr_expect_eq(r.internal, 1);
	cr_expect_str_eq(r.remote_addr, "192.0.2.9");
}

Test(http, a_client_request_id_that_is_not_hex_is_replaced)
{
	char *env[] = { "EHAZIRA_REQUEST_ID=evil\nline", NULL };
	struct http_req r;

	http_req_init(&r, arena, &cfg, env);
	cr_expect_neq(strcmp(r.id, "evil\nline"), 0);
	cr_expect_eq(strspn(r.id, "0123456789abcdef"), strlen(r.id));
}

struct query_case {
	char query[64], name[16];
	int found;
	char value[32];
};

ParameterizedTestParameters(http, query_parameters_are_decoded)
{
	static struct query_case cases[] = {
		{ "a=1&b=2", "b", 1, "2" },
		{ "a=1&b=2", "c", 0, "" },
		{ "name=Ada+Lovelace", "name", 1, "Ada Lovelace" },
		{ "q=%41%62%2b", "q", 1, "Ab+" },
		{ "q=%4", "q", 1, "%4" },
		{ "q=%zz", "q", 1, "%zz" },
		{ "flag&x=1", "flag", 1, "" },
		{ "ab=1", "a", 0, "" },
		{ "a=&b=2", "a", 1, "" },
		{ "", "a", 0, "" },
	};
	return cr_make_param_array(struct query_case, cases,
	    sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct query_case *c, http, query_parameters_are_decoded)
{
	struct http_req r;
	const char *v;

	memset(&r, 0, sizeof(r));
	r.arena = arena;
	r.query = c->query;
	v = http_query(&r, c->name);
	if (!c->found) {
		cr_assert_null(v, "%s in '%s'", c->name, c->query);
		return;
	}
	cr_assert_not_null(v, "%s in '%s'", c->name, c->query);
	cr_assert_str_eq(v, c->value);
}

Test(http, path_parameters_are_found_by_name)
{
	struct http_req r;

	memset(&r, 0, sizeof(r));
	r.param_names[0] = "id";
	r.param_values[0] = "42";
	r.nparams = 1;
	cr_expect_str_eq(http_param(&r, "id"), "42");
	cr_expect_null(http_param(&r, "other"));
}

Test(http, the_error_writer_answers_the_one_json_shape)
{
	struct http_req r;
	json_t *j, *e;

	memset(&r, 0, sizeof(r));
	r.arena = arena;
	cr_assert_eq(http_reply_error(&r, 409, "no_open_window", "room %d", 12),
	    409);
	cr_expect_str_eq(r.resp_type, "application/json");
	j = json_loadb(r.resp_body, r.resp_len, 0, NULL);
	cr_assert_not_null(j);
	e = json_object_get(j, "error");
	cr_expect_str_eq(json_string_value(json_object_get(e, "code")),
	    "no_open_window");
	cr_expect_str_eq(json_string_value(json_object_get(e, "message")),
	    "room 12");
	json_decref(j);
}

Test(http, a_bare_status_gets_a_default_error_body)
{
	struct http_req r;

	memset(&r, 0, sizeof(r));
	r.arena = arena;
	http_finish(&r, 404);
	cr_expect_eq(r.status, 404);
	cr_expect(strstr(r.resp_body, "\"not_found\"") != NULL, "%s",
	    r.resp_body);
	memset(&r, 0, sizeof(r));
	r.arena = arena;
	http_finish(&r, 42);
	cr_expect_eq(r.status, 500);
	cr_expect_str_eq(http_status_code(599), "internal");
	cr_expect_str_eq(http_status_code(418), "error");
	cr_expect_str_eq(http_status_text(418), "Unknown");
}

Test(http, a_null_json_body_is_a_500)
{
	struct http_req r;

	memset(&r, 0, sizeof(r));
	r.arena = arena;
	cr_expect_eq(http_reply_json(&r, 200, NULL), 500);
	cr_expect_eq(r.status, 500);
}

Test(http, render_writes_exactly_the_headers_and_body)
{
	struct http_req r;
	const char *want = "Status: 201 Created\r\n"
			   "X-Request-Id: abc\r\n"
			   "Content-Type: text/plain\r\n"
			   "Retry-After: 7\r\n"
			   "\r\n"
			   "hello";
	char *out;
	size_t len = 0;

	memset(&r, 0, sizeof(r));
	r.arena = arena;
	r.id = "abc";
	http_reply_raw(&r, 201, "text/plain", "hello", 5);
	cr_assert_eq(http_add_header(&r, "Retry-After", "7"), 0);
	out = http_render(&r, &len);
	cr_assert_not_null(out);
	cr_assert_eq(len, strlen(want));
	cr_assert_eq(memcmp(out, want, len), 0, "%.*s", (int)len, out);
}

/*
 * The buffer used to be 256 bytes plus the body, not counting the
 * Content-Type: a long type wrote past it (ASan stops the test).
 */
Test(http, render_fits_long_headers_and_a_long_content_type)
{
	static char type[600], value[700];
	struct http_req r;
	char *out;
	size_t len = 0, want;
	int i;

	memset(type, 'x', sizeof(type) - 1);
	memset(value, 'v', sizeof(value) - 1);
	memset(&r, 0, sizeof(r));
	r.arena = arena;
	r.id = "0123456789abcdef";
	http_reply_raw(&r, 200, type, "{}", 2);
	for (i = 0; i < HTTP_MAX_HEADERS; i++)
		cr_assert_eq(http_add_header(&r, "X-Long", value), 0);
	cr_expect_eq(http_add_header(&r, "X-One-Too-Many", "1"), -1);
	out = http_render(&r, &len);
	cr_assert_not_null(out);
	want = strlen("Status: 200 OK\r\n") + strlen("X-Request-Id: \r\n") +
	    16 + strlen("Content-Type: \r\n") + strlen(type) +
	    HTTP_MAX_HEADERS * (strlen("X-Long: \r\n") + strlen(value)) + 2 + 2;
	cr_assert_eq(len, want);
	cr_assert_eq(memcmp(out + len - 6, "\r\n\r\n{}", 6), 0);
}

Test(http, render_of_an_empty_body_ends_with_the_blank_line)
{
	struct http_req r;
	char *out;
	size_t len = 0;

	memset(&r, 0, sizeof(r));
	r.arena = arena;
	r.id = "1";
	r.status = 204;
	out = http_render(&r, &len);
	cr_assert_not_null(out);
	cr_assert_eq(len,
	    strlen("Status: 204 No Content\r\nX-Request-Id: "
		   "1\r\n\r\n"));
	cr_assert_eq(memcmp(out + len - 4, "\r\n\r\n", 4), 0);
}

Test(http, render_fails_cleanly_when_the_arena_is_full)
{
	struct arena *small = arena_new(16 * 1024);
	static char body[20000];
	struct http_req r;
	size_t len = 0;

	memset(&r, 0, sizeof(r));
	r.arena = small;
	r.id = "1";
	http_reply_raw(&r, 200, "text/plain", body, sizeof(body));
	cr_expect_null(http_render(&r, &len));
	arena_free(small);
}

/* Found by tests/fuzz/fuzz_ws: the reply of a request whose arena is full
 * is still whole (it was freed and then read). */
Test(http, a_json_reply_in_a_full_arena_is_not_read_after_free)
{
	struct arena *small = arena_new(16 * 1024);
	char *env[] = { NULL };
	struct http_req r;
	size_t n;

	http_req_init(&r, small, &cfg, env);
	for (n = 256; n > 0; n /= 2) /* every byte up to the cap */
		while (arena_alloc(small, n) != NULL)
			;
	(void)http_reply_json(&r, 200, json_pack("{s:s}", "type", "pong"));
	if (r.status == 200)
		cr_assert_str_eq(r.resp_body, "{\"type\":\"pong\"}");
	arena_free(small);
}
