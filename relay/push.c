/*
 * push.c - the push job: outbox rows to Firebase Cloud Messaging HTTP v1.
 *
 * A batch is one claim of due rows (outbox.c), at most FCM_PARALLEL x 4.
 * Its pushes go out over libcurl's multi interface, FCM_PARALLEL in
 * flight (HTTP/2 streams on one connection to Google, or as many
 * keep-alive connections to an HTTP/1.1 server), all driven from the
 * relay's one thread: each loop pass spends at most PASS_MS waiting on
 * the transfers, writes what became of the finished ones in one
 * transaction, and hands the loop back so the other jobs keep their
 * times.  While a batch is open its lease is renewed, so only a dead
 * relay's rows are ever claimed twice.  The next batch is claimed, and
 * the rows FCM accepted are marked SENT, while this one sends, on a
 * thread and connection of their own (pushdb.c).  The next batch's lease
 * is renewed with this one's; one that waited half its lease goes back
 * unsent, and an empty one is claimed again at the batch's end.
 *
 * What FCM answers decides the row's fate (push_classify): sent; retried
 * with exponential backoff and jitter, never sooner than a Retry-After;
 * dropped on a refusal; the device's token cleared when FCM no longer
 * knows it; failed when the next try would come after the row's expiry
 * (push_deadline) or, as a ceiling, after FCM_MAX_TRIES.  A 401 gets a new access token
 * and one more go.  The device's token is read when the batch is claimed,
 * a moment before the send, so a row never goes to a token the app has
 * since replaced or a device no longer active.
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "config.h"
#include "db.h"
#include "fcmauth.h"
#include "fcmbody.h"
#include "log.h"
#include "outbox.h"
#include "push.h"
#include "pushdb.h"
#include "relay.h"
#include "wpsend.h"

#define PASS_MS 100       /* longest wait on transfers per loop pass */
#define SEND_TIMEOUT_S 10 /* one FCM request */
#define CONNECT_TIMEOUT_S 5
#define ANSWER_MAX (16 * 1024) /* FCM answers are small */
#define BATCH_PER_SLOT 16      /* rows claimed per transfer slot */
#define RETRY_AFTER_CAP_S 86400L
#define AUTH_PAUSE_CAP_MS 60000LL /* token endpoint down: wait at most */
#define SETTLE_GIVE_UP 5
/*
 * The sweep reads every PENDING row; run before every claim it made a
 * burst quadratic (10 batches of 1,024 read 10,000 + 9,000 + ... rows).
 * Once a second is enough: a claim drops an expired row itself, and
 * fails a row whose lease ran out on its last try (settle_unsendable).
 */
#define SWEEP_EVERY_MS 1000LL

enum item_state { IT_QUEUED, IT_INFLIGHT, IT_DONE, IT_SETTLED };

struct item {
	struct outbox_row row; /* strings are malloc'd copies */
	enum item_state state;
	int reauthed; /* had its one 401 retry */
	unsigned gen; /* access-token generation it went with */
	struct outbox_result res;
	char err[128];
};

struct slot {
	CURL *easy;
	struct curl_slist *hdrs;
	struct curl_slist *wp_hdrs; /* the last Web Push transfer's */
	unsigned hdr_gen;           /* token generation in hdrs */
	char *body;
	char *answer;
	size_t nanswer;
	long retry_after;
	struct item *it;
};

enum {
	ST_SENT,
	ST_RETRIED,
	ST_FAILED,
	ST_DROPPED,
	ST_UNREG,
	ST_TOKENS,
	ST_BATCHES,
	ST_N
};

static const char *const stat_names[ST_N] = {
	"push.sent",
	"push.retried",
	"push.failed",
	"push.dropped",
	"push.unregistered",
	"push.token_requests",
	"push.batches",
};

struct push {
	const struct config *cfg;
	int disabled, said_disabled;
	struct fcmauth *auth;  /* NULL: no FCM_CREDENTIALS */
	struct wpsend *wpsend; /* NULL: no VAPID_PRIVATE_KEY */
	CURLM *multi;
	char *url;
	struct slot *slots;
	int nslots, nfree;
	int *free_slots;

	/* the open batch */
	char owner[64];
	unsigned seq;
	struct item *items;
	int nitems, cursor, inflight, counted, settle_fails;
	int *requeue, nrequeue;
	long long started_ms, renew_ms;
	long long claim_ms, settle_ms; /* of its time, for its log line */
	long long leased_ms;           /* its lease began no earlier */

	/* the next batch, claimed while this one sends (pushdb.c) */
	struct pushdb *pushdb; /* NULL: every claim and settle on rl->db */
	struct fcmbody body;   /* the last message built */
	int ahead;             /* a claim started and not yet taken */
	char next_owner[64];
	long long next_leased_ms;

	long long pause_until, auth_pause;
	long long sweep_at;      /* next outbox_sweep */
	long long retry_at;      /* soonest retry this relay scheduled, or 0 */
	long long batch[ST_N];   /* this batch, for its log line */
	long long pending[ST_N]; /* not yet added to relay_stat */
};

/* ---- the FCM protocol ---- */

