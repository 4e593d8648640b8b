/*
 * push_bench.c - time from queuing 1,000 pushes (one transaction, then
 * the wake-up datagram, as the attendance code does) to the last of them
 * arriving at the FCM stand-in.  Budget: 1 s.
 *
 * Printed next to two baselines from the same run, so the figure reads as
 * a ratio on any machine: one push alone (the floor of the path), and a
 * bare libcurl multi client sending 1,000 messages straight to the
 * stand-in with the same parallelism (what the relay adds on top).
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "it.h"
#include "outbox.h"
#include "pubsub.h"

#define N 1000
#define BUDGET_MS 1000

static char prefix[64];
static long long queued_ms; /* the transaction's own time */

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

static size_t
discard(char *d, size_t sz, size_t nm, void *u)
{
	(void)d;
	(void)u;
	return sz * nm;
}

static json_t *
fcm_get(const char *path)
{
	char url[1024], *body = NULL;
	CURL *c = curl_easy_init();
	json_t *j;

	snprintf(url, sizeof(url), "%s%s", getenv("EHAZIRA_FCM_ENDPOINT"),
	    path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
	curl_easy_perform(c);
	curl_easy_cleanup(c);
	j = json_loads(body ? body : "", 0, NULL);
	free(body);
	return j;
}

/* Polls the stand-in until n pushes for pfx arrived; the last arrival. */
static long long
wait_last(const char *pfx, long long n, int timeout_ms)
{
	long long end = now_ms() + timeout_ms, got, last;
	char path[256];
	json_t *m;

	snprintf(path, sizeof(path), "/control/messages?prefix=%s&brief=1",
	    pfx);
	for (;;) {
		m = fcm_get(path);
		got = json_integer_value(json_object_get(m, "delivered"));
		last = json_integer_value(json_object_get(m, "last_ms"));
		json_decref(m);
		if (got >= n)
			return last;
		if (now_ms() > end) {
			fprintf(stderr,
			    "push_bench: only %lld of %lld arrived\n", got, n);
			return -1;
		}
		usleep(2000);
	}
}

static json_t *
payload(void)
{
	return json_pack("{s:{s:s,s:s},s:{s:s,s:s,s:s,s:s}}", "notification",
	    "title", "Attendance open", "body", "Maths: enter the code", "data",
	    "type", "attendance_started", "session_id", "1", "subject", "Maths",
	    "expires_at", "1795294500");
}

static long long *
devices(const char *pfx, int n)
{
	long long *d = calloc((size_t)n, sizeof(*d));
	char tok[128], email[128];
	int i;

	db_begin(it_db());
	for (i = 0; i < n; i++) {
		snprintf(tok, sizeof(tok), "%s%05d-registration-token", pfx, i);
		snprintf(email, sizeof(email), "%s%d@bench.edu", pfx, i);
		if (it_sql("INSERT INTO device (user_email, role, device_uuid, "
			   "fingerprint_hash, platform, active, approval, "
			   "push_token) VALUES (?, 'student', ?, 'fp', "
			   "'ANDROID', 1, 'ACTIVE', ?)",
			"sss", email, email, tok) != DB_OK)
			exit(1);
		d[i] = db_insert_id(it_db());
	}
	db_commit(it_db());
	return d;
}

/* Queues one push per device in one transaction and wakes the relay. */
static long long
queue_all(const long long *d, int n)
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
	queued_ms = now_ms() - t0;
	outbox_wake(it_config());
	return t0;
}

