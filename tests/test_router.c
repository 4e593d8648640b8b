/*
 * test_router.c - path matching, 404/405, JSON body handling and the
 * authentication gate, driven through router_dispatch() without FastCGI.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>

#include "config.h"
#include "router.h"
#include "submit.h"

/* Inline arrays: Criterion re-runs the binary, so no pointers in params. */
struct match_case {
	char pattern[48], path[48];
	int match;
	char param[16]; /* value of the first param, if any */
};

ParameterizedTestParameters(router, pattern_matching_follows_the_table)
{
	static struct match_case cases[] = {
		{ "/healthz", "/healthz", 1, "" },
		{ "/healthz", "/healthz/", 0, "" },
		{ "/healthz", "/health", 0, "" },
		{ "/devices/:id/approve", "/devices/42/approve", 1, "42" },
		{ "/devices/:id/approve", "/devices//approve", 0, "" },
		{ "/devices/:id/approve", "/devices/42/reject", 0, "" },
		{ "/devices/:id/approve", "/devices/42", 0, "" },
		{ "/a/:x", "/a/b/c", 0, "" },
		{ "/", "/", 1, "" },
	};
	return cr_make_param_array(struct match_case, cases,
	    sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct match_case *c, router,
    pattern_matching_follows_the_table)
{
	struct arena *a = arena_new(1 << 20);
	struct http_req r;

	memset(&r, 0, sizeof(r));
	r.arena = a;
	cr_assert_eq(router_match(c->pattern, c->path, &r), c->match,
	    "%s vs %s", c->pattern, c->path);
	if (c->param[0]) {
		cr_assert_eq(r.nparams, 1);
		cr_assert_str_eq(r.param_values[0], c->param);
	}
	arena_free(a);
}

static struct config cfg;
static struct arena *arena;

static void
setup(void)
{
	memset(&cfg, 0, sizeof(cfg));
	cfg.jwt_secret = "unit-test-secret-0123456789abcdef0123";
	cfg.body_max = 65536;
	arena = arena_new(1 << 22);
}

static void
teardown(void)
{
	arena_free(arena);
}

static int
dispatch(const char *method, const char *uri, const char *auth,
    const char *body, struct http_req *r)
{
	static char envbuf[8][512];
	static char *envp[9];
	int n = 0;

	snprintf(envbuf[n], 512, "REQUEST_METHOD=%s", method);
	envp[n] = envbuf[n];
	n++;
	snprintf(envbuf[n], 512, "DOCUMENT_URI=%s", uri);
	envp[n] = envbuf[n];
	n++;
	if (auth) {
		snprintf(envbuf[n], 512, "HTTP_AUTHORIZATION=%s", auth);
		envp[n] = envbuf[n];
		n++;
	}
	envp[n] = NULL;
	http_req_init(r, arena, &cfg, envp);
	if (body) {
		r->body = body;
		r->body_len = strlen(body);
	}
	return router_dispatch(r);
}

static const char *
error_code(struct http_req *r)
{
	json_t *j = json_loadb(r->resp_body, r->resp_len, 0, NULL);
	static char code[64];
	const char *c = json_string_value(
	    json_object_get(json_object_get(j, "error"), "code"));

	snprintf(code, sizeof(code), "%s", c ? c : "");
	json_decref(j);
	return code;
}

Test(router, unknown_path_is_a_json_404, .init = setup, .fini = teardown)
{
	struct http_req r;

	cr_assert_eq(dispatch("GET", "/no/such/thing", NULL, NULL, &r), 404);
	cr_assert_str_eq(r.resp_type, "application/json");
	cr_assert_str_eq(error_code(&r), "not_found");
}

Test(router, wrong_method_is_a_json_405, .init = setup, .fini = teardown)
{
	struct http_req r;

	cr_assert_eq(dispatch("DELETE", "/healthz", NULL, NULL, &r), 405);
	cr_assert_str_eq(error_code(&r), "method_not_allowed");
}

Test(router, every_route_has_a_handler_and_a_known_method)
{
	size_t n, i;
	const struct route *rt = router_table(&n);

	cr_assert_gt(n, 0);
	for (i = 0; i < n; i++) {
		cr_assert_not_null(rt[i].handler, "%s", rt[i].pattern);
		cr_assert(strcmp(rt[i].method, "GET") == 0 ||
			strcmp(rt[i].method, "POST") == 0 ||
			strcmp(rt[i].method, "PUT") == 0 ||
			strcmp(rt[i].method, "DELETE") == 0,
		    "%s %s", rt[i].method, rt[i].pattern);
		cr_assert_eq(rt[i].pattern[0], '/');
	}
}

Test(router, internal_routes_are_invisible_from_outside, .init = setup,
    .fini = teardown)
{
	size_t n, i;
	const struct route *rt = router_table(&n);
	struct http_req r;

	for (i = 0; i < n; i++) {
		if (!(rt[i].flags & ROUTE_INTERNAL) ||
		    strchr(rt[i].pattern, ':'))
			continue;
		cr_assert_eq(dispatch(rt[i].method, rt[i].pattern, NULL, "{}",
				 &r),
		    404, "%s", rt[i].pattern);
	}
}

Test(router, protected_routes_refuse_missing_and_forged_tokens, .init = setup,
    .fini = teardown)
{
	static const char *auths[] = { NULL, "Bearer ", "Bearer x.y.z",
		"Basic dXNlcjpwYXNz",
		/* alg:none with sub/role/exp claims */
		"Bearer eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJhQGIu"
		"YyIsInJvbGUiOiJ0ZWFjaGVyIiwiZXhwIjo0MTAyNDQ0ODAwLCJqdGkiOiJ4"
		"IiwidHlwIjoiYWNjZXNzIiwiZGV2IjoxfQ." };
	size_t n, i, k;
	const struct route *rt = router_table(&n);
	struct http_req r;
	int tested = 0;

	for (i = 0; i < n; i++) {
		if (!(rt[i].flags & ROUTE_SIGNED_IN) ||
		    (rt[i].flags & ROUTE_INTERNAL))
			continue;
		for (k = 0; k < sizeof(auths) / sizeof(auths[0]); k++) {
			cr_assert_eq(dispatch(rt[i].method, rt[i].pattern,
					 auths[k], "{}", &r),
			    401, "%s %s with %s", rt[i].method, rt[i].pattern,
			    auths[k] ? auths[k] : "(none)");
			tested++;
		}
	}
	cr_assert_gt(tested, 0, "the table has protected routes");
}

/*
 * A late guard leaves the device/account re-check to the handler's own
 * read: only the submit route may carry it, with the handler that
 * settles it (submit.c: guard_late or guard_settle), and only behind
 * the student sign-in.
 */
Test(router, only_the_submit_route_defers_its_guard)
{
	size_t n, i;
	const struct route *rt = router_table(&n);
	int late = 0;

	for (i = 0; i < n; i++) {
		if (!(rt[i].flags & ROUTE_GUARD_LATE))
			continue;
		late++;
		cr_assert_str_eq(rt[i].pattern, "/attendance/submit");
		cr_assert_str_eq(rt[i].method, "POST");
		cr_assert(rt[i].handler == submit_post,
		    "the late guard's route runs submit_post");
		cr_assert(rt[i].flags & ROUTE_STUDENT);
	}
	cr_assert_eq(late, 1, "exactly one route defers its guard");
}
