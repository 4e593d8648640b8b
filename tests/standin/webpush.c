/*
 * webpush.c - standin-webpush: a local Web Push service (RFC 8030) and the
 * browsers behind it, for tests and benchmarks.  One process, one thread,
 * a poll() loop over keep-alive HTTP/1.1 connections (the plumbing is
 * standin-fcm's).
 *
 * It plays both ends a real push goes through:
 *   the push service   POST /push/<n>-<secret>: checks the VAPID
 *                      Authorization (RFC 8292: ES256 signature against
 *                      the k= key, aud = this server's origin, exp at most
 *                      24 h ahead, a sub; and k is the applicationServerKey
 *                      the subscription was made with), the TTL, Urgency,
 *                      Topic and Content-Encoding: aes128gcm headers, and
 *                      answers 201 with a Location, like a push service
 *   the user agent     decrypts the body (RFC 8291) with the subscription's
 *                      private key and auth secret, which it made, and
 *                      records the plaintext
 * and a control surface for the tests:
 *   POST /control/subscribe?n=N&tag=T[&k=KEY]
 *                      N new subscriptions (a fresh P-256 key and auth
 *                      secret each), as PushSubscription.toJSON() gives
 *                      them: [{"endpoint","keys":{"p256dh","auth"}}]
 *   POST /control/fail?tag=T&status=410|404|429|500&count=N
 *                      the next N pushes to T's subscriptions get that
 *   GET  /control/messages?tag=T[&brief=1]
 *                      what arrived (headers, decrypted payload)
 *   GET  /control/stats   counters
 *   POST /control/reset   no failures
 * With -w FILE it writes the port once it is ready; every push is also a
 * JSON line in the -r file.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
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

#include "webpush.h"
#include "wpdecrypt.h"

#define MAX_REQUEST (64 * 1024)
#define MAX_SUBS 50000
#define MAX_RULES 64

struct sub {
	EVP_PKEY *key; /* the user agent's private key */
	unsigned char auth[16];
	char secret[24]; /* the endpoint's unguessable part */
	char tag[64];
	char k[96]; /* applicationServerKey; "" = any */
};

struct rule {
	char tag[64];
	int status, count;
};

struct record {
	int sub, status;
	long long t;
	char *json; /* {"ttl","urgency","topic","payload"} */
};

static struct {
	char origin[64];
	FILE *record;
	struct sub *subs;
	int nsubs;
	struct rule rules[MAX_RULES];
	int nrules;
	struct record *recs;
	size_t nrecs, caprecs;
	long long pushes, delivered, bad_vapid, bad_crypto, bad_headers,
	    otp_seen;
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

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
b64url(const unsigned char *in, size_t n, char *out)
{
	int len = EVP_EncodeBlock((unsigned char *)out, in, (int)n);

	while (len > 0 && out[len - 1] == '=')
		len--;
	out[len] = '\0';
	for (int i = 0; i < len; i++)
		out[i] = out[i] == '+' ? '-' : out[i] == '/' ? '_' : out[i];
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
    const char *body)
{
	const char *reason = status == 200 ? "OK"
	    : status == 201                ? "Created"
	    : status == 400                ? "Bad Request"
	    : status == 401                ? "Unauthorized"
	    : status == 403                ? "Forbidden"
	    : status == 404                ? "Not Found"
	    : status == 410                ? "Gone"
	    : status == 413                ? "Payload Too Large"
	    : status == 429                ? "Too Many Requests"
					   : "Error";
	size_t bl = strlen(body), need;
	char head[512];
	int hl;

	hl = snprintf(head, sizeof(head),
	    "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\n"
	    "Content-Length: %zu\r\n%s%s\r\n",
	    status, reason, bl, extra_hdrs ? extra_hdrs : "",
	    c->close_after ? "Connection: close\r\n" : "");
	need = c->nout + (size_t)hl + bl;
	c->out = realloc(c->out, need);
	memcpy(c->out + c->nout, head, (size_t)hl);
	memcpy(c->out + c->nout + hl, body, bl);
	c->nout = need;
	c->ready_at = 0;
}

static void
reply_json(struct standin_conn *c, int status, json_t *o)
{
	char *s = json_dumps(o, JSON_COMPACT);

	reply(c, status, NULL, s ? s : "{}");
	free(s);
	json_decref(o);
}

/* ---- subscriptions (the browser's side of PushManager.subscribe) ---- */

static json_t *
subscribe_one(const char *tag, const char *k)
{
	struct sub *s = &S.subs[S.nsubs];
	unsigned char raw[65], sec[12];
	char p256dh[100], auth[32], ep[256];
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);

