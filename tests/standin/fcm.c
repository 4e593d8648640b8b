/*
 * fcm.c - standin-fcm: a local Firebase Cloud Messaging for tests and
 * benchmarks.  One process, one thread, a poll() loop over many
 * keep-alive HTTP/1.1 connections.
 *
 * It plays both Google servers the relay talks to:
 *   POST <token_uri path>   the OAuth2 token endpoint: checks the RS256
 *                           signature of the assertion against the service
 *                           account's public key and its claims (iss,
 *                           scope, aud, iat, exp), answers an access token
 *   POST /v1/projects/P/messages:send
 *                           checks the bearer token and the message shape
 *                           (token, android.priority high, ttl "Ns",
 *                           collapse_key, string data, notification),
 *                           records it and answers like FCM
 * and a control surface for the tests:
 *   POST /control/fail?status=429|503|500|404|400|401&count=N
 *                     [&retry_after=S][&token=T]
 *                           the next N sends (to T only, if given) get that
 *                           error; 404 is FCM's UNREGISTERED
 *   POST /control/fail?status=...&ms=M[&token=T]
 *                           every send for the next M ms gets it (an
 *                           outage of a given length)
 *   POST /control/delay?ms=N  answer every send N ms late
 *   POST /control/revoke      forget every access token issued
 *   POST /control/reset       no failures, no delay
 *   GET  /control/stats       counters (token requests, sends, ...)
 *   GET  /control/messages?token=T | prefix=P [&brief=1]
 *                             what arrived for those tokens
 *   GET  /control/token       an access token (for a bare client)
 *
 * With -k FILE it makes a fresh RSA key first and writes the service
 * account JSON the relay reads (token_uri naming this server's port);
 * with -w FILE it writes the port once it is ready to serve.  Every send
 * is also appended as a JSON line to the -r file.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <jwt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "lib/httploop.h"

#define MAX_REQUEST (1024 * 1024)
#define MAX_TOKENS 256
#define MAX_RULES 64
#define SCOPE "https://www.googleapis.com/auth/firebase.messaging"
#define GRANT "urn:ietf:params:oauth:grant-type:jwt-bearer"
#define FCM_ERROR "type.googleapis.com/google.firebase.fcm.v1.FcmError"

struct rule {
	char token[512]; /* "" = any */
	int status, count;
	long retry_after;
	long long until; /* failing every send before then (ms) */
};

struct record {
	char *token;
	int status;
	long long t;
	char *json; /* the message as received */
};

static struct {
	char *email, *token_uri, *token_path, *project, *pubkey;
	long token_ttl;
	FILE *record;
	struct {
		char tok[64];
		long long until;
	} tokens[MAX_TOKENS];
	int ntokens;
	struct rule rules[MAX_RULES];
	int nrules;
	long delay_ms;
	struct record *recs;
	size_t nrecs, caprecs;
	long long token_requests, token_refused, sends, delivered, rejected,
	    bad_auth, otp_seen;
} S;

static volatile sig_atomic_t stop;
/* the connections (lib/httploop.c) */
static struct standin_loop net;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static const char *
str_or(const char *s, const char *def)
{
	return s ? s : def;
}

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- keys ---- */

static char *
bio_string(BIO *b)
{
	char *p, *s;
	long n = BIO_get_mem_data(b, &p);

	s = malloc((size_t)n + 1);
	memcpy(s, p, (size_t)n);
	s[n] = '\0';
	return s;
}

static char *
public_pem(const char *private_pem)
{
	BIO *in = BIO_new_mem_buf(private_pem, -1), *out = BIO_new(BIO_s_mem());
	EVP_PKEY *k = PEM_read_bio_PrivateKey(in, NULL, NULL, NULL);
	char *s = NULL;

	if (k && PEM_write_bio_PUBKEY(out, k))
		s = bio_string(out);
	EVP_PKEY_free(k);
	BIO_free(in);
	BIO_free(out);
	return s;
}

