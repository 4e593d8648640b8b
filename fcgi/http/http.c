/*
 * http.c - request parsing from FastCGI params, replies and the one error
 * writer.  Nothing here touches FCGX streams: main.c feeds params and body
 * in and writes http_render()'s bytes out, so tests need no FastCGI.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "config.h"
#include "http.h"
#include "jsonio.h"
#include "log.h"

static const struct {
	int status;
	const char *code;
	const char *text;
} statuses[] = {
	{ 200, "ok", "OK" },
	{ 201, "created", "Created" },
	{ 202, "accepted", "Accepted" },
	{ 204, "no_content", "No Content" },
	{ 304, "not_modified", "Not Modified" },
	{ 400, "bad_request", "Bad Request" },
	{ 401, "unauthorized", "Unauthorized" },
	{ 403, "forbidden", "Forbidden" },
	{ 404, "not_found", "Not Found" },
	{ 405, "method_not_allowed", "Method Not Allowed" },
	{ 409, "conflict", "Conflict" },
	{ 410, "gone", "Gone" },
	{ 413, "payload_too_large", "Payload Too Large" },
	{ 415, "unsupported_media_type", "Unsupported Media Type" },
	{ 422, "unprocessable", "Unprocessable Entity" },
	{ 429, "rate_limited", "Too Many Requests" },
	{ 500, "internal", "Internal Server Error" },
	{ 502, "bad_gateway", "Bad Gateway" },
	{ 503, "unavailable", "Service Unavailable" },
	{ 504, "timeout", "Gateway Timeout" },
};

#define NSTATUS (sizeof(statuses) / sizeof(statuses[0]))

const char *
http_status_code(int status)
{
	size_t i;

	for (i = 0; i < NSTATUS; i++)
		if (statuses[i].status == status)
			return statuses[i].code;
	return status >= 500 ? "internal" : "error";
}

const char *
http_status_text(int status)
{
	size_t i;

	for (i = 0; i < NSTATUS; i++)
		if (statuses[i].status == status)
			return statuses[i].text;
	return "Unknown";
}

const char *
http_env(const struct http_req *r, const char *name)
{
	size_t n = strlen(name);
	char **e;

	for (e = r->envp; e && *e; e++)
		if (strncmp(*e, name, n) == 0 && (*e)[n] == '=')
			return *e + n + 1;
	return NULL;
}

void
http_req_init(struct http_req *r, struct arena *a, const struct config *cfg,
    char **envp)
{
	const char *uri, *q, *v;

	memset(r, 0, sizeof(*r));
	r->arena = a;
	r->cfg = cfg;
	r->envp = envp;
	r->method = (v = http_env(r, "REQUEST_METHOD")) ? v : "GET";
	/*
	 * nginx's internal locations name the route in EHAZIRA_PATH (a
	 * repeated fastcgi_param would be sent twice, not replaced).
	 */
	uri =
	    (v = http_env(r, "EHAZIRA_PATH")) ? v : http_env(r, "DOCUMENT_URI");
	if (uri == NULL) {
		uri = (v = http_env(r, "REQUEST_URI")) ? v : "/";
		q = strchr(uri, '?');
		uri = q ? arena_strndup(a, uri, (size_t)(q - uri)) : uri;
	}
	r->path = uri;
	r->query = (v = http_env(r, "QUERY_STRING")) ? v : "";
	r->remote_addr = (v = http_env(r, "REMOTE_ADDR")) ? v : "";
	r->authorization = http_env(r, "HTTP_AUTHORIZATION");
	r->content_type = http_env(r, "CONTENT_TYPE");
	r->orig_uri = http_env(r, "ORIG_URI");
	r->ws_protocols = http_env(r, "HTTP_SEC_WEBSOCKET_PROTOCOL");
	r->internal =
	    (v = http_env(r, "EHAZIRA_INTERNAL")) && strcmp(v, "1") == 0;
	/* The hook server sees nginx as the client; the real one is here. */
	if (r->internal && (v = http_env(r, "EHAZIRA_CLIENT_ADDR")) && *v)
		r->remote_addr = v;
	/*
	 * nginx's $request_id, so the access log and ours share one id; a
	 * random one when called some other way (tests).  Never the
	 * client's own header: it would go into our log lines verbatim.
	 */
	v = http_env(r, "EHAZIRA_REQUEST_ID");
	if (v == NULL || *v == '\0' || strlen(v) > 64 ||
	    strspn(v, "0123456789abcdef") != strlen(v))
		v = crypto_random_hex(8, a);
	r->id = v;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static char *
url_decode(struct arena *a, const char *s, size_t n)
{
	char *out = arena_alloc(a, n + 1), *o = out;
	size_t i;
	int h, l;

	if (out == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		if (s[i] == '+') {
			*o++ = ' ';
		} else if (s[i] == '%' && i + 2 < n &&
		    (h = hexval(s[i + 1])) >= 0 &&
		    (l = hexval(s[i + 2])) >= 0) {
			*o++ = (char)(h * 16 + l);
			i += 2;
		} else {
			*o++ = s[i];
		}
	}
	*o = '\0';
	return out;
}