static json_t *
data_value(json_t *v)
{
	char buf[64];

	switch (json_typeof(v)) {
	case JSON_STRING:
		return json_incref(v);
	case JSON_INTEGER:
		snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT,
		    json_integer_value(v));
		return json_string(buf);
	case JSON_REAL:
		snprintf(buf, sizeof(buf), "%.17g", json_real_value(v));
		return json_string(buf);
	case JSON_TRUE:
		return json_string("true");
	case JSON_FALSE:
		return json_string("false");
	default:
		return NULL; /* FCM data is a flat map of strings */
	}
}

long long
push_ttl(long long expires_ms, long long now_ms)
{
	long long left = PUSH_TTL_MAX;

	if (expires_ms > 0) {
		left = (expires_ms - now_ms) / 1000;
		if (left < 0)
			left = 0;
		if (left > PUSH_TTL_MAX)
			left = PUSH_TTL_MAX;
	}
	return left;
}

json_t *
push_message(const char *payload, const char *token, const char *collapse_key,
    long long expires_ms, long long now_ms)
{
	json_t *in = json_loads(payload, 0, NULL), *msg, *android, *data,
	       *notif, *src, *v, *s;
	const char *key, *t, *b;
	char ttl[32];

	if (!json_is_object(in) || token == NULL) {
		json_decref(in);
		return NULL;
	}
	snprintf(ttl, sizeof(ttl), "%llds", push_ttl(expires_ms, now_ms));
	android = json_pack("{s:s,s:s}", "priority", "high", "ttl", ttl);
	if (collapse_key && *collapse_key)
		json_object_set_new(android, "collapse_key",
		    json_string(collapse_key));
	msg = json_pack("{s:s,s:o}", "token", token, "android", android);
	if (msg == NULL) {
		json_decref(in);
		return NULL;
	}
	data = json_object();
	src = json_object_get(in, "data");
	json_object_foreach(src, key, v)
	{
		/* Belt and braces: a code never leaves in a push. */
		if (strcasecmp(key, "otp") == 0)
			continue;
		if ((s = data_value(v)) != NULL)
			json_object_set_new(data, key, s);
	}
	if (json_object_size(data) > 0)
		json_object_set_new(msg, "data", data);
	else
		json_decref(data);
	src = json_object_get(in, "notification");
	t = json_string_value(json_object_get(src, "title"));
	b = json_string_value(json_object_get(src, "body"));
	if (t || b) {
		notif = json_object();
		if (t)
			json_object_set_new(notif, "title", json_string(t));
		if (b)
			json_object_set_new(notif, "body", json_string(b));
		json_object_set_new(msg, "notification", notif);
	}
	json_decref(in);
	return json_pack("{s:o}", "message", msg);
}

enum push_verdict
push_classify(long status, const char *body, char *code, size_t codelen)
{
	json_t *o, *err, *d;
	const char *ec = NULL;
	enum push_verdict v;
	size_t i;

	if (status == 200) { /* the message's name: nothing to read */
		snprintf(code, codelen, "%s", "");
		return PUSH_OK;
	}
	o = body && *body ? json_loads(body, 0, NULL) : NULL;
	err = json_object_get(o, "error");

	/* error.details[].errorCode of the FcmError entry (docs/tech-notes.md, "FCM error codes") */
	json_array_foreach(json_object_get(err, "details"), i, d)
	{
		const char *c =
		    json_string_value(json_object_get(d, "errorCode"));

		if (c) {
			ec = c;
			break;
		}
	}
	if (ec == NULL)
		ec = json_string_value(json_object_get(err, "status"));
	if (ec)
		snprintf(code, codelen, "%s", ec);
	else if (status == 0)
		snprintf(code, codelen, "%s", "transport error");
	else
		snprintf(code, codelen, "HTTP %ld", status);

	if (ec && strcmp(ec, "UNREGISTERED") == 0)
		v = PUSH_UNREGISTERED;
	else if (status == 404 && json_is_object(err))
		v = PUSH_UNREGISTERED; /* an FCM 404: the token is gone */
	else if (status == 401)
		v = PUSH_REAUTH;
	else if (status == 0 || status == 429 || status >= 500)
		v = PUSH_RETRY;
	else
		v = PUSH_DROP; /* 400 and the rest: resending cannot help */
	json_decref(o);
	return v;
}

long long
push_backoff(int tries, long retry_after_s, unsigned long rnd,
    long long base_ms, long long cap_ms)
{
	int shift = tries > 1 ? tries - 1 : 0;
	long long d, ra;

	if (shift > 20)
		shift = 20;
	if (base_ms < 1)
		base_ms = 1;
	d = base_ms << shift;
	if (d > cap_ms)
		d = cap_ms;
	d += (long long)(rnd % (unsigned long)(d / 2 + 1));
	if (retry_after_s > 0) {
		if (retry_after_s > RETRY_AFTER_CAP_S)
			retry_after_s = RETRY_AFTER_CAP_S;
		ra = retry_after_s * 1000LL;
		/* Spread the herd a little past the server's time. */
		if (d < ra)
			d = ra + (long long)(rnd % (unsigned long)(ra / 4 + 1));
	}
	return d;
}

long long
push_deadline(long long expires_ms, long long created_ms, long retry_for_s)
{
	if (expires_ms > 0)
		return expires_ms;
	return created_ms + (long long)retry_for_s * 1000;
}