	memset(s, 0, sizeof(*s));
	if (ctx == NULL || EVP_PKEY_keygen_init(ctx) <= 0 ||
	    EVP_PKEY_CTX_set_group_name(ctx, "prime256v1") <= 0 ||
	    EVP_PKEY_keygen(ctx, &s->key) <= 0 ||
	    webpush_pub_raw(s->key, raw) < 0 || RAND_bytes(s->auth, 16) != 1 ||
	    RAND_bytes(sec, sizeof(sec)) != 1) {
		EVP_PKEY_CTX_free(ctx);
		return NULL;
	}
	EVP_PKEY_CTX_free(ctx);
	b64url(sec, sizeof(sec), s->secret);
	snprintf(s->tag, sizeof(s->tag), "%s", tag);
	snprintf(s->k, sizeof(s->k), "%s", k ? k : "");
	b64url(raw, sizeof(raw), p256dh);
	b64url(s->auth, sizeof(s->auth), auth);
	snprintf(ep, sizeof(ep), "%s/push/%d-%s", S.origin, S.nsubs, s->secret);
	S.nsubs++;
	return json_pack("{s:s,s:{s:s,s:s}}", "endpoint", ep, "keys", "p256dh",
	    p256dh, "auth", auth);
}

static void
handle_subscribe(struct standin_conn *c, const char *qs)
{
	char *tag = form_get(qs, "tag"), *k = form_get(qs, "k");
	long n = form_long(qs, "n", 1), i;
	json_t *arr = json_array(), *one;

	if (n < 1 || n > MAX_SUBS - S.nsubs || tag == NULL ||
	    strlen(tag) >= sizeof(S.subs[0].tag)) {
		reply(c, 400, NULL, "{\"error\":\"n or tag\"}");
		json_decref(arr);
		goto out;
	}
	for (i = 0; i < n; i++) {
		if ((one = subscribe_one(tag, k)) == NULL)
			break;
		json_array_append_new(arr, one);
	}
	reply_json(c, 200, arr);
out:
	free(tag);
	free(k);
}

/* ---- the push service ---- */

static int
match_rule(const char *tag)
{
	int i, st;

	for (i = 0; i < S.nrules; i++) {
		if (strcmp(S.rules[i].tag, tag) != 0 || S.rules[i].count <= 0)
			continue;
		st = S.rules[i].status;
		S.rules[i].count--;
		return st;
	}
	return 0;
}

/* Keeps what became of a push; info is stolen. */
static void
record(int sub, int status, json_t *info)
{
	struct record *r;
	char *line;

	if (S.nrecs == S.caprecs) {
		S.caprecs = S.caprecs ? S.caprecs * 2 : 1024;
		S.recs = realloc(S.recs, S.caprecs * sizeof(*S.recs));
	}
	r = &S.recs[S.nrecs++];
	r->sub = sub;
	r->status = status;
	r->t = now_ms();
	r->json = json_dumps(info, JSON_COMPACT);
	json_decref(info);
	if (S.record && r->json) {
		line = r->json;
		fprintf(S.record,
		    "{\"sub\":%d,\"tag\":\"%s\",\"status\":%d,"
		    "\"info\":%s}\n",
		    sub, S.subs[sub].tag, status, line);
		fflush(S.record);
	}
}

/* The headers RFC 8030/8291 require of a push; NULL when good. */
static const char *
check_headers(const char *ttl, const char *urgency, const char *topic,
    const char *enc)
{
	char *end;

	if (ttl == NULL || *ttl == '\0' || (strtol(ttl, &end, 10), *end))
		return "TTL is missing or not a number";
	if (enc == NULL || strcasecmp(enc, "aes128gcm") != 0)
		return "Content-Encoding is not aes128gcm";
	if (urgency && strcmp(urgency, "very-low") && strcmp(urgency, "low") &&
	    strcmp(urgency, "normal") && strcmp(urgency, "high"))
		return "bad Urgency";
	if (topic &&
	    (strlen(topic) > 32 ||
		strspn(topic,
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		    "0123456789-_") != strlen(topic)))
		return "bad Topic";
	return NULL;
}

struct push_req {
	const char *auth, *ttl, *urgency, *topic, *enc;
	const unsigned char *body;
	size_t n;
};