static int
make_credentials(const char *path, int port)
{
	EVP_PKEY *k = EVP_RSA_gen(2048);
	BIO *b = BIO_new(BIO_s_mem());
	char *pem, uri[128], email[256], tmp[4096];
	json_t *o;
	int rc;

	if (k == NULL ||
	    !PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL))
		return -1;
	pem = bio_string(b);
	snprintf(uri, sizeof(uri), "http://127.0.0.1:%d/token", port);
	snprintf(email, sizeof(email), "relay@%s.iam.gserviceaccount.com",
	    S.project);
	o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "type",
	    "service_account", "project_id", S.project, "private_key_id",
	    "standin", "private_key", pem, "client_email", email, "client_id",
	    "1", "token_uri", uri);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	rc = json_dump_file(o, tmp, JSON_INDENT(2));
	if (rc == 0)
		rc = rename(tmp, path);
	json_decref(o);
	free(pem);
	EVP_PKEY_free(k);
	BIO_free(b);
	return rc;
}

static int
load_credentials(const char *path)
{
	json_t *o = json_load_file(path, 0, NULL);
	const char *key, *uri, *p;

	if (o == NULL)
		return -1;
	key = json_string_value(json_object_get(o, "private_key"));
	uri = json_string_value(json_object_get(o, "token_uri"));
	S.email = strdup(
	    str_or(json_string_value(json_object_get(o, "client_email")), ""));
	if (key == NULL || uri == NULL ||
	    (S.pubkey = public_pem(key)) == NULL) {
		json_decref(o);
		return -1;
	}
	S.token_uri = strdup(uri);
	/* the path part of http://host:port/path */
	p = strstr(uri, "://");
	p = p ? strchr(p + 3, '/') : NULL;
	S.token_path = strdup(p ? p : "/token");
	json_decref(o);
	return 0;
}

/* ---- small parsers ---- */

static int
b64url_decode(const char *in, size_t n, unsigned char *out, size_t cap)
{
	static const char *al = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrs"
				"tuvwxyz0123456789-_";
	unsigned v = 0;
	int bits = 0;
	size_t i, o = 0;
	const char *c;

	for (i = 0; i < n; i++) {
		if (in[i] == '=')
			break;
		if ((c = strchr(al, in[i])) == NULL || in[i] == '\0')
			return -1;
		v = (v << 6) | (unsigned)(c - al);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o + 1 >= cap)
				return -1;
			out[o++] = (unsigned char)((v >> bits) & 0xff);
		}
	}
	out[o] = '\0';
	return (int)o;
}