/* A bare client: n sends with FCM_PARALLEL in flight, in ms. */
static long long
raw_multi(int n, long parallel)
{
	json_t *t = fcm_get("/control/token");
	char url[512], auth[256], body[512];
	struct curl_slist *h = NULL;
	CURLM *m = curl_multi_init();
	CURL **e = calloc((size_t)parallel, sizeof(*e));
	long long t0;
	int started = 0, done = 0, running, left, i;
	CURLMsg *msg;

	snprintf(url, sizeof(url), "%s/v1/projects/%s/messages:send",
	    getenv("EHAZIRA_FCM_ENDPOINT"), getenv("EHAZIRA_FCM_PROJECT_ID"));
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s",
	    json_string_value(json_object_get(t, "access_token")));
	json_decref(t);
	h = curl_slist_append(h, auth);
	h = curl_slist_append(h, "Content-Type: application/json");
	h = curl_slist_append(h, "Expect:");
	snprintf(body, sizeof(body),
	    "{\"message\":{\"token\":\"raw-%s\",\"android\":{\"priority\":"
	    "\"high\",\"ttl\":\"60s\",\"collapse_key\":\"c\"},\"notification\":"
	    "{\"title\":\"t\",\"body\":\"b\"},\"data\":{\"k\":\"v\"}}}",
	    prefix);
	for (i = 0; i < parallel; i++) {
		e[i] = curl_easy_init();
		curl_easy_setopt(e[i], CURLOPT_URL, url);
		curl_easy_setopt(e[i], CURLOPT_HTTPHEADER, h);
		curl_easy_setopt(e[i], CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(e[i], CURLOPT_WRITEFUNCTION, discard);
	}
	t0 = now_ms();
	for (i = 0; i < parallel && started < n; i++, started++)
		curl_multi_add_handle(m, e[i]);
	while (done < n) {
		curl_multi_perform(m, &running);
		while ((msg = curl_multi_info_read(m, &left)) != NULL) {
			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_multi_remove_handle(m, msg->easy_handle);
			done++;
			if (started < n) {
				curl_multi_add_handle(m, msg->easy_handle);
				started++;
			}
		}
		if (done < n)
			curl_multi_poll(m, NULL, 0, 100, NULL);
	}
	t0 = now_ms() - t0;
	for (i = 0; i < parallel; i++)
		curl_easy_cleanup(e[i]);
	curl_multi_cleanup(m);
	curl_slist_free_all(h);
	free(e);
	return t0;
}

int
main(void)
{
	char pfx[96];
	long long *d, one, t0, last, total, raw, queued;
	long parallel;

	if (it_url() == NULL || getenv("EHAZIRA_FCM_ENDPOINT") == NULL) {
		fprintf(stderr,
		    "push_bench: needs a stack with the FCM "
		    "stand-in (tests/bench/run)\n");
		return 2;
	}
	parallel = it_config()->fcm_parallel;
	snprintf(prefix, sizeof(prefix), "b%s", it_uniq());
	/* Warm-up and the one-push floor: token and connections ready. */
	snprintf(pfx, sizeof(pfx), "%s-one-", prefix);
	d = devices(pfx, 1);
	t0 = queue_all(d, 1);
	if ((last = wait_last(pfx, 1, 10000)) < 0)
		return 1;
	free(d);
	d = devices(pfx, 1);
	t0 = queue_all(d, 1);
	if ((last = wait_last(pfx, 2, 10000)) < 0)
		return 1;
	one = last - t0;
	free(d);

	snprintf(pfx, sizeof(pfx), "%s-all-", prefix);
	d = devices(pfx, N);
	usleep(200000);
	t0 = queue_all(d, N);
	if ((last = wait_last(pfx, N, 30000)) < 0)
		return 1;
	total = last - t0;
	queued = queued_ms;
	free(d);
	raw = raw_multi(N, parallel);

	printf("push_bench: %d pushes, queued (one transaction) to the last "
	       "at FCM: %lld ms (budget %d ms) %s\n",
	    N, total, BUDGET_MS, total <= BUDGET_MS ? "OK" : "OVER BUDGET");
	printf("push_bench: of which the queuing transaction: %lld ms, the "
	       "relay: %lld ms\n",
	    queued, total - queued);
	printf("push_bench: baseline, bare curl multi client, %d sends, %ld "
	       "in flight: %lld ms -> relay/bare = %.2f\n",
	    N, parallel, raw, raw > 0 ? (double)total / (double)raw : 0.0);
	printf("push_bench: baseline, one push queued to arrival: %lld ms\n",
	    one);
	return total <= BUDGET_MS ? 0 : 1;
}