/* Decrypts and records a push that passed the service's checks. */
static void
deliver(struct standin_conn *c, int idx, const struct push_req *q)
{
	struct sub *s = &S.subs[idx];
	char *plain = NULL, loc[128];
	const char *why;
	size_t pl;
	json_t *info, *pj;

	why = wp_decrypt(s->key, s->auth, q->body, q->n, &plain, &pl);
	if (why) {
		S.bad_crypto++;
		fprintf(stderr, "standin-webpush: push %d: %s\n", idx, why);
		record(idx, 400, json_pack("{s:s}", "error", why));
		reply(c, 400, NULL, "{\"error\":\"cannot decrypt\"}");
		return;
	}
	pj = json_loads(plain, 0, NULL);
	if (strcasestr(plain, "otp"))
		S.otp_seen++;
	info = json_pack("{s:I,s:s?,s:s?,s:o*,s:s}", "ttl",
	    (json_int_t)strtol(q->ttl, NULL, 10), "urgency", q->urgency,
	    "topic", q->topic, "payload", pj, "plain", plain);
	S.delivered++;
	record(idx, 201, info);
	free(plain);
	snprintf(loc, sizeof(loc), "Location: %s/message/%lld\r\n", S.origin,
	    S.pushes);
	reply(c, 201, loc, "");
}

static void
handle_push(struct standin_conn *c, const char *path, const struct push_req *q)
{
	char *end, key[128];
	const char *why;
	long idx = strtol(path + 6, &end, 10);
	int st;

	S.pushes++;
	if (end == path + 6 || *end != '-' || idx < 0 || idx >= S.nsubs ||
	    strcmp(end + 1, S.subs[idx].secret) != 0) {
		reply(c, 404, NULL, "{\"error\":\"no such subscription\"}");
		return;
	}
	if ((why = wp_check_vapid(q->auth, S.origin, now_ms() / 1000, key,
		 sizeof(key))) != NULL ||
	    (S.subs[idx].k[0] && strcmp(S.subs[idx].k, key) != 0)) {
		S.bad_vapid++;
		fprintf(stderr, "standin-webpush: push %ld: VAPID: %s\n", idx,
		    why ? why : "not the subscription's key");
		record((int)idx, why ? 401 : 403,
		    json_pack("{s:s}", "error", why ? why : "wrong key"));
		reply(c, why ? 401 : 403, NULL, "{\"error\":\"vapid\"}");
		return;
	}
	if ((why = check_headers(q->ttl, q->urgency, q->topic, q->enc))) {
		S.bad_headers++;
		record((int)idx, 400, json_pack("{s:s}", "error", why));
		reply(c, 400, NULL, "{\"error\":\"headers\"}");
		return;
	}
	if ((st = match_rule(S.subs[idx].tag)) != 0) {
		record((int)idx, st, json_pack("{s:s}", "error", "told to"));
		reply(c, st, NULL, "{}");
		return;
	}
	deliver(c, (int)idx, q);
}

/* ---- control ---- */

static void
handle_messages(struct standin_conn *c, const char *qs)
{
	char *tag = form_get(qs, "tag");
	int brief = (int)form_long(qs, "brief", 0);
	json_t *arr = json_array(), *m;
	long long n = 0, ok = 0, last = 0, first = 0;
	size_t i;

	for (i = 0; tag && i < S.nrecs; i++) {
		struct record *r = &S.recs[i];

		if (strcmp(S.subs[r->sub].tag, tag) != 0)
			continue;
		n++;
		if (r->status == 201) {
			ok++;
			if (first == 0)
				first = r->t;
			last = r->t;
		}
		if (!brief) {
			m = r->json ? json_loads(r->json, 0, NULL) : NULL;
			json_array_append_new(arr,
			    json_pack("{s:I,s:i,s:i,s:o*}", "t",
				(json_int_t)r->t, "sub", r->sub, "status",
				r->status, "info", m));
		}
	}
	reply_json(c, 200,
	    json_pack("{s:I,s:I,s:I,s:I,s:o}", "count", (json_int_t)n,
		"delivered", (json_int_t)ok, "first_ms", (json_int_t)first,
		"last_ms", (json_int_t)last, "messages", arr));
	free(tag);
}