long
push_retry_after(const char *value, long long now_s)
{
	char *end;
	long n;
	time_t t;

	if (value == NULL)
		return -1;
	while (*value == ' ' || *value == '\t')
		value++;
	if (*value >= '0' && *value <= '9') {
		n = strtol(value, &end, 10);
		while (
		    *end == ' ' || *end == '\t' || *end == '\r' || *end == '\n')
			end++;
		return *end == '\0' ? n : -1;
	}
	if (*value == '\0' || (t = curl_getdate(value, NULL)) < 0)
		return -1;
	return t > now_s ? (long)(t - now_s) : 0;
}

/* ---- transfers ---- */

static size_t
on_answer(char *d, size_t sz, size_t nm, void *u)
{
	struct slot *s = u;
	size_t n = sz * nm;
	char *np;

	if (s->nanswer + n > ANSWER_MAX)
		return n; /* keep the head; the verdict needs no more */
	if ((np = realloc(s->answer, s->nanswer + n + 1)) == NULL)
		return 0;
	memcpy(np + s->nanswer, d, n);
	s->nanswer += n;
	np[s->nanswer] = '\0';
	s->answer = np;
	return n;
}

static size_t
on_header(char *d, size_t sz, size_t nm, void *u)
{
	struct slot *s = u;
	size_t n = sz * nm;
	char val[64];

	if (n > 12 && n < 12 + sizeof(val) &&
	    strncasecmp(d, "Retry-After:", 12) == 0) {
		memcpy(val, d + 12, n - 12);
		val[n - 12] = '\0';
		s->retry_after = push_retry_after(val, (long long)time(NULL));
	}
	return n;
}

static void
item_free(struct item *it)
{
	free((char *)it->row.kind);
	free((char *)it->row.collapse_key);
	free((char *)it->row.payload);
	free((char *)it->row.push_token);
	free((char *)it->row.wp_endpoint);
	free((char *)it->row.wp_p256dh);
	free((char *)it->row.wp_auth);
}

static char *
dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* Settles it as fate (with an error for last_error). */
static void
resolve(struct push *p, struct item *it, enum outbox_fate fate, const char *err)
{
	it->state = IT_DONE;
	it->res.id = it->row.id;
	it->res.fate = fate;
	snprintf(it->err, sizeof(it->err), "%s", err ? err : "");
	it->res.error = err && *err ? it->err : NULL;
	switch (fate) {
	case OUTBOX_SENT:
		p->batch[ST_SENT]++;
		break;
	case OUTBOX_RETRY:
		p->batch[ST_RETRIED]++;
		break;
	case OUTBOX_FAILED:
		p->batch[ST_FAILED]++;
		break;
	case OUTBOX_DROPPED:
		p->batch[it->res.clear_device ? ST_UNREG : ST_DROPPED]++;
		break;
	case OUTBOX_RELEASE:
		break;
	}
}

/* Rows that must not (or need not) be sent; 1 when it was settled. */
static int
settle_unsendable(struct push *p, struct item *it, long long now)
{
	/* Claimed past the ceiling: the last try's relay died mid-send and
	 * no sweep has failed the row yet (tries count at claim time). */
	if (it->row.tries > p->cfg->fcm_max_tries)
		resolve(p, it, OUTBOX_FAILED, "lease ran out on the last try");
	else if (it->row.web && it->row.wp_endpoint == NULL)
		resolve(p, it, OUTBOX_DROPPED, "no push subscription");
	else if (it->row.web && p->wpsend == NULL)
		resolve(p, it, OUTBOX_DROPPED, "Web Push is off");
	else if (!it->row.web &&
	    (it->row.push_token == NULL || *it->row.push_token == '\0'))
		resolve(p, it, OUTBOX_DROPPED, "no push token");
	else if (!it->row.web && p->auth == NULL)
		resolve(p, it, OUTBOX_DROPPED, "FCM is off");
	else if (!it->row.device_active)
		resolve(p, it, OUTBOX_DROPPED, "device not active");
	else if (it->row.expires_ms > 0 && it->row.expires_ms <= now)
		resolve(p, it, OUTBOX_DROPPED, "expired");
	else
		return 0;
	return 1;
}

static int
next_queued(struct push *p)
{
	if (p->nrequeue > 0)
		return p->requeue[--p->nrequeue];
	if (p->cursor < p->nitems)
		return p->cursor++;
	return -1;
}

static int
set_auth_header(struct push *p, struct slot *s, const char *tok)
{
	char *h;
	unsigned gen = fcmauth_generation(p->auth);

	if (s->hdrs && s->hdr_gen == gen)
		return 0;
	curl_slist_free_all(s->hdrs);
	s->hdrs = NULL;
	if (asprintf(&h, "Authorization: Bearer %s", tok) < 0)
		return -1;
	s->hdrs = curl_slist_append(s->hdrs, h);
	free(h);
	s->hdrs = curl_slist_append(s->hdrs,
	    "Content-Type: application/json; charset=UTF-8");
	s->hdrs = curl_slist_append(s->hdrs, "Expect:");
	s->hdr_gen = gen;
	return s->hdrs ? 0 : -1;
}

/* The token endpoint failed: give back what was not sent, wait a while. */
static void
auth_trouble(struct push *p, int idx, long long now)
{
	struct item *it;

	p->requeue[p->nrequeue++] = idx;
	while ((idx = next_queued(p)) >= 0) {
		it = &p->items[idx];
		resolve(p, it, OUTBOX_RELEASE, NULL);
	}
	p->auth_pause = p->auth_pause ? p->auth_pause * 2 : 1000;
	if (p->auth_pause > AUTH_PAUSE_CAP_MS)
		p->auth_pause = AUTH_PAUSE_CAP_MS;
	p->pause_until = now + p->auth_pause;
	log_warn("push: no access token; pausing pushes for %lld ms",
	    p->auth_pause);
}

