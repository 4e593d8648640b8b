/*
 * http.h - one request and its response, independent of FastCGI.
 */
#ifndef EHZ_HTTP_H
#define EHZ_HTTP_H

#include <jansson.h>
#include <stddef.h>

#include "arena.h"
#include "token.h"

struct config;
struct db;

#define HTTP_MAX_PARAMS 4
#define HTTP_MAX_HEADERS 8

struct http_req {
	struct arena *arena;
	const struct config *cfg;
	struct db *db;

	const char *id; /* request id: nginx's $request_id, else random */
	const char *method;
	const char *path;  /* without the query string */
	const char *query; /* raw, may be "" */
	const char *remote_addr;
	const char *authorization;
	const char *content_type;
	const char *orig_uri;     /* set by nginx on auth subrequests */
	const char *ws_protocols; /* Sec-WebSocket-Protocol: offered list */
	int internal; /* came through nginx's internal hook server */
	char **envp;  /* every FastCGI param */
	const char *body;
	size_t body_len;
	json_t *json; /* the parsed body for ROUTE_JSON routes */

	const char *param_names[HTTP_MAX_PARAMS];
	const char *param_values[HTTP_MAX_PARAMS];
	int nparams;

	struct auth auth;
	/*
	 * The device/account re-check the router left to a ROUTE_GUARD_LATE
	 * handler's first read; cleared by guard_settle or guard_late.
	 */
	int guard_owed;

	/* response */
	int status;
	const char *resp_type;
	const char *resp_body;
	size_t resp_len;
	const char *hdr_names[HTTP_MAX_HEADERS];
	const char *hdr_values[HTTP_MAX_HEADERS];
	int nhdrs;

	/*
	 * Work owed once the reply is out (main.c runs it after sending the
	 * reply, before the arena is reset): what the client need not wait
	 * for.
	 */
	void (*after)(struct http_req *r, void *arg);
	void *after_arg;
};

/* Fills r from FastCGI params (NULL-terminated "NAME=value" strings). */
void http_req_init(struct http_req *r, struct arena *a,
    const struct config *cfg, char **envp);
/* A FastCGI param or NULL. */
const char *http_env(const struct http_req *r, const char *name);
/* A decoded query parameter or NULL; arena memory. */
const char *http_query(struct http_req *r, const char *name);
/* A path parameter captured by the router (":id") or NULL. */
const char *http_param(const struct http_req *r, const char *name);

/* Each reply helper sets the response and returns status. */
int http_reply_json(struct http_req *r, int status, json_t *body);
/* JSON text already written (malloc'd, or NULL on failure: a 500); the
 * request's arena takes it. */
int http_reply_json_text(struct http_req *r, int status, char *s, size_t len);
int http_reply_raw(struct http_req *r, int status, const char *type,
    const char *body, size_t len);
/*
 * The one error writer: {"error":{"code":...,"message":...}}.  The message
 * is for people and must not carry SQL, library or errno text; log those.
 */
int http_reply_error(struct http_req *r, int status, const char *code,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Fills a default error body for a bare status a handler returned. */
void http_finish(struct http_req *r, int status);
int http_add_header(struct http_req *r, const char *name, const char *value);
/* The stable error code of a status ("not_found", ...). */
const char *http_status_code(int status);
const char *http_status_text(int status);
/*
 * Serialised headers+body for FastCGI stdout, in a buffer of exactly
 * *len + 1 bytes; arena memory, NULL when the arena is out of room.
 */
char *http_render(struct http_req *r, size_t *len);

#endif