static void
handle_control(struct standin_conn *c, const char *method, const char *path,
    const char *qs)
{
	struct rule *r;
	char *tag;

	if (strcmp(method, "POST") == 0 &&
	    strcmp(path, "/control/subscribe") == 0) {
		handle_subscribe(c, qs);
	} else if (strcmp(method, "POST") == 0 &&
	    strcmp(path, "/control/fail") == 0) {
		if (S.nrules == MAX_RULES ||
		    (tag = form_get(qs, "tag")) == NULL) {
			reply(c, 400, NULL, "{\"error\":\"tag\"}");
			return;
		}
		r = &S.rules[S.nrules++];
		snprintf(r->tag, sizeof(r->tag), "%s", tag);
		free(tag);
		r->status = (int)form_long(qs, "status", 410);
		r->count = (int)form_long(qs, "count", 1);
		reply(c, 200, NULL, "{}");
	} else if (strcmp(path, "/control/reset") == 0) {
		S.nrules = 0;
		reply(c, 200, NULL, "{}");
	} else if (strcmp(path, "/control/messages") == 0) {
		handle_messages(c, qs);
	} else if (strcmp(path, "/control/stats") == 0) {
		reply_json(c, 200,
		    json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:i}", "pushes",
			(json_int_t)S.pushes, "delivered",
			(json_int_t)S.delivered, "bad_vapid",
			(json_int_t)S.bad_vapid, "bad_crypto",
			(json_int_t)S.bad_crypto, "bad_headers",
			(json_int_t)S.bad_headers, "otp_seen",
			(json_int_t)S.otp_seen, "subscriptions", S.nsubs));
	} else {
		reply(c, 404, NULL, "{\"error\":\"no such control\"}");
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
	char *end, method[16], target[2048], clen[32], conn_h[32], *qs, *path;
	char auth[2048], ttl[32], urg[32], topic[64], enc[32];
	struct push_req q;
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
		reply(c, 413, NULL, "{}");
		c->nin = 0;
		return 1;
	}
	if (c->nin < hl + bl) {
		end[2] = '\r';
		return 0;
	}
	if (sscanf(c->in, "%15s %2047s", method, target) != 2) {
		c->close_after = 1;
		reply(c, 400, NULL, "{}");
		c->nin = 0;
		return 1;
	}
	if (header(c->in, "Connection", conn_h, sizeof(conn_h)) &&
	    strcasecmp(conn_h, "close") == 0)
		c->close_after = 1;
	q.auth = header(c->in, "Authorization", auth, sizeof(auth));
	q.ttl = header(c->in, "TTL", ttl, sizeof(ttl));
	q.urgency = header(c->in, "Urgency", urg, sizeof(urg));
	q.topic = header(c->in, "Topic", topic, sizeof(topic));
	q.enc = header(c->in, "Content-Encoding", enc, sizeof(enc));
	q.body = (const unsigned char *)c->in + hl;
	q.n = bl;
	path = target;
	qs = strchr(target, '?');
	if (qs)
		*qs++ = '\0';
	if (strcmp(method, "POST") == 0 && strncmp(path, "/push/", 6) == 0)
		handle_push(c, path, &q);
	else if (strncmp(path, "/control/", 9) == 0)
		handle_control(c, method, path, qs ? qs : "");
	else
		reply(c, 404, NULL, "{\"error\":\"not found\"}");
	memmove(c->in, c->in + hl + bl, c->nin - hl - bl);
	c->nin -= hl + bl;
	return 1;
}

static void
usage(void)
{
	fprintf(stderr,
	    "usage: standin-webpush [-p PORT] [-r RECORD] [-w PORTFILE]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	const char *rec = NULL, *portfile = NULL;
	int opt, port = 0, bound = 0, lfd, i;
	struct sigaction sa = { .sa_handler = on_signal };
	FILE *fp;
	char tmp[4096];

	while ((opt = getopt(argc, argv, "p:r:w:")) != -1) {
		switch (opt) {
		case 'p':
			port = atoi(optarg);
			break;
		case 'r':
			rec = optarg;
			break;
		case 'w':
			portfile = optarg;
			break;
		default:
			usage();
		}
	}
	signal(SIGPIPE, SIG_IGN);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	if ((S.subs = calloc(MAX_SUBS, sizeof(*S.subs))) == NULL)
		return 1;
	if ((lfd = standin_listen(port, &bound)) < 0) {
		perror("standin-webpush: listen");
		return 1;
	}
	snprintf(S.origin, sizeof(S.origin), "http://127.0.0.1:%d", bound);
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
	fprintf(stderr, "standin-webpush: listening on %s\n", S.origin);
	net.name = "standin-webpush";
	net.serve_one = serve_one;
	net.stop = &stop;
	standin_serve(&net, lfd);
	fprintf(stderr,
	    "standin-webpush: %lld pushes, %lld delivered, %lld bad VAPID, "
	    "%lld undecryptable\n",
	    S.pushes, S.delivered, S.bad_vapid, S.bad_crypto);
	for (i = 0; i < S.nsubs; i++)
		EVP_PKEY_free(S.subs[i].key);
	for (size_t r = 0; r < S.nrecs; r++)
		free(S.recs[r].json);
	free(S.recs);
	free(S.subs);
	standin_close_all(&net);
	if (S.record)
		fclose(S.record);
	return 0;
}