static void
launch(struct push *p, struct slot *s, struct item *it)
{
	p->nfree--;
	s->it = it;
	s->retry_after = -1;
	s->nanswer = 0;
	it->state = IT_INFLIGHT;
	curl_multi_add_handle(p->multi, s->easy);
	p->inflight++;
}

/* A WEB device's row: encrypted for its subscription (wpsend.c). */
static int
start_web(struct push *p, struct slot *s, struct item *it, long long now)
{
	const char *why = NULL;

	if (wpsend_prepare(p->wpsend, s->easy, &it->row, now, &s->wp_hdrs,
		&s->body, &why) < 0) {
		log_warn("push: outbox %lld: %s; dropped", it->row.id, why);
		resolve(p, it, OUTBOX_DROPPED, why);
		return -1;
	}
	return 0;
}

static void
start_transfers(struct push *p)
{
	long long now = clock_wall_ms();
	const char *tok = NULL;
	struct item *it;
	struct slot *s;
	int idx;

	while (p->nfree > 0 && (idx = next_queued(p)) >= 0) {
		it = &p->items[idx];
		if (settle_unsendable(p, it, now))
			continue;
		s = &p->slots[p->free_slots[p->nfree - 1]];
		if (it->row.web) {
			if (start_web(p, s, it, now) == 0)
				launch(p, s, it);
			continue;
		}
		if (tok == NULL &&
		    (tok = fcmauth_token(p->auth, now)) == NULL) {
			auth_trouble(p, idx, now);
			return;
		}
		p->auth_pause = 0;
		s->body =
		    fcmbody_build(&p->body, it->row.payload, it->row.push_token,
			it->row.collapse_key, it->row.expires_ms, now);
		if (s->body == NULL) {
			log_warn("push: outbox %lld: payload is not a JSON "
				 "object; dropped",
			    it->row.id);
			resolve(p, it, OUTBOX_DROPPED, "bad payload");
			continue;
		}
		if (set_auth_header(p, s, tok) < 0) {
			free(s->body);
			s->body = NULL;
			resolve(p, it, OUTBOX_RELEASE, NULL);
			continue;
		}
		it->gen = fcmauth_generation(p->auth);
		/* The slot may have carried a Web Push last time. */
		curl_easy_setopt(s->easy, CURLOPT_URL, p->url);
		curl_easy_setopt(s->easy, CURLOPT_HTTPHEADER, s->hdrs);
		curl_easy_setopt(s->easy, CURLOPT_POSTFIELDSIZE, -1L);
		curl_easy_setopt(s->easy, CURLOPT_POSTFIELDS, s->body);
		launch(p, s, it);
	}
}

static void
finish(struct push *p, struct item *it, enum push_verdict v, const char *code,
    long retry_after)
{
	char err[128];

	switch (v) {
	case PUSH_OK:
		resolve(p, it, OUTBOX_SENT, NULL);
		return;
	case PUSH_REAUTH:
		if (!it->reauthed) {
			it->reauthed = 1;
			/* Only the first 401 of a token asks for a new one. */
			if (it->gen == fcmauth_generation(p->auth))
				fcmauth_invalidate(p->auth);
			it->state = IT_QUEUED;
			p->requeue[p->nrequeue++] = (int)(it - p->items);
			return;
		}
		/* FALLTHROUGH */
	case PUSH_RETRY:
		it->res.delay_ms = push_backoff(it->row.tries, retry_after,
		    (unsigned long)random(), p->cfg->fcm_backoff_base,
		    p->cfg->fcm_backoff_cap);
		if (it->row.tries >= p->cfg->fcm_max_tries ||
		    clock_wall_ms() + it->res.delay_ms >=
			push_deadline(it->row.expires_ms, it->row.created_ms,
			    p->cfg->fcm_retry_for)) {
			snprintf(err, sizeof(err), "%s after %d tries", code,
			    it->row.tries);
			log_warn("push: outbox %lld failed: %s", it->row.id,
			    err);
			resolve(p, it, OUTBOX_FAILED, err);
			return;
		}
		log_debug("push: outbox %lld: %s; retry in %lld ms", it->row.id,
		    code, it->res.delay_ms);
		resolve(p, it, OUTBOX_RETRY, code);
		return;
	case PUSH_UNREGISTERED:
		log_info("push: outbox %lld: device %lld's %s is %s; "
			 "cleared",
		    it->row.id, it->row.device_id,
		    it->row.web ? "Web Push subscription" : "token", code);
		it->res.clear_device = it->row.device_id;
		it->res.clear_token =
		    it->row.web ? it->row.wp_endpoint : it->row.push_token;
		it->res.clear_web = it->row.web;
		resolve(p, it, OUTBOX_DROPPED, code);
		return;
	case PUSH_DROP:
		log_warn("push: outbox %lld (%s) refused by FCM: %s; dropped",
		    it->row.id, it->row.kind, code);
		resolve(p, it, OUTBOX_DROPPED, code);
		return;
	}
}

