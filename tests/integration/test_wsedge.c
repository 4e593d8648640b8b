/*
 * test_wsedge.c - the WebSocket's edges, found by an attack run: a large
 * client frame is answered (an error frame, also over BODY_MAX) and the
 * socket stays usable;
 * any method but GET on /ws is a clean 405, not a 500; and the access
 * token never lands in nginx's error log, which cannot filter what it
 * writes.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "itauth.h"
#include "itclass.h"
#include "ws.h"

static int
port(void)
{
	const char *p = getenv("EHAZIRA_HTTP_PORT");

	return p ? atoi(p) : 8080;
}

/* A signed-in student's access token (caller frees). */
static char *
student_token(void)
{
	struct it_resp r;
	char *e = strdup(itauth_email("ws")), *t;

	itauth_student(e, itauth_class("W"), 1);
	cr_assert_eq(itauth_android(e, itauth_uuid(), itauth_fp(), &r), 0);
	cr_assert_eq(r.status, 200, "%s", r.body);
	t = strdup(itauth_str(&r, "access_token"));
	it_resp_free(&r);
	free(e);
	return t;
}

static struct ws *
open_socket(const char *token)
{
	char offer[4200];
	int status = 0;
	struct ws *w;

	snprintf(offer, sizeof(offer), "ws+meta.nchan, bearer.%s", token);
	w = ws_connect(port(), "/ws", offer, 5000, &status);
	cr_assert_not_null(w, "WebSocket upgrade refused (%d)", status);
	return w;
}

/* A {"type":"ping"} padded to about n bytes. */
static char *
padded_ping(size_t n)
{
	char *s = malloc(n + 64);

	cr_assert_not_null(s);
	strcpy(s, "{\"type\":\"ping\",\"pad\":\"");
	memset(s + strlen(s), 'x', n);
	strcpy(s + 22 + n, "\"}");
	return s;
}

Test(wsedge, a_large_frame_is_answered_and_the_socket_lives_on, .timeout = 30)
{
	static const size_t sizes[] = { 4000, 9000, 20000, 70000, 1000000 };
	char *tok = student_token();
	struct ws *w = open_socket(tok);
	json_t *j;
	size_t i;

	IT_REQUIRE_STACK();
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		char *big = padded_ping(sizes[i]);

		cr_assert_eq(ws_send_text(w, big), 0);
		free(big);
		/* a small frame is a ping; a large one an error frame */
		j = ws_expect_type(w, sizes[i] < 8000 ? "pong" : "error", 5000);
		cr_assert_not_null(j, "no answer to a %zu-byte frame",
		    sizes[i]);
		if (sizes[i] >= 8000) {
			cr_assert_eq(json_integer_value(
					 json_object_get(j, "status_code")),
			    413);
			cr_assert_str_eq(json_string_value(
					     json_object_get(json_object_get(j,
								 "error"),
						 "code")),
			    "frame_too_large");
		}
		json_decref(j);
		cr_assert_eq(ws_send_text(w, "{\"type\":\"ping\"}"), 0);
		j = ws_expect_type(w, "pong", 5000);
		cr_assert_not_null(j, "the socket died after %zu bytes",
		    sizes[i]);
		json_decref(j);
	}
	ws_close(w);
	free(tok);
}

Test(wsedge, methods_other_than_get_are_405)
{
	static const char *const methods[] = { "POST", "PUT", "DELETE",
		"OPTIONS", "PATCH" };
	char *tok = student_token(), path[4200];
	struct it_resp r;
	size_t i;

	IT_REQUIRE_STACK();
	/* an old client's token in the URL: refused like the rest */
	snprintf(path, sizeof(path), "/ws?token=%s", tok);
	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		cr_assert_eq(it_request(methods[i], path, "{}", 2, NULL, &r),
		    0);
		cr_assert_eq(r.status, 405, "%s: %s", methods[i], r.body);
		cr_assert_str_eq(it_error_code(&r), "method_not_allowed");
		it_resp_free(&r);
		cr_assert_eq(it_request(methods[i], "/ws", NULL, 0, NULL, &r),
		    0);
		cr_assert_eq(r.status, 405, "%s without a token", methods[i]);
		it_resp_free(&r);
	}
	free(tok);
}