const char *
http_query(struct http_req *r, const char *name)
{
	const char *p = r->query, *amp, *eq;
	size_t n = strlen(name);

	while (p && *p) {
		amp = strchr(p, '&');
		if (amp == NULL)
			amp = p + strlen(p);
		eq = memchr(p, '=', (size_t)(amp - p));
		if (eq && (size_t)(eq - p) == n && strncmp(p, name, n) == 0)
			return url_decode(r->arena, eq + 1,
			    (size_t)(amp - eq - 1));
		if (!eq && (size_t)(amp - p) == n && strncmp(p, name, n) == 0)
			return "";
		p = *amp ? amp + 1 : amp;
	}
	return NULL;
}

const char *
http_param(const struct http_req *r, const char *name)
{
	int i;

	for (i = 0; i < r->nparams; i++)
		if (strcmp(r->param_names[i], name) == 0)
			return r->param_values[i];
	return NULL;
}

int
http_add_header(struct http_req *r, const char *name, const char *value)
{
	const char *v;

	if (r->nhdrs == HTTP_MAX_HEADERS ||
	    (v = arena_strdup(r->arena, value)) == NULL)
		return -1;
	r->hdr_names[r->nhdrs] = name;
	r->hdr_values[r->nhdrs++] = v;
	return 0;
}

int
http_reply_raw(struct http_req *r, int status, const char *type,
    const char *body, size_t len)
{
	r->status = status;
	r->resp_type = type;
	r->resp_body = body;
	r->resp_len = len;
	return status;
}

int
http_reply_json_text(struct http_req *r, int status, char *s, size_t len)
{
	if (s == NULL || arena_own(r->arena, s) < 0) /* s is gone */
		return http_reply_error(r, 500, "internal", "internal error");
	return http_reply_raw(r, status, "application/json", s, len);
}

int
http_reply_json(struct http_req *r, int status, json_t *body)
{
	char *s;

	if (body == NULL)
		return http_reply_error(r, 500, "internal", "internal error");
	/* jansson prints reals with 17 significant digits (66.7 becomes
	 * 66.700000000000003); percentages are rounded already */
	s = json_dumps(body, JSON_COMPACT | JSON_REAL_PRECISION(10));
	json_decref(body);
	return http_reply_json_text(r, status, s, s ? strlen(s) : 0);
}

int
http_reply_error(struct http_req *r, int status, const char *code,
    const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	json_t *body;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if ((body = jsonio_error(code, msg)) == NULL) {
		static const char oom[] = "{\"error\":{\"code\":\"internal\","
					  "\"message\":\"internal error\"}}";
		return http_reply_raw(r, 500, "application/json", oom,
		    sizeof(oom) - 1);
	}
	http_reply_json(r, status, body);
	return status;
}

void
http_finish(struct http_req *r, int status)
{
	if (status < 100 || status > 599)
		status = 500;
	if (r->resp_type == NULL && status >= 400)
		http_reply_error(r, status, http_status_code(status), "%s",
		    http_status_text(status));
	r->status = status;
}

/*
 * Appends one formatted line at *p, within end; -1 when it would not fit
 * (http_render sized the buffer exactly, so that is a bug, not a reply).
 */
static int
put(char **p, const char *end, const char *fmt, ...)
{
	va_list ap;
	int m;

	va_start(ap, fmt);
	m = vsnprintf(*p, (size_t)(end - *p), fmt, ap);
	va_end(ap);
	if (m < 0 || m >= end - *p)
		return -1;
	*p += m;
	return 0;
}

/* The bytes of "Name: value\r\n". */
static size_t
header_len(const char *name, const char *value)
{
	return strlen(name) + 2 + strlen(value) + 2;
}

char *
http_render(struct http_req *r, size_t *len)
{
	char status[64], *out, *p, *end;
	size_t cap;
	int i, m;

	m = snprintf(status, sizeof(status), "%d %s", r->status,
	    http_status_text(r->status));
	if (m < 0 || (size_t)m >= sizeof(status))
		return NULL;
	/* every byte counted: headers, blank line, body and snprintf's NUL */
	cap = header_len("Status", status) + header_len("X-Request-Id", r->id);
	if (r->resp_type)
		cap += header_len("Content-Type", r->resp_type);
	for (i = 0; i < r->nhdrs; i++)
		cap += header_len(r->hdr_names[i], r->hdr_values[i]);
	cap += 2 + r->resp_len + 1;
	if ((out = arena_alloc(r->arena, cap)) == NULL)
		return NULL;
	p = out;
	end = out + cap;
	if (put(&p, end, "Status: %s\r\nX-Request-Id: %s\r\n", status, r->id))
		return NULL;
	if (r->resp_type && put(&p, end, "Content-Type: %s\r\n", r->resp_type))
		return NULL;
	for (i = 0; i < r->nhdrs; i++)
		if (put(&p, end, "%s: %s\r\n", r->hdr_names[i],
			r->hdr_values[i]))
			return NULL;
	if (put(&p, end, "\r\n"))
		return NULL;
	if (r->resp_len) {
		memcpy(p, r->resp_body, r->resp_len);
		p += r->resp_len;
	}
	*len = (size_t)(p - out);
	return out;
}