static void
collect(struct push *p)
{
	CURLMsg *msg;
	struct slot *s;
	long status;
	char code[96];
	enum push_verdict v;
	int left;

	while ((msg = curl_multi_info_read(p->multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE,
		    (char **)&s);
		status = 0;
		if (msg->data.result == CURLE_OK)
			curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE,
			    &status);
		curl_multi_remove_handle(p->multi, s->easy);
		if (s->it->row.web)
			v = wpsend_classify(status, code, sizeof(code));
		else
			v = push_classify(status, s->nanswer ? s->answer : NULL,
			    code, sizeof(code));
		if (msg->data.result != CURLE_OK)
			snprintf(code, sizeof(code), "%s",
			    curl_easy_strerror(msg->data.result));
		p->inflight--;
		finish(p, s->it, v, code, s->retry_after);
		free(s->body);
		s->body = NULL;
		s->it = NULL;
		p->free_slots[p->nfree++] = (int)(s - p->slots);
	}
}

/* ---- the batch ---- */

/* Housekeeping before a claim, at most every SWEEP_EVERY_MS; 0 or -1. */
static int
sweep(struct push *p, struct relay *rl)
{
	long long now = clock_wall_ms(), dropped, failed;

	if (now < p->sweep_at)
		return 0;
	if (outbox_sweep(rl->db, (int)p->cfg->fcm_max_tries, &dropped,
		&failed) != DB_OK) {
		log_warn("push: the outbox sweep failed; no claim this pass");
		return -1;
	}
	p->pending[ST_DROPPED] += dropped;
	p->pending[ST_FAILED] += failed;
	p->sweep_at = now + SWEEP_EVERY_MS;
	return 0;
}

/* A claim's owner: unique per claim and per process, so the read-back
 * finds only its own rows. */
static void
new_owner(struct push *p, char *owner, size_t len)
{
	char host[32] = "relay";

	gethostname(host, sizeof(host) - 1);
	snprintf(owner, len, "%.24s:%d:%08lx:%u", host, (int)getpid(),
	    (unsigned long)random(), ++p->seq);
}

/* Gives n claimed rows of owner back at once (tries as before). */
static void
release_rows(struct relay *rl, const char *owner, const struct outbox_row *rows,
    int n)
{
	struct outbox_result *res;
	int i;

	res = arena_alloc(rl->arena, sizeof(*res) * (size_t)(n + 1));
	if (res == NULL)
		return; /* the lease runs out and they come back */
	memset(res, 0, sizeof(*res) * (size_t)n);
	for (i = 0; i < n; i++) {
		res[i].id = rows[i].id;
		res[i].fate = OUTBOX_RELEASE;
	}
	outbox_settle(rl->db, rl->arena, owner, res, n, NULL, NULL, 0);
}

/*
 * The batch claimed ahead while the last one was sending, as the open
 * batch's rows; 0 when there is none to use.  An empty one is not
 * trusted: rows queued since it ran are claimed now instead.  One that
 * waited half its lease (a pause) is given back: its lease could run
 * out mid-send, and another relay send the same rows.
 */
static int
take_ahead(struct push *p, struct relay *rl, struct outbox_row **rows, int *n)
{
	int rc;

	if (!p->ahead || pushdb_claim_take(p->pushdb, 1, &rc, rows, n) != 1)
		return 0;
	p->ahead = 0;
	if (rc != DB_OK || *n == 0)
		return 0;
	if (clock_wall_ms() - p->next_leased_ms >=
	    p->cfg->fcm_lease * 1000 / 2) {
		release_rows(rl, p->next_owner, *rows, *n);
		return 0;
	}
	snprintf(p->owner, sizeof(p->owner), "%s", p->next_owner);
	p->leased_ms = p->next_leased_ms;
	return 1;
}

/* Starts claiming the next batch on the database thread. */
static void
claim_ahead(struct push *p)
{
	if (p->pushdb == NULL)
		return;
	new_owner(p, p->next_owner, sizeof(p->next_owner));
	p->next_leased_ms = clock_wall_ms();
	p->ahead = pushdb_claim_start(p->pushdb, p->next_owner,
		       (int)p->cfg->fcm_lease, p->nslots * BATCH_PER_SLOT) == 0;
}

/* Renews the open batch's lease, and the next one's while it waits. */
static void
renew(struct push *p, struct relay *rl)
{
	long long now = clock_wall_ms();

	outbox_renew(rl->db, p->owner, (int)p->cfg->fcm_lease);
	/* Before its claim commits this renews nothing, and the claim's
	 * own lease starts later still: now is a lower bound either way. */
	if (p->ahead &&
	    outbox_renew(rl->db, p->next_owner, (int)p->cfg->fcm_lease) ==
		DB_OK)
		p->next_leased_ms = now;
	p->renew_ms = now + p->cfg->fcm_lease * 1000 / 2;
}

/* This relay's rows from outbox_claim, copied: the arena is reset. */
static int
adopt(struct push *p, const struct outbox_row *rows, int n)
{
	int i;

	p->items = calloc((size_t)n, sizeof(*p->items));
	p->requeue = calloc((size_t)n, sizeof(int));
	if (p->items == NULL || p->requeue == NULL) {
		/* The lease runs out and the rows come back. */
		free(p->items);
		free(p->requeue);
		p->items = NULL;
		return -1;
	}
	for (i = 0; i < n; i++) {
		p->items[i].row = rows[i];
		p->items[i].row.kind = dup_or_null(rows[i].kind);
		p->items[i].row.collapse_key =
		    dup_or_null(rows[i].collapse_key);
		p->items[i].row.payload = dup_or_null(rows[i].payload);
		p->items[i].row.push_token = dup_or_null(rows[i].push_token);
		p->items[i].row.wp_endpoint = dup_or_null(rows[i].wp_endpoint);
		p->items[i].row.wp_p256dh = dup_or_null(rows[i].wp_p256dh);
		p->items[i].row.wp_auth = dup_or_null(rows[i].wp_auth);
	}
	return 0;
}