static void
url_decode(char *s)
{
	char *o = s, h[3] = { 0 };

	for (; *s; s++) {
		if (*s == '+') {
			*o++ = ' ';
		} else if (*s == '%' && s[1] && s[2]) {
			h[0] = s[1];
			h[1] = s[2];
			*o++ = (char)strtol(h, NULL, 16);
			s += 2;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
}

/* The decoded value of name in an a=b&c=d string, malloc'd, or NULL. */
static char *
form_get(const char *qs, const char *name)
{
	size_t nl = strlen(name);
	const char *p = qs, *e;
	char *v;

	while (p && *p) {
		e = strchr(p, '&');
		if (strncmp(p, name, nl) == 0 && p[nl] == '=') {
			p += nl + 1;
			v = strndup(p, e ? (size_t)(e - p) : strlen(p));
			url_decode(v);
			return v;
		}
		p = e ? e + 1 : NULL;
	}
	return NULL;
}

static long
form_long(const char *qs, const char *name, long def)
{
	char *v = form_get(qs, name);
	long n = v ? strtol(v, NULL, 10) : def;

	free(v);
	return n;
}

/* ---- answers ---- */

static void
reply(struct standin_conn *c, int status, const char *extra_hdrs,
    const char *body, long long delay)
{
	const char *reason = status == 200 ? "OK"
	    : status == 400                ? "Bad Request"
	    : status == 401                ? "Unauthorized"
	    : status == 404                ? "Not Found"
	    : status == 429                ? "Too Many Requests"
	    : status == 500                ? "Internal Server Error"
	    : status == 503                ? "Service Unavailable"
					   : "Error";
	size_t bl = strlen(body), need;
	char head[512];
	int hl;

	hl = snprintf(head, sizeof(head),
	    "HTTP/1.1 %d %s\r\nContent-Type: application/json; "
	    "charset=UTF-8\r\nContent-Length: %zu\r\n%s%s\r\n",
	    status, reason, bl, extra_hdrs ? extra_hdrs : "",
	    c->close_after ? "Connection: close\r\n" : "");
	need = c->nout + (size_t)hl + bl;
	c->out = realloc(c->out, need);
	memcpy(c->out + c->nout, head, (size_t)hl);
	memcpy(c->out + c->nout + hl, body, bl);
	c->nout = need;
	c->ready_at = delay > 0 ? now_ms() + delay : 0;
}

static void
reply_json(struct standin_conn *c, int status, json_t *o, const char *hdrs,
    long long delay)
{
	char *s = json_dumps(o, JSON_COMPACT);

	reply(c, status, hdrs, s ? s : "{}", delay);
	free(s);
	json_decref(o);
}

static json_t *
fcm_error(int status, const char *gstatus, const char *code,
    const char *message)
{
	return json_pack("{s:{s:i,s:s,s:s,s:[{s:s,s:s}]}}", "error", "code",
	    status, "message", message, "status", gstatus, "details", "@type",
	    FCM_ERROR, "errorCode", code);
}

static void
reply_fcm_error(struct standin_conn *c, int status, long retry_after,
    long long delay)
{
	char hdr[64] = "";

	switch (status) {
	case 429:
		if (retry_after >= 0)
			snprintf(hdr, sizeof(hdr), "Retry-After: %ld\r\n",
			    retry_after);
		reply_json(c, 429,
		    fcm_error(429, "RESOURCE_EXHAUSTED", "QUOTA_EXCEEDED",
			"Quota exceeded."),
		    hdr, delay);
		break;
	case 404:
		reply_json(c, 404,
		    fcm_error(404, "NOT_FOUND", "UNREGISTERED",
			"Requested entity was not found."),
		    NULL, delay);
		break;
	case 400:
		reply_json(c, 400,
		    fcm_error(400, "INVALID_ARGUMENT", "INVALID_ARGUMENT",
			"Invalid request."),
		    NULL, delay);
		break;
	case 401:
		reply_json(c, 401,
		    fcm_error(401, "UNAUTHENTICATED", "THIRD_PARTY_AUTH_ERROR",
			"Request had invalid "
			"authentication credentials."),
		    NULL, delay);
		break;
	case 500:
		reply_json(c, 500,
		    fcm_error(500, "INTERNAL", "INTERNAL", "Internal error."),
		    NULL, delay);
		break;
	default:
		if (retry_after >= 0)
			snprintf(hdr, sizeof(hdr), "Retry-After: %ld\r\n",
			    retry_after);
		reply_json(c, 503,
		    fcm_error(503, "UNAVAILABLE", "UNAVAILABLE",
			"The service is currently unavailable."),
		    hdr, delay);
	}
}

/* ---- the token endpoint ---- */

static const char *
check_assertion(const char *a)
{
	const char *dot = strchr(a, '.'), *iss, *aud, *scope, *p;
	unsigned char hdr[512];
	json_t *h;
	jwt_t *jwt = NULL;
	long iat, exp, now = (long)time(NULL);
	size_t sl = strlen(SCOPE);
	int alg_ok, found = 0;

	if (dot == NULL ||
	    b64url_decode(a, (size_t)(dot - a), hdr, sizeof(hdr)) < 0)
		return "assertion is not a JWT";
	h = json_loads((char *)hdr, 0, NULL);
	alg_ok = h &&
	    strcmp(str_or(json_string_value(json_object_get(h, "alg")), ""),
		"RS256") == 0;
	json_decref(h);
	/* libjwt trusts the token's alg: insist on RS256 ourselves. */
	if (!alg_ok)
		return "assertion alg is not RS256";
	if (jwt_decode(&jwt, a, (const unsigned char *)S.pubkey,
		(int)strlen(S.pubkey)) != 0 ||
	    jwt == NULL)
		return "bad assertion signature";
	if (jwt_get_alg(jwt) != JWT_ALG_RS256) {
		jwt_free(jwt);
		return "assertion alg is not RS256";
	}
	iss = jwt_get_grant(jwt, "iss");
	aud = jwt_get_grant(jwt, "aud");
	scope = jwt_get_grant(jwt, "scope");
	iat = jwt_get_grant_int(jwt, "iat");
	exp = jwt_get_grant_int(jwt, "exp");
	for (p = scope; p && (p = strstr(p, SCOPE)) != NULL; p += sl)
		if ((p == scope || p[-1] == ' ') &&
		    (p[sl] == '\0' || p[sl] == ' '))
			found = 1;
	a = NULL;
	if (iss == NULL || strcmp(iss, S.email) != 0)
		a = "iss is not the service account";
	else if (aud == NULL || strcmp(aud, S.token_uri) != 0)
		a = "aud is not the token uri";
	else if (!found)
		a = "scope lacks firebase.messaging";
	else if (iat <= 0 || iat > now + 60)
		a = "iat missing or in the future";
	else if (exp <= now || exp < iat || exp - iat > 3600)
		a = "exp missing, past, or over an hour after iat";
	jwt_free(jwt);
	return a;
}

static void
handle_token(struct standin_conn *c, const char *body)
{
	char *grant = form_get(body, "grant_type"),
	     *assertion = form_get(body, "assertion");
	const char *why = NULL;
	int i;

	S.token_requests++;
	if (grant == NULL || strcmp(grant, GRANT) != 0)
		why = "unsupported grant_type";
	else if (assertion == NULL)
		why = "no assertion";
	else
		why = check_assertion(assertion);
	free(grant);
	free(assertion);
	if (why) {
		S.token_refused++;
		fprintf(stderr, "standin-fcm: token refused: %s\n", why);
		reply_json(c, 400,
		    json_pack("{s:s,s:s}", "error", "invalid_grant",
			"error_description", why),
		    NULL, 0);
		return;
	}
	i = S.ntokens++ % MAX_TOKENS;
	snprintf(S.tokens[i].tok, sizeof(S.tokens[i].tok),
	    "ya29.standin.%lld.%08lx", S.token_requests,
	    (unsigned long)random());
	S.tokens[i].until = now_ms() + S.token_ttl * 1000;
	reply_json(c, 200,
	    json_pack("{s:s,s:i,s:s}", "access_token", S.tokens[i].tok,
		"expires_in", (int)S.token_ttl, "token_type", "Bearer"),
	    NULL, 0);
}

/* ---- the send endpoint ---- */

static int
bearer_ok(const char *auth)
{
	long long now = now_ms();
	int i, n = S.ntokens < MAX_TOKENS ? S.ntokens : MAX_TOKENS;

	if (auth == NULL || strncmp(auth, "Bearer ", 7) != 0)
		return 0;
	for (i = 0; i < n; i++)
		if (S.tokens[i].tok[0] &&
		    strcmp(S.tokens[i].tok, auth + 7) == 0 &&
		    S.tokens[i].until > now)
			return 1;
	return 0;
}

static const char *
check_shape(json_t *m)
{
	json_t *android = json_object_get(m, "android"), *data, *n, *v;
	const char *ttl, *k;
	size_t i;

	if (!json_is_string(json_object_get(m, "token")) ||
	    json_string_length(json_object_get(m, "token")) == 0)
		return "message.token missing";
	if (!json_is_object(android))
		return "message.android missing";
	if (strcmp(str_or(json_string_value(
			      json_object_get(android, "priority")),
		       ""),
		"high") != 0)
		return "android.priority is not high";
	ttl = json_string_value(json_object_get(android, "ttl"));
	if (ttl == NULL || *ttl == '\0')
		return "android.ttl missing";
	for (i = 0; ttl[i] >= '0' && ttl[i] <= '9'; i++)
		;
	if (i == 0 || strcmp(ttl + i, "s") != 0 || atol(ttl) > 2419200)
		return "android.ttl is not a duration 'Ns' within 28 days";
	if (json_object_get(android, "collapse_key") &&
	    !json_is_string(json_object_get(android, "collapse_key")))
		return "android.collapse_key is not a string";
	data = json_object_get(m, "data");
	if (data && !json_is_object(data))
		return "data is not a map";
	json_object_foreach(data, k, v)
	{
		if (!json_is_string(v))
			return "data values must be strings";
		if (strcasecmp(k, "otp") == 0 || strcasecmp(k, "code") == 0)
			S.otp_seen++;
	}
	n = json_object_get(m, "notification");
	if (!json_is_object(n) ||
	    !json_is_string(json_object_get(n, "title")) ||
	    !json_is_string(json_object_get(n, "body")))
		return "notification needs title and body";
	return NULL;
}

static int
rule_live(const struct rule *r)
{
	return r->count > 0 || r->until > now_ms();
}

static struct rule *
match_rule(const char *token)
{
	int i;

	for (i = 0; i < S.nrules; i++)
		if (rule_live(&S.rules[i]) && S.rules[i].token[0] &&
		    strcmp(S.rules[i].token, token) == 0)
			return &S.rules[i];
	for (i = 0; i < S.nrules; i++)
		if (rule_live(&S.rules[i]) && S.rules[i].token[0] == '\0')
			return &S.rules[i];
	return NULL;
}

static void
record(const char *token, int status, json_t *m)
{
	struct record *r;

	if (S.nrecs == S.caprecs) {
		S.caprecs = S.caprecs ? S.caprecs * 2 : 1024;
		S.recs = realloc(S.recs, S.caprecs * sizeof(*S.recs));
	}
	r = &S.recs[S.nrecs++];
	r->token = strdup(token ? token : "");
	r->status = status;
	r->t = now_ms();
	r->json = json_dumps(m, JSON_COMPACT | JSON_SORT_KEYS);
	if (S.record) {
		fprintf(S.record, "{\"t\":%lld,\"status\":%d,\"message\":%s}\n",
		    r->t, status, r->json ? r->json : "null");
		fflush(S.record);
	}
}

static void
handle_send(struct standin_conn *c, const char *path, const char *auth,
    const char *body)
{
	char want[512];
	json_t *o, *m;
	const char *why, *token;
	struct rule *r;

	S.sends++;
	snprintf(want, sizeof(want), "/v1/projects/%s/messages:send",
	    S.project);
	if (strcmp(path, want) != 0) {
		reply_json(c, 404,
		    json_pack("{s:{s:i,s:s,s:s}}", "error", "code", 404,
			"message", "no such project", "status", "NOT_FOUND"),
		    NULL, S.delay_ms);
		return;
	}
	if (!bearer_ok(auth)) {
		S.bad_auth++;
		reply_fcm_error(c, 401, -1, S.delay_ms);
		return;
	}
	o = json_loads(body, 0, NULL);
	m = json_object_get(o, "message");
	token = json_string_value(json_object_get(m, "token"));
	if (!json_is_object(m))
		why = "no message";
	else
		why = check_shape(m);
	if (why) {
		S.rejected++;
		fprintf(stderr, "standin-fcm: bad message: %s\n", why);
		record(token, 400, m);
		reply_json(c, 400,
		    fcm_error(400, "INVALID_ARGUMENT", "INVALID_ARGUMENT", why),
		    NULL, S.delay_ms);
		json_decref(o);
		return;
	}
	if ((r = match_rule(token)) != NULL) {
		if (r->count > 0)
			r->count--;
		record(token, r->status, m);
		reply_fcm_error(c, r->status, r->retry_after, S.delay_ms);
		json_decref(o);
		return;
	}
	S.delivered++;
	record(token, 200, m);
	snprintf(want, sizeof(want), "{\"name\":\"projects/%s/messages/%lld\"}",
	    S.project, S.sends);
	reply(c, 200, NULL, want, S.delay_ms);
	json_decref(o);
}

/* ---- control ---- */

static void
handle_messages(struct standin_conn *c, const char *qs)
{
	char *tok = form_get(qs, "token"), *pre = form_get(qs, "prefix");
	int brief = (int)form_long(qs, "brief", 0);
	json_t *arr = json_array(), *m;
	long long n = 0, ok = 0, last = 0, first = 0;
	size_t i, pl = pre ? strlen(pre) : 0;

	for (i = 0; i < S.nrecs; i++) {
		struct record *r = &S.recs[i];

		if (tok ? strcmp(r->token, tok) != 0
			: (pre == NULL || strncmp(r->token, pre, pl) != 0))
			continue;
		n++;
		if (r->status == 200) {
			ok++;
			if (first == 0)
				first = r->t;
			last = r->t;
		}
		if (!brief) {
			m = r->json ? json_loads(r->json, 0, NULL) : NULL;
			json_array_append_new(arr,
			    json_pack("{s:I,s:i,s:o*}", "t", (json_int_t)r->t,
				"status", r->status, "message", m));
		}
	}
	reply_json(c, 200,
	    json_pack("{s:I,s:I,s:I,s:I,s:o}", "count", (json_int_t)n,
		"delivered", (json_int_t)ok, "first_ms", (json_int_t)first,
		"last_ms", (json_int_t)last, "messages", arr),
	    NULL, 0);
	free(tok);
	free(pre);
}

static void
handle_control(struct standin_conn *c, const char *method, const char *path,
    const char *qs)
{
	struct rule *r;
	char *tok;
	int i;

	if (strcmp(path, "/control/stats") == 0) {
		reply_json(c, 200,
		    json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "token_requests",
			(json_int_t)S.token_requests, "token_refused",
			(json_int_t)S.token_refused, "sends",
			(json_int_t)S.sends, "delivered",
			(json_int_t)S.delivered, "rejected",
			(json_int_t)S.rejected, "bad_auth",
			(json_int_t)S.bad_auth, "otp_seen",
			(json_int_t)S.otp_seen),
		    NULL, 0);
	} else if (strcmp(path, "/control/messages") == 0) {
		handle_messages(c, qs);
	} else if (strcmp(path, "/control/token") == 0) {
		i = S.ntokens++ % MAX_TOKENS;
		snprintf(S.tokens[i].tok, sizeof(S.tokens[i].tok),
		    "ya29.standin.control.%08lx", (unsigned long)random());
		S.tokens[i].until = now_ms() + S.token_ttl * 1000;
		reply_json(c, 200,
		    json_pack("{s:s}", "access_token", S.tokens[i].tok), NULL,
		    0);
	} else if (strcmp(method, "POST") != 0) {
		reply(c, 405, NULL, "{}", 0);
	} else if (strcmp(path, "/control/fail") == 0) {
		if (S.nrules == MAX_RULES) {
			/* reuse a spent rule */
			for (i = 0; i < S.nrules && rule_live(&S.rules[i]); i++)
				;
			if (i == S.nrules) {
				reply(c, 400, NULL, "{\"error\":\"full\"}", 0);
				return;
			}
			r = &S.rules[i];
		} else {
			r = &S.rules[S.nrules++];
		}
		tok = form_get(qs, "token");
		snprintf(r->token, sizeof(r->token), "%s", tok ? tok : "");
		free(tok);
		r->status = (int)form_long(qs, "status", 503);
		r->until = form_long(qs, "ms", 0);
		if (r->until > 0)
			r->until += now_ms();
		r->count = (int)form_long(qs, "count", r->until > 0 ? 0 : 1);
		r->retry_after = form_long(qs, "retry_after", -1);
		reply(c, 200, NULL, "{\"ok\":true}", 0);
	} else if (strcmp(path, "/control/delay") == 0) {
		S.delay_ms = form_long(qs, "ms", 0);
		reply(c, 200, NULL, "{\"ok\":true}", 0);
	} else if (strcmp(path, "/control/revoke") == 0) {
		memset(S.tokens, 0, sizeof(S.tokens));
		reply(c, 200, NULL, "{\"ok\":true}", 0);
	} else if (strcmp(path, "/control/reset") == 0) {
		S.nrules = 0;
		S.delay_ms = 0;
		reply(c, 200, NULL, "{\"ok\":true}", 0);
	} else {
		reply(c, 404, NULL, "{\"error\":\"no such control\"}", 0);
	}
}

/* ---- HTTP/1.1 ---- */

static const char *
header(const char *head, const char *name, char *buf, size_t cap)
{
	size_t nl = strlen(name);
	const char *p = head, *e;

	while ((p = strstr(p, "\r\n")) != NULL) {
		p += 2;
		if (strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
			p += nl + 1;
			while (*p == ' ')
				p++;
			e = strstr(p, "\r\n");
			if (e == NULL || (size_t)(e - p) >= cap)
				return NULL;
			memcpy(buf, p, (size_t)(e - p));
			buf[e - p] = '\0';
			return buf;
		}
	}
	return NULL;
}

/* Handles one complete request at the head of c->in; 0 when incomplete. */
static int
serve_one(struct standin_conn *c)
{
	char *end, method[16], target[2048], clen[32], conn_h[32], auth[1024],
	    *body, *qs, *path;
	size_t hl, bl;

	if (c->nin == 0)
		return 0;
	c->in[c->nin] = '\0';
	if ((end = strstr(c->in, "\r\n\r\n")) == NULL)
		return 0;
	hl = (size_t)(end - c->in) + 4;
	end[2] = '\0'; /* the last header keeps its CRLF */
	bl = header(c->in, "Content-Length", clen, sizeof(clen))
	    ? (size_t)strtoul(clen, NULL, 10)
	    : 0;
	if (hl + bl > MAX_REQUEST) {
		c->close_after = 1;
		reply(c, 413, NULL, "{}", 0);
		c->nin = 0;
		return 1;
	}
	if (c->nin < hl + bl) {
		end[2] = '\r';
		return 0;
	}
	if (sscanf(c->in, "%15s %2047s", method, target) != 2) {
		c->close_after = 1;
		reply(c, 400, NULL, "{}", 0);
		c->nin = 0;
		return 1;
	}
	if (header(c->in, "Connection", conn_h, sizeof(conn_h)) &&
	    strcasecmp(conn_h, "close") == 0)
		c->close_after = 1;
	if (header(c->in, "Authorization", auth, sizeof(auth)) == NULL)
		auth[0] = '\0';
	body = strndup(c->in + hl, bl);
	path = target;
	qs = strchr(target, '?');
	if (qs)
		*qs++ = '\0';
	if (strcmp(method, "POST") == 0 && strcmp(path, S.token_path) == 0)
		handle_token(c, body);
	else if (strcmp(method, "POST") == 0 &&
	    strncmp(path, "/v1/projects/", 13) == 0)
		handle_send(c, path, auth[0] ? auth : NULL, body);
	else if (strncmp(path, "/control/", 9) == 0)
		handle_control(c, method, path, qs ? qs : "");
	else
		reply(c, 404, NULL, "{\"error\":\"not found\"}", 0);
	free(body);
	memmove(c->in, c->in + hl + bl, c->nin - hl - bl);
	c->nin -= hl + bl;
	return 1;
}

static void
usage(void)
{
	fprintf(stderr,
	    "usage: standin-fcm [-p PORT] [-P PROJECT] [-r RECORD] "
	    "[-t TOKEN_TTL] [-w PORTFILE]\n"
	    "                   (-k NEW_CREDENTIALS | -c CREDENTIALS)\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	const char *make = NULL, *use = NULL, *rec = NULL, *portfile = NULL;
	int opt, port = 0, bound = 0, lfd;
	struct sigaction sa = { .sa_handler = on_signal };
	FILE *fp;
	char tmp[4096];

	S.project = "ehazira-test";
	S.token_ttl = 3600;
	while ((opt = getopt(argc, argv, "p:P:r:t:w:k:c:")) != -1) {
		switch (opt) {
		case 'p':
			port = atoi(optarg);
			break;
		case 'P':
			S.project = optarg;
			break;
		case 'r':
			rec = optarg;
			break;
		case 't':
			S.token_ttl = atol(optarg);
			break;
		case 'w':
			portfile = optarg;
			break;
		case 'k':
			make = optarg;
			break;
		case 'c':
			use = optarg;
			break;
		default:
			usage();
		}
	}
	if ((make == NULL) == (use == NULL))
		usage();
	signal(SIGPIPE, SIG_IGN);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	srandom((unsigned)(now_ms() ^ getpid()));
	if ((lfd = standin_listen(port, &bound)) < 0) {
		perror("standin-fcm: listen");
		return 1;
	}
	if (make && make_credentials(make, bound) < 0) {
		fprintf(stderr, "standin-fcm: cannot write '%s'\n", make);
		return 1;
	}
	if (load_credentials(make ? make : use) < 0) {
		fprintf(stderr, "standin-fcm: bad credentials file\n");
		return 1;
	}
	if (rec && (S.record = fopen(rec, "a")) == NULL) {
		perror(rec);
		return 1;
	}
	if (portfile) {
		snprintf(tmp, sizeof(tmp), "%s.tmp", portfile);
		if ((fp = fopen(tmp, "w")) == NULL)
			return 1;
		fprintf(fp, "%d\n", bound);
		fclose(fp);
		rename(tmp, portfile);
	}
	fprintf(stderr, "standin-fcm: listening on 127.0.0.1:%d, project %s\n",
	    bound, S.project);
	net.name = "standin-fcm";
	net.serve_one = serve_one;
	net.stop = &stop;
	standin_serve(&net, lfd);
	fprintf(stderr,
	    "standin-fcm: %lld token requests, %lld sends, %lld "
	    "delivered\n",
	    S.token_requests, S.sends, S.delivered);
	return 0;
}
