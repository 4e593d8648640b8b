/*
 * fuzz_http.c - a FastCGI request as nginx hands it over: the params
 * (http_req_init), the query (http_query), the route table's matching and
 * the router's checks in front of every handler (bearer token, WebSocket
 * subject, JSON body), then the rendered reply.  Input: "NAME=value"
 * lines, an empty line, the body.  Only requests the router refuses
 * before a handler runs are dispatched (the handlers need a database).
 */
#include "arena.h"
#include "config.h"
#include "fuzz.h"
#include "http.h"
#include "router.h"

#define MAX_ENV 32

static const char *const names[] = { "token", "from", "to", "format",
	"last_event_id", "subject_id", "" };

static struct config cfg = {
	.jwt_secret = "fuzz-secret-0123456789abcdef0123456789",
	.ws_subject_key = "fuzz-subject-key-0123456789abcdef01",
	.metrics_allow = "10.0.0.0/8",
};

/* Would the router refuse r before its handler? (no forged key passes) */
static int
refused_early(struct http_req *r)
{
	const unsigned guarded =
	    ROUTE_AUTH | ROUTE_STUDENT | ROUTE_TEACHER | ROUTE_WS_SUBJECT;
	const struct route *t;
	size_t i, n;

	t = router_table(&n);
	for (i = 0; i < n; i++)
		if (router_match(t[i].pattern, r->path, NULL) &&
		    strcmp(t[i].method, r->method) == 0)
			return (t[i].flags & guarded) != 0;
	return 1; /* 404 or 405 */
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = fuzz_cstr(data, size), *p, *env[MAX_ENV + 1];
	struct arena *ar;
	struct http_req r;
	size_t i, n = 0, len;

	if (in == NULL)
		return 0;
	for (p = in; *p && *p != '\n' && n < MAX_ENV;) {
		env[n++] = p;
		p = fuzz_split(p);
	}
	if (*p == '\n')
		p++;
	env[n] = NULL;
	ar = arena_new(64 * 1024);
	http_req_init(&r, ar, &cfg, env);
	r.body = p;
	r.body_len = strlen(p);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		(void)http_query(&r, names[i]);
	if (refused_early(&r))
		(void)router_dispatch(&r);
	(void)http_render(&r, &len);
	arena_free(ar);
	free(in);
	return 0;
}