/*
 * Opens a batch: the one claimed ahead, else a claim now; then the next
 * claim starts while this batch sends.  Its rows, 0 or -1.
 */
static int
begin_batch(struct push *p, struct relay *rl)
{
	struct outbox_row *rows;
	long long t0 = clock_wall_ms();
	int n, rc;

	if (sweep(p, rl) < 0)
		return -1;
	if (!take_ahead(p, rl, &rows, &n)) {
		new_owner(p, p->owner, sizeof(p->owner));
		p->leased_ms = clock_wall_ms();
		rc = outbox_claim(rl->db, rl->arena, p->owner,
		    (int)p->cfg->fcm_lease, p->nslots * BATCH_PER_SLOT, &rows,
		    &n);
		if (rc != DB_OK || n == 0)
			return rc == DB_OK ? 0 : -1;
	}
	if (adopt(p, rows, n) < 0)
		return -1;
	p->nitems = n;
	p->cursor = p->nrequeue = p->inflight = p->counted = 0;
	p->settle_fails = 0;
	p->started_ms = clock_wall_ms();
	p->claim_ms = p->started_ms - t0;
	p->settle_ms = 0;
	p->renew_ms = p->leased_ms + p->cfg->fcm_lease * 1000 / 2;
	memset(p->batch, 0, sizeof(p->batch));
	claim_ahead(p);
	return n;
}

static int
all_done(const struct push *p)
{
	return p->cursor >= p->nitems && p->nrequeue == 0 && p->inflight == 0;
}

/*
 * Rows FCM accepted, all of them, and the counters go to the database
 * thread (pushdb.c), marked SENT while the next transfers run; 1 when
 * they went.  Any other fate is written here, where retries are planned.
 */
static int
settle_behind(struct push *p, const struct outbox_result *res, int n)
{
	long long *ids;
	int i;

	if (p->pushdb == NULL)
		return 0;
	for (i = 0; i < n; i++)
		if (res[i].fate != OUTBOX_SENT)
			return 0;
	if ((ids = calloc((size_t)n + 1, sizeof(*ids))) == NULL)
		return 0;
	for (i = 0; i < n; i++)
		ids[i] = res[i].id;
	i = pushdb_sent(p->pushdb, ids, n, p->pending);
	free(ids);
	if (i < 0)
		return 0;
	memset(p->pending, 0, sizeof(p->pending));
	for (i = 0; i < p->nitems; i++)
		if (p->items[i].state == IT_DONE)
			p->items[i].state = IT_SETTLED;
	return 1;
}

/* Writes the finished rows and the counters; 1 when nothing is left. */
static int
flush(struct push *p, struct relay *rl)
{
	struct outbox_result *res;
	long long now;
	int i, n = 0, rc, any = 0;

	if (p->auth)
		p->pending[ST_TOKENS] += fcmauth_take_requests(p->auth);
	if (p->items && all_done(p) && !p->counted) {
		p->counted = 1;
		p->pending[ST_BATCHES]++;
		for (i = 0; i < ST_N; i++)
			if (i != ST_TOKENS && i != ST_BATCHES)
				p->pending[i] += p->batch[i];
	}
	for (i = 0; i < ST_N; i++)
		any |= p->pending[i] != 0;
	res = arena_alloc(rl->arena, sizeof(*res) * (size_t)(p->nitems + 1));
	if (res == NULL)
		return 0;
	for (i = 0; i < p->nitems; i++)
		if (p->items[i].state == IT_DONE)
			res[n++] = p->items[i].res;
	if (n == 0 && !any)
		return 1;
	if (settle_behind(p, res, n))
		return 1;
	/*
	 * Counters of a batch are written with its last rows; a retry of a
	 * failed settle writes them again only if the first never committed.
	 */
	now = clock_wall_ms();
	rc = outbox_settle(rl->db, rl->arena, p->owner, res, n, stat_names,
	    p->pending, ST_N);
	p->settle_ms += clock_wall_ms() - now;
	if (rc != DB_OK) {
		p->settle_fails++;
		return 0;
	}
	memset(p->pending, 0, sizeof(p->pending));
	now = clock_wall_ms(); /* after the commit: not_before <= now + delay */
	if (p->retry_at != 0 && p->retry_at <= now)
		p->retry_at = 0; /* passed: this claim took it */
	for (i = 0; i < p->nitems; i++) {
		if (p->items[i].state != IT_DONE)
			continue;
		p->items[i].state = IT_SETTLED;
		/* Wake for a retry rather than at the next poll: a backoff
		 * of 100 ms must not become a second. */
		if (p->items[i].res.fate == OUTBOX_RETRY &&
		    (p->retry_at == 0 ||
			now + p->items[i].res.delay_ms < p->retry_at))
			p->retry_at = now + p->items[i].res.delay_ms + 1;
	}
	return 1;
}