/* Whether the file at path contains needle. */
static int
file_has(const char *path, const char *needle)
{
	FILE *fp = fopen(path, "r");
	char *buf = NULL;
	size_t cap = 0;
	int found = 0;

	cr_assert_not_null(fp, "%s", path);
	while (!found && getline(&buf, &cap, fp) > 0)
		found = strstr(buf, needle) != NULL;
	free(buf);
	fclose(fp);
	return found;
}

Test(wsedge, the_token_never_reaches_nginx_logs, .timeout = 30)
{
	char *tok = student_token(), *big, log[512], *sig;
	struct ws *w;
	struct it_resp r;
	json_t *j;

	IT_REQUIRE_STACK();
	/* things that write error-log lines: a dropped oversized frame, a
	 * refused method, a socket the client abandons mid-frame */
	w = open_socket(tok);
	big = padded_ping((size_t)it_config()->body_max + 10);
	ws_send_text(w, big);
	json_decref(ws_expect_type(w, "pong", 3000));
	ws_close(w);
	free(big);
	cr_assert_eq(it_request("POST", "/ws", "{}", 2, NULL, &r), 0);
	it_resp_free(&r);
	w = open_socket(tok);
	cr_assert_eq(ws_send_text(w, "{\"type\":\"ping\"}"), 0);
	cr_assert_not_null(j = ws_expect_type(w, "pong", 5000));
	json_decref(j);
	ws_close(w);
	/* the signature is the secret part; nginx flushes each line */
	sig = strrchr(tok, '.') + 1;
	snprintf(log, sizeof(log), "%s/log/nginx-error.log",
	    it_config()->state);
	cr_assert_not(file_has(log, sig), "the token is in %s", log);
	snprintf(log, sizeof(log), "%s/log/nginx-access.log",
	    it_config()->state);
	cr_assert_not(file_has(log, sig), "the token is in %s", log);
	free(tok);
}

/* What a frame the socket cannot act on gets back: type and status. */
struct frame_case {
	int teacher;
	char frame[64], type[24];
	long status;
	char code[24];
};

static struct frame_case frames[] = {
	{ 1, "{\"type\":\"submit\",\"session_id\":1,\"otp\":\"1234\"}",
	    "submit.result", 403, "forbidden" },
	{ 1, "{\"type\":\"app_switch\"}", "error", 400, "bad_request" },
	{ 0, "{\"session_id\":1}", "error", 400, "bad_request" },
	{ 0, "[1]", "error", 400, "bad_json" },
};

ParameterizedTestParameters(wsedge, a_frame_it_cannot_act_on_is_answered_why)
{
	return cr_make_param_array(struct frame_case, frames,
	    sizeof(frames) / sizeof(frames[0]));
}

ParameterizedTest(struct frame_case *c, wsedge,
    a_frame_it_cannot_act_on_is_answered_why, .timeout = 30)
{
	struct it_class k;
	struct ws *w;
	json_t *j;

	IT_REQUIRE_STACK();
	it_class_make(&k, "frame", 1, "ANDROID");
	w = open_socket(c->teacher ? k.teacher_tok : k.tokens[0]);
	cr_assert_eq(ws_send_text(w, c->frame), 0);
	j = ws_expect_type(w, c->type, 10000);
	cr_assert_not_null(j, "%s: no %s frame", c->frame, c->type);
	cr_assert_eq(json_integer_value(json_object_get(j, "status_code")),
	    c->status, "%s", c->frame);
	cr_assert_str_eq(json_string_value(
			     json_object_get(json_object_get(j, "error"),
				 "code")),
	    c->code, "%s", c->frame);
	json_decref(j);
	ws_close(w);
}
