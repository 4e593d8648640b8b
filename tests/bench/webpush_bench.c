/*
 * webpush_bench.c - time from queuing 1,000 Web Push wake-ups (one
 * transaction, then the wake-up datagram, as initiate does) to the last of
 * them accepted by the Web Push stand-in, which checks each VAPID
 * signature and decrypts each body like a browser.  Every push is
 * encrypted for its own subscription (a fresh ECDH key and salt each, RFC
 * 8291).  Budget: 2 s.  push_bench prints the FCM figure of the same run
 * next to it; this prints the one-push floor of the same path.
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "it.h"
#include "outbox.h"

#define N 1000
#define BUDGET_MS 2000

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static size_t
on_data(char *d, size_t sz, size_t nm, void *u)
{
	char **b = u;
	size_t old = *b ? strlen(*b) : 0, n = sz * nm;

	*b = realloc(*b, old + n + 1);
	memcpy(*b + old, d, n);
	(*b)[old + n] = '\0';
	return n;
}

static json_t *
wp(const char *method, const char *path)
{
	char url[1024], *body = NULL;
	CURL *c = curl_easy_init();
	json_t *j;

	snprintf(url, sizeof(url), "%s%s", getenv("EHAZIRA_TEST_WEBPUSH_URL"),
	    path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	if (strcmp(method, "POST") == 0)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
	curl_easy_perform(c);
	curl_easy_cleanup(c);
	j = json_loads(body ? body : "", 0, NULL);
	free(body);
	return j;
}

/* Polls the stand-in until n pushes for tag arrived; the last arrival. */
static long long
wait_last(const char *tag, long long n, int timeout_ms)
{
	long long end = now_ms() + timeout_ms, got, last;
	char path[256];
	json_t *m;

	snprintf(path, sizeof(path), "/control/messages?tag=%s&brief=1", tag);
	for (;;) {
		m = wp("GET", path);
		got = json_integer_value(json_object_get(m, "delivered"));
		last = json_integer_value(json_object_get(m, "last_ms"));
		json_decref(m);
		if (got >= n)
			return last;
		if (now_ms() > end) {
			fprintf(stderr,
			    "webpush_bench: only %lld of %lld arrived\n", got,
			    n);
			return -1;
		}
		usleep(2000);
	}
}

/* n WEB devices, each with a subscription made at the stand-in. */
static long long *
devices(const char *tag, int n)
{
	long long *d = calloc((size_t)n, sizeof(*d));
	char path[128], email[128];
	json_t *subs, *s, *keys;
	const char *ep;
	int i;

	snprintf(path, sizeof(path), "/control/subscribe?n=%d&tag=%s", n, tag);
	subs = wp("POST", path);
	if (json_array_size(subs) != (size_t)n)
		exit(1);
	db_begin(it_db());
	for (i = 0; i < n; i++) {
		s = json_array_get(subs, (size_t)i);
		keys = json_object_get(s, "keys");
		ep = json_string_value(json_object_get(s, "endpoint"));
		snprintf(email, sizeof(email), "%s%d@bench.edu", tag, i);
		if (it_sql("INSERT INTO device (user_email, role, device_uuid, "
			   "fingerprint_hash, platform, active, approval) "
			   "VALUES (?, 'student', ?, 'fp', 'WEB', 1, 'ACTIVE')",
			"ss", email, email) != DB_OK)
			exit(1);
		d[i] = db_insert_id(it_db());
		if (it_sql(
			"INSERT INTO web_push_subscription (device_id, "
			"endpoint, endpoint_sha, p256dh, auth) VALUES (?, ?, "
			"SHA2(?, 256), ?, ?)",
			"Issss", d[i], ep, ep,
			json_string_value(json_object_get(keys, "p256dh")),
			json_string_value(json_object_get(keys, "auth"))) !=
		    DB_OK)
			exit(1);
	}
	db_commit(it_db());
	json_decref(subs);
	return d;
}

static json_t *
payload(void)
{
	return json_pack("{s:{s:s,s:s},s:{s:s,s:s,s:s,s:s}}", "notification",
	    "title", "Attendance is open", "body",
	    "Open eHazira and enter the code on the board", "data", "type",
	    "attendance.started", "session_id", "1", "subject",
	    "MA301 Discrete Mathematics", "expires_at", "1795294500");
}

/* Queues one push per device in one transaction and wakes the relay. */
static long long
queue_all(const long long *d, int n, long long *queued)
{
	long long t0 = now_ms();
	int i;

	db_begin(it_db());
	for (i = 0; i < n; i++)
		if (outbox_add(it_db(), "push.started", d[i], "session-1",
			payload(), now_ms() + 120000) != DB_OK)
			exit(1);
	if (db_commit(it_db()) != DB_OK)
		exit(1);
	*queued = now_ms() - t0;
	outbox_wake(it_config());
	return t0;
}

int
main(void)
{
	char tag[64];
	long long *d, one, t0, last, total, queued;
	json_t *st;

	if (it_url() == NULL || getenv("EHAZIRA_TEST_WEBPUSH_URL") == NULL) {
		fprintf(stderr,
		    "webpush_bench: needs a stack with the Web "
		    "Push stand-in (tests/bench/run)\n");
		return 2;
	}
	/* Warm-up and the one-push floor: connections and the VAPID JWT. */
	snprintf(tag, sizeof(tag), "wb%s-one", it_uniq());
	d = devices(tag, 2);
	t0 = queue_all(d, 1, &queued);
	if (wait_last(tag, 1, 10000) < 0)
		return 1;
	t0 = queue_all(d + 1, 1, &queued);
	if ((last = wait_last(tag, 2, 10000)) < 0)
		return 1;
	one = last - t0;
	free(d);

	snprintf(tag, sizeof(tag), "wb%s-all", it_uniq());
	d = devices(tag, N);
	usleep(200000);
	t0 = queue_all(d, N, &queued);
	if ((last = wait_last(tag, N, 30000)) < 0)
		return 1;
	total = last - t0;
	free(d);
	st = wp("GET", "/control/stats");
	printf("webpush_bench: %d Web Push wake-ups (each encrypted, VAPID "
	       "checked and decrypted at the stand-in), queued to the last "
	       "accepted: %lld ms (budget %d ms) %s\n",
	    N, total, BUDGET_MS, total <= BUDGET_MS ? "OK" : "OVER BUDGET");
	printf("webpush_bench: of which the queuing transaction: %lld ms, the "
	       "relay: %lld ms; one push queued to arrival: %lld ms\n",
	    queued, total - queued, one);
	printf("webpush_bench: stand-in refusals: %lld bad VAPID, %lld "
	       "undecryptable (must be 0)\n",
	    json_integer_value(json_object_get(st, "bad_vapid")),
	    json_integer_value(json_object_get(st, "bad_crypto")));
	json_decref(st);
	return total <= BUDGET_MS ? 0 : 1;
}