static void
end_batch(struct push *p, int abandoned)
{
	int i;

	if (abandoned)
		log_error("push batch %s abandoned: its results could not be "
			  "written; the rows are retried when the lease ends",
		    p->owner);
	else
		log_info("push batch %s: %d rows, sent %lld, failed %lld, "
			 "retried %lld, dropped %lld, unregistered %lld, "
			 "%lld ms (claim %lld ms before, settle %lld)",
		    p->owner, p->nitems, p->batch[ST_SENT], p->batch[ST_FAILED],
		    p->batch[ST_RETRIED], p->batch[ST_DROPPED],
		    p->batch[ST_UNREG], clock_wall_ms() - p->started_ms,
		    p->claim_ms, p->settle_ms);
	for (i = 0; i < p->nitems; i++)
		item_free(&p->items[i]);
	free(p->items);
	free(p->requeue);
	p->items = NULL;
	p->requeue = NULL;
	p->nitems = 0;
}

/* Drives the transfers for up to PASS_MS. */
static void
drive_transfers(struct push *p)
{
	long long stop = clock_wall_ms() + PASS_MS, left;
	int running;

	for (;;) {
		start_transfers(p);
		if (p->inflight == 0)
			return;
		curl_multi_perform(p->multi, &running);
		collect(p);
		if (p->inflight == 0 && p->nrequeue == 0 &&
		    p->cursor >= p->nitems)
			return;
		left = stop - clock_wall_ms();
		if (left <= 0)
			return;
		if (p->inflight > 0)
			curl_multi_poll(p->multi, NULL, 0,
			    (int)(left < 20 ? left : 20), NULL);
	}
}

/* next, or sooner when a retry this relay scheduled falls due first. */
static long long
wake_at(struct push *p, long long next)
{
	if (p->retry_at != 0 && p->retry_at <= clock_wall_ms())
		p->retry_at = 0; /* due: this pass's claim took it */
	return p->retry_at != 0 && p->retry_at < next ? p->retry_at : next;
}

long long
push_run(struct relay *rl, long long next)
{
	struct push *p = rl->push;
	long long now = clock_wall_ms();
	int rc;

	if (p->disabled) {
		if (!p->said_disabled)
			log_info("push: disabled (FCM_CREDENTIALS and "
				 "VAPID_PRIVATE_KEY are empty); outbox rows "
				 "stay PENDING");
		p->said_disabled = 1;
		return next;
	}
	if (p->items == NULL) {
		if (now < p->pause_until)
			return p->pause_until < next ? p->pause_until : next;
		if ((rc = begin_batch(p, rl)) <= 0) {
			flush(p, rl);
			return wake_at(p, next);
		}
	}
	drive_transfers(p);
	if (flush(p, rl) && all_done(p)) {
		end_batch(p, 0);
		/*
		 * Look again at once, full batch or not: a full one left rows
		 * behind, and the wake-ups of rows queued while this one was
		 * sending were drained by the loop meanwhile (in a wave,
		 * class after class); they would wait for the next poll, up
		 * to a second.  A claim that finds nothing ends the round.
		 */
		return clock_wall_ms();
	}
	if (p->settle_fails >= SETTLE_GIVE_UP && p->inflight == 0) {
		end_batch(p, 1);
		return next;
	}
	if (clock_wall_ms() >= p->renew_ms)
		renew(p, rl);
	return clock_wall_ms();
}

/* ---- setup ---- */

static int
slots_init(struct push *p)
{
	struct slot *s;
	int i;

	p->nslots = (int)p->cfg->fcm_parallel;
	p->slots = calloc((size_t)p->nslots, sizeof(*p->slots));
	p->free_slots = calloc((size_t)p->nslots, sizeof(int));
	if (p->slots == NULL || p->free_slots == NULL)
		return -1;
	for (i = 0; i < p->nslots; i++) {
		s = &p->slots[i];
		if ((s->easy = curl_easy_init()) == NULL)
			return -1;
		curl_easy_setopt(s->easy, CURLOPT_URL, p->url);
		curl_easy_setopt(s->easy, CURLOPT_PRIVATE, (char *)s);
		curl_easy_setopt(s->easy, CURLOPT_WRITEFUNCTION, on_answer);
		curl_easy_setopt(s->easy, CURLOPT_WRITEDATA, s);
		curl_easy_setopt(s->easy, CURLOPT_HEADERFUNCTION, on_header);
		curl_easy_setopt(s->easy, CURLOPT_HEADERDATA, s);
		curl_easy_setopt(s->easy, CURLOPT_TIMEOUT,
		    (long)SEND_TIMEOUT_S);
		curl_easy_setopt(s->easy, CURLOPT_CONNECTTIMEOUT,
		    (long)CONNECT_TIMEOUT_S);
		curl_easy_setopt(s->easy, CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(s->easy, CURLOPT_TCP_KEEPALIVE, 1L);
		/* Google speaks HTTP/2: wait for a stream, not a socket. */
		if (p->url && strncmp(p->url, "https:", 6) == 0)
			curl_easy_setopt(s->easy, CURLOPT_PIPEWAIT, 1L);
		p->free_slots[p->nfree++] = i;
	}
	return 0;
}

/* The Web Push sender, when VAPID_PRIVATE_KEY is set; 0 or -1. */
static int
webpush_init(struct push *p, const struct config *cfg)
{
	char err[512];

	if (cfg->vapid_private_key[0] == '\0')
		return 0;
	if (cfg->vapid_subject[0] == '\0') {
		log_error("VAPID_SUBJECT must name a contact (mailto: or "
			  "https:) when VAPID_PRIVATE_KEY is set");
		return -1;
	}
	p->wpsend = wpsend_new(cfg->vapid_private_key, cfg->vapid_subject, err,
	    sizeof(err));
	if (p->wpsend == NULL) {
		log_error("VAPID_PRIVATE_KEY: %s", err);
		return -1;
	}
	return 0;
}

/* The FCM access tokens and URL; 0 or -1. */
static int
fcm_init(struct push *p, const struct config *cfg)
{
	const char *project;
	char err[512];
	size_t elen;

	if ((p->auth = fcmauth_new(cfg->fcm_credentials, err, sizeof(err))) ==
	    NULL) {
		log_error("FCM_CREDENTIALS: %s", err);
		return -1;
	}
	project = cfg->fcm_project_id[0] ? cfg->fcm_project_id
					 : fcmauth_project(p->auth);
	if (*project == '\0') {
		log_error("FCM_PROJECT_ID is empty and the key file names no "
			  "project_id");
		return -1;
	}
	elen = strlen(cfg->fcm_endpoint);
	while (elen > 0 && cfg->fcm_endpoint[elen - 1] == '/')
		elen--;
	if (asprintf(&p->url, "%.*s/v1/projects/%s/messages:send", (int)elen,
		cfg->fcm_endpoint, project) < 0) {
		p->url = NULL;
		return -1;
	}
	return 0;
}

int
push_init(struct relay *rl)
{
	const struct config *cfg = rl->cfg;
	struct push *p = calloc(1, sizeof(*p));

	if (p == NULL)
		return -1;
	rl->push = p;
	p->cfg = cfg;
	srandom((unsigned)(clock_wall_ms() ^ getpid()));
	if (webpush_init(p, cfg) < 0)
		return -1;
	if (cfg->fcm_credentials[0] == '\0' && p->wpsend == NULL) {
		p->disabled = 1;
		return 0;
	}
	if (cfg->fcm_parallel < 1 || cfg->fcm_parallel > 1024 ||
	    cfg->fcm_max_tries < 1 || cfg->fcm_lease < 2 ||
	    cfg->fcm_backoff_base < 1 ||
	    cfg->fcm_backoff_cap < cfg->fcm_backoff_base ||
	    cfg->fcm_retry_for < 1) {
		log_error("FCM_PARALLEL must be 1..1024, FCM_MAX_TRIES >= 1, "
			  "FCM_LEASE >= 2, FCM_BACKOFF_CAP >= FCM_BACKOFF_BASE "
			  ">= 1 and FCM_RETRY_FOR >= 1");
		return -1;
	}
	if (cfg->fcm_credentials[0] != '\0' && fcm_init(p, cfg) < 0)
		return -1;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if ((p->multi = curl_multi_init()) == NULL || slots_init(p) < 0) {
		log_error("push: cannot set up libcurl");
		return -1;
	}
	curl_multi_setopt(p->multi, CURLMOPT_MAXCONNECTS, (long)p->nslots);
	p->pushdb = pushdb_new(cfg, stat_names, ST_N);
	log_info("push: FCM %s, Web Push %s, %d in flight, %ld tries, lease "
		 "%ld s",
	    p->url ? p->url : "off", p->wpsend ? "on" : "off", p->nslots,
	    cfg->fcm_max_tries, cfg->fcm_lease);
	return 0;
}

/* At exit: the batch claimed ahead goes back now, not when its lease ends. */
static void
release_ahead(struct push *p, struct relay *rl)
{
	struct outbox_row *rows;
	int rc, n;

	if (p->ahead && pushdb_claim_take(p->pushdb, 1, &rc, &rows, &n) == 1 &&
	    rc == DB_OK && n > 0)
		release_rows(rl, p->next_owner, rows, n);
	p->ahead = 0;
	pushdb_free(p->pushdb); /* after the sent rows queued are written */
	p->pushdb = NULL;
}

void
push_release(struct relay *rl)
{
	struct push *p = rl->push;
	int i;

	if (p == NULL)
		return;
	if (p->items) {
		/* Unsent rows go back now rather than when the lease ends. */
		for (i = 0; i < p->nitems; i++)
			if (p->items[i].state == IT_QUEUED)
				resolve(p, &p->items[i], OUTBOX_RELEASE, NULL);
		for (i = 0; i < p->nslots; i++)
			if (p->slots[i].it)
				curl_multi_remove_handle(p->multi,
				    p->slots[i].easy);
		flush(p, rl);
		end_batch(p, 0);
	}
	release_ahead(p, rl);
	for (i = 0; i < p->nslots; i++) {
		if (p->slots[i].easy)
			curl_easy_cleanup(p->slots[i].easy);
		curl_slist_free_all(p->slots[i].hdrs);
		curl_slist_free_all(p->slots[i].wp_hdrs);
		free(p->slots[i].body);
		free(p->slots[i].answer);
	}
	if (p->multi)
		curl_multi_cleanup(p->multi);
	free(p->slots);
	free(p->free_slots);
	free(p->url);
	fcmbody_clear(&p->body);
	fcmauth_free(p->auth);
	wpsend_free(p->wpsend);
	free(p);
	rl->push = NULL;
}
