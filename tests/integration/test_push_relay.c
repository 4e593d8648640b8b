/*
 * test_push_relay.c - the push relay end to end: outbox rows written the way
 * the workers write them (outbox_add in a transaction, then a wake-up
 * datagram), the stack's relay, and what reached the FCM stand-in
 * (tests/standin/fcm.c, started by tests/standin/fcm-env.sh).  Also
 * kill -9 mid-batch, two relays at once, and POST /devices/push-token.
 *
 * Every test uses its own token prefix (it_uniq), so it only counts its
 * own messages at the shared stand-in.
 */
#include <criterion/criterion.h>
#include <curl/curl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "it.h"
#include "outbox.h"
#include "pubsub.h"

#define FCM_REQUIRE()                                                  \
	do {                                                           \
		IT_REQUIRE_STACK();                                    \
		if (fcm_url() == NULL)                                 \
			cr_skip_test(                                  \
			    "no FCM stand-in (EHAZIRA_FCM_ENDPOINT)"); \
	} while (0)

static const char *
fcm_url(void)
{
	const char *u = getenv("EHAZIRA_FCM_ENDPOINT");

	return u && *u ? u : NULL;
}

/* A call to the stand-in's control surface; the parsed JSON answer. */
static json_t *
fcm(const char *method, const char *fmt, ...)
{
	json_t *j;
	va_list ap;

	va_start(ap, fmt);
	j = it_control(fcm_url(), method, fmt, ap);
	va_end(ap);
	cr_assert_not_null(j, "stand-in answer to %s", fmt);
	return j;
}

static long long
jint(json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

static long long
stat_of(const char *name)
{
	json_t *s = fcm("GET", "/control/stats");
	long long v = jint(s, name);

	json_decref(s);
	return v;
}

/* Messages the stand-in got for tokens starting with prefix. */
static json_t *
received(const char *prefix)
{
	return fcm("GET", "/control/messages?prefix=%s", prefix);
}

/* Waits until n pushes for prefix were delivered; the number delivered. */
static long long
wait_delivered(const char *prefix, long long n, int timeout_ms)
{
	long long end = clock_wall_ms() + timeout_ms, got = 0;
	json_t *m;

	for (;;) {
		m = fcm("GET", "/control/messages?prefix=%s&brief=1", prefix);
		got = jint(m, "delivered");
		json_decref(m);
		if (got >= n || clock_wall_ms() > end)
			return got;
		usleep(10000);
	}
}

static long long
new_device(const char *email, const char *token, int active)
{
	cr_assert_eq(it_sql("INSERT INTO device (user_email, role, "
			    "device_uuid, fingerprint_hash, platform, active, "
			    "approval, push_token) VALUES (?, 'student', ?, "
			    "'fp', 'ANDROID', ?, ?, ?)",
			 "ssiss", email, email, active,
			 active ? "ACTIVE" : "REPLACED", token),
	    DB_OK);
	return db_insert_id(it_db());
}

static json_t *
started_payload(const char *session)
{
	/* The producer never includes the code; an "otp" here checks the
	 * relay's own guard. */
	return json_pack("{s:{s:s,s:s},s:{s:s,s:s,s:s,s:s,s:s}}",
	    "notification", "title", "Attendance open", "body",
	    "Maths: open the app and enter the code", "data", "type",
	    "attendance_started", "session_id", session, "subject", "Maths",
	    "expires_at", "1795294500", "otp", "4821");
}

/* n rows, one per device, in one transaction. */
static void
queue_quietly(const long long *devices, int n, const char *collapse,
    long long expires_ms)
{
	int i;

	cr_assert_eq(db_begin(it_db()), DB_OK);
	for (i = 0; i < n; i++)
		cr_assert_eq(outbox_add(it_db(), "push.started", devices[i],
				 collapse, started_payload("77"), expires_ms),
		    DB_OK);
	cr_assert_eq(db_commit(it_db()), DB_OK);
}

/* The same, then the wake-up the workers send after COMMIT. */
static void
queue(const long long *devices, int n, const char *collapse,
    long long expires_ms)
{
	queue_quietly(devices, n, collapse, expires_ms);
	outbox_wake(it_config());
}

static long long
queue_one(long long device)
{
	queue(&device, 1, "session-77", clock_wall_ms() + 60000);
	return it_sql_int("SELECT MAX(outbox_id) FROM outbox WHERE "
			  "device_id = ?",
	    "I", device);
}

static const char *
outbox_state(long long id)
{
	struct db_rows r;

	if (db_query_one(it_db(), it_arena(), &r,
		"SELECT state FROM outbox WHERE outbox_id = ?", "I",
		id) != DB_OK)
		return "?";
	return db_get(&r, 0, 0);
}

static int
wait_state(long long id, const char *state, int timeout_ms)
{
	long long end = clock_wall_ms() + timeout_ms;

	while (strcmp(outbox_state(id), state) != 0) {
		if (clock_wall_ms() > end)
			return 0;
		usleep(20000);
	}
	return 1;
}

/* Waits until no row after id0 is in state; 1 when that happened. */
static int
wait_none(long long id0, const char *state, int timeout_ms)
{
	long long end = clock_wall_ms() + timeout_ms;

	while (it_sql_int("SELECT COUNT(*) FROM outbox WHERE outbox_id > ? "
			  "AND state = ?",
		   "Is", id0, state) != 0) {
		if (clock_wall_ms() > end)
			return 0;
		usleep(20000);
	}
	return 1;
}

static char *
prefix_for(const char *what)
{
	char *p;

	cr_assert(asprintf(&p, "%s-%s-", what, it_uniq()) > 0);
	return p;
}

/* Tokens are prefix + number, padded past the 16-character minimum. */
static void
token_name(char *buf, size_t n, const char *prefix, int i)
{
	snprintf(buf, n, "%s%04d-registration", prefix, i);
}

static void
setup(void)
{
	if (fcm_url())
		json_decref(fcm("POST", "/control/reset"));
}

TestSuite(push, .init = setup);

Test(push, every_active_device_with_a_token_gets_one_push_and_no_other)
{
	char *pre = prefix_for("fanout"), tok[128], email[128];
	long long dev[8], id0;
	json_t *got, *m, *msg, *data, *v;
	const char *k;
	size_t i;
	int n;

	FCM_REQUIRE();
	for (n = 0; n < 5; n++) {
		token_name(tok, sizeof(tok), pre, n);
		snprintf(email, sizeof(email), "s%d%s@x.edu", n, it_uniq());
		dev[n] = new_device(email, tok, 1);
	}
	snprintf(email, sizeof(email), "notoken%s@x.edu", it_uniq());
	dev[5] = new_device(email, NULL, 1);
	token_name(tok, sizeof(tok), pre, 6);
	snprintf(email, sizeof(email), "old%s@x.edu", it_uniq());
	dev[6] = new_device(email, tok, 0); /* a replaced phone */
	id0 = it_sql_int("SELECT COALESCE(MAX(outbox_id), 0) FROM outbox", "");
	queue(dev, 7, "session-77", clock_wall_ms() + 60000);

	cr_assert_eq(wait_delivered(pre, 5, 5000), 5);
	cr_assert(wait_none(id0, "PENDING", 3000));
	usleep(300000); /* nothing else may trickle in */
	got = received(pre);
	cr_assert_eq(jint(got, "count"), 5, "exactly the five, once each");
	json_array_foreach(json_object_get(got, "messages"), i, m)
	{
		msg = json_object_get(m, "message");
		cr_assert_eq(jint(m, "status"), 200);
		cr_assert(strstr(json_string_value(
				     json_object_get(msg, "token")),
			      "0006") == NULL,
		    "the inactive device got a push");
		cr_assert_str_eq(json_string_value(
				     json_object_get(json_object_get(msg,
							 "android"),
					 "priority")),
		    "high");
		cr_assert_str_eq(json_string_value(
				     json_object_get(json_object_get(msg,
							 "android"),
					 "collapse_key")),
		    "session-77");
		data = json_object_get(msg, "data");
		cr_assert_str_eq(json_string_value(
				     json_object_get(data, "session_id")),
		    "77");
		json_object_foreach(data, k, v)
		{
			cr_assert(strcasecmp(k, "otp") != 0 &&
				strcasecmp(k, "code") != 0,
			    "a code field was pushed");
			cr_assert(strcmp(json_string_value(v), "4821") != 0,
			    "the OTP value was pushed");
		}
	}
	json_decref(got);
	cr_assert_eq(stat_of("otp_seen"), 0);
	cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM outbox WHERE outbox_id > "
				"? AND state = 'SENT'",
			 "I", id0),
	    5);
	cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM outbox WHERE outbox_id > "
				"? AND state = 'DROPPED'",
			 "I", id0),
	    2, "no token, inactive device: dropped without sending");
	free(pre);
}

Test(push, one_token_request_serves_many_sends_and_a_401_refreshes_once)
{
	char *pre = prefix_for("cache"), tok[128], email[128];
	long long dev[60], tokens0, sends0;
	int n;

	FCM_REQUIRE();
	for (n = 0; n < 60; n++) {
		token_name(tok, sizeof(tok), pre, n);
		snprintf(email, sizeof(email), "c%d%s@x.edu", n, it_uniq());
		dev[n] = new_device(email, tok, 1);
	}
	/* The relay's cached token dies: every send gets a 401 first. */
	json_decref(fcm("POST", "/control/revoke"));
	tokens0 = stat_of("token_requests");
	sends0 = stat_of("delivered");
	queue(dev, 60, "session-78", clock_wall_ms() + 60000);
	cr_assert_eq(wait_delivered(pre, 60, 5000), 60);
	cr_assert_eq(stat_of("token_requests") - tokens0, 1,
	    "one token request for 60 sends");
	cr_assert_geq(stat_of("delivered") - sends0, 60);
	queue(dev, 30, "session-79", clock_wall_ms() + 60000);
	cr_assert_eq(wait_delivered(pre, 90, 5000), 90);
	cr_assert_eq(stat_of("token_requests") - tokens0, 1,
	    "the cached token is reused by the next batch");
	free(pre);
}

Test(push, a_429_is_retried_after_retry_after_then_sent)
{
	char *pre = prefix_for("quota"), tok[128], email[128];
	long long dev, id;
	json_t *got, *msgs;

	FCM_REQUIRE();
	token_name(tok, sizeof(tok), pre, 0);
	snprintf(email, sizeof(email), "q%s@x.edu", it_uniq());
	dev = new_device(email, tok, 1);
	json_decref(fcm("POST",
	    "/control/fail?status=429&count=1&retry_after=1&token=%s", tok));
	id = queue_one(dev);
	cr_assert_eq(wait_delivered(pre, 1, 8000), 1);
	cr_assert(wait_state(id, "SENT", 2000), "%s", outbox_state(id));
	got = received(pre);
	msgs = json_object_get(got, "messages");
	cr_assert_eq(json_array_size(msgs), 2, "one 429, then the send");
	cr_assert_eq(jint(json_array_get(msgs, 0), "status"), 429);
	cr_assert_eq(jint(json_array_get(msgs, 1), "status"), 200);
	cr_assert_geq(jint(json_array_get(msgs, 1), "t") -
		jint(json_array_get(msgs, 0), "t"),
	    1000, "Retry-After: 1 honoured");
	cr_assert_eq(it_sql_int("SELECT tries FROM outbox WHERE outbox_id = ?",
			 "I", id),
	    2);
	json_decref(got);
	free(pre);
}

Test(push, a_503_is_retried_with_backoff)
{
	char *pre = prefix_for("unavail"), tok[128], email[128];
	long long dev, id;
	json_t *got;

	FCM_REQUIRE();
	token_name(tok, sizeof(tok), pre, 0);
	snprintf(email, sizeof(email), "u%s@x.edu", it_uniq());
	dev = new_device(email, tok, 1);
	json_decref(
	    fcm("POST", "/control/fail?status=503&count=1&token=%s", tok));
	id = queue_one(dev);
	cr_assert_eq(wait_delivered(pre, 1, 8000), 1);
	cr_assert(wait_state(id, "SENT", 2000));
	got = received(pre);
	cr_assert_eq(jint(got, "count"), 2);
	json_decref(got);
	free(pre);
}

Test(push, unregistered_clears_the_token_of_that_device_only)
{
	char *pre = prefix_for("unreg"), tok[128], tok2[128], email[128];
	long long dev, other, id;

	FCM_REQUIRE();
	token_name(tok, sizeof(tok), pre, 0);
	token_name(tok2, sizeof(tok2), pre, 1);
	snprintf(email, sizeof(email), "g%s@x.edu", it_uniq());
	dev = new_device(email, tok, 1);
	snprintf(email, sizeof(email), "h%s@x.edu", it_uniq());
	other = new_device(email, tok2, 1);
	json_decref(
	    fcm("POST", "/control/fail?status=404&count=1&token=%s", tok));
	id = queue_one(dev);
	cr_assert(wait_state(id, "DROPPED", 5000), "%s", outbox_state(id));
	cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM device WHERE "
				"device_id = ? AND push_token IS NULL",
			 "I", dev),
	    1, "the token is cleared");
	cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM outbox WHERE outbox_id "
				"= ? AND last_error = 'UNREGISTERED'",
			 "I", id),
	    1);
	cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM device WHERE "
				"device_id = ? AND push_token = ?",
			 "Is", other, tok2),
	    1, "other devices keep theirs");
	/* and the next push for that device is not even attempted */
	id = queue_one(dev);
	cr_assert(wait_state(id, "DROPPED", 5000));
	cr_assert_eq(wait_delivered(pre, 1, 200), 0);
	free(pre);
}

Test(push, a_400_is_dropped_and_never_retried)
{
	char *pre = prefix_for("invalid"), tok[128], email[128];
	long long dev, id;
	json_t *got;

	FCM_REQUIRE();
	token_name(tok, sizeof(tok), pre, 0);
	snprintf(email, sizeof(email), "i%s@x.edu", it_uniq());
	dev = new_device(email, tok, 1);
	json_decref(
	    fcm("POST", "/control/fail?status=400&count=5&token=%s", tok));
	id = queue_one(dev);
	cr_assert(wait_state(id, "DROPPED", 5000), "%s", outbox_state(id));
	usleep(1500000);
	got = received(pre);
	cr_assert_eq(jint(got, "count"), 1, "one attempt only");
	json_decref(got);
	free(pre);
}

Test(push, the_last_try_failing_marks_the_row_failed)
{
	char *pre = prefix_for("last"), tok[128], email[128];
	long long dev, id;

	FCM_REQUIRE();
	token_name(tok, sizeof(tok), pre, 0);
	snprintf(email, sizeof(email), "l%s@x.edu", it_uniq());
	dev = new_device(email, tok, 1);
	json_decref(
	    fcm("POST", "/control/fail?status=503&count=1&token=%s", tok));
	/* All tries but one already spent (FCM_MAX_TRIES, a ceiling), in
	 * the same transaction, so the relay cannot claim it before. */
	cr_assert_eq(db_begin(it_db()), DB_OK);
	cr_assert_eq(outbox_add(it_db(), "push.started", dev, "session-80",
			 started_payload("80"), clock_wall_ms() + 60000),
	    DB_OK);
	id = db_insert_id(it_db());
	cr_assert_eq(db_exec(it_db(),
			 "UPDATE outbox SET tries = ? WHERE "
			 "outbox_id = ?",
			 "iI", (int)it_config()->fcm_max_tries - 1, id),
	    DB_OK);
	cr_assert_eq(db_commit(it_db()), DB_OK);
	outbox_wake(it_config());
	cr_assert(wait_state(id, "FAILED", 5000), "%s", outbox_state(id));
	cr_assert_eq(it_sql_int("SELECT tries FROM outbox WHERE outbox_id = ?",
			 "I", id),
	    it_config()->fcm_max_tries);
	free(pre);
}

/*
 * A wave queues class after class while the relay sends: the wake-up of
 * a class queued during a batch is drained by the relay's loop before
 * that batch ends, so the relay must look again as the batch ends, not
 * at its next poll (up to a second later).
 */
Test(push, a_row_queued_while_a_batch_sends_goes_out_as_the_batch_ends)
{
	char *pre = prefix_for("during"), tok[128], email[128];
	long long dev[2], gap;
	json_t *m;
	int i;

	FCM_REQUIRE();
	for (i = 0; i < 2; i++) {
		token_name(tok, sizeof(tok), pre, i);
		snprintf(email, sizeof(email), "w%d%s@x.edu", i, it_uniq());
		dev[i] = new_device(email, tok, 1);
	}
	/* the stand-in records a send as it arrives, answers 400 ms later */
	json_decref(fcm("POST", "/control/delay?ms=400"));
	queue(&dev[0], 1, "session-84", clock_wall_ms() + 60000);
	cr_assert_eq(wait_delivered(pre, 1, 5000), 1);
	queue(&dev[1], 1, "session-85", clock_wall_ms() + 60000);
	cr_assert_eq(wait_delivered(pre, 2, 5000), 2);
	json_decref(fcm("POST", "/control/delay?ms=0"));
	m = fcm("GET", "/control/messages?prefix=%s&brief=1", pre);
	gap = jint(m, "last_ms") - jint(m, "first_ms");
	json_decref(m);
	cr_assert_lt(gap, 800, "the second went %lld ms after the first", gap);
	free(pre);
}

/*
 * A relay died during a row's last try: its lease runs out with tries at
 * the ceiling.  Whether the relay's sweep (once a second) or its next
 * claim finds the row first, it ends FAILED and is never sent again.
 */
Test(push, a_row_whose_lease_ran_out_on_its_last_try_is_never_sent_again)
{
	char *pre = prefix_for("dead"), tok[128], email[128];
	long long dev, id;

	FCM_REQUIRE();
	token_name(tok, sizeof(tok), pre, 0);
	snprintf(email, sizeof(email), "d%s@x.edu", it_uniq());
	dev = new_device(email, tok, 1);
	cr_assert_eq(db_begin(it_db()), DB_OK);
	cr_assert_eq(outbox_add(it_db(), "push.started", dev, "session-82",
			 started_payload("82"), clock_wall_ms() + 60000),
	    DB_OK);
	id = db_insert_id(it_db());
	cr_assert_eq(db_exec(it_db(),
			 "UPDATE outbox SET tries = ?, lease_owner = "
			 "'dead-relay', lease_until = NOW(3) - INTERVAL 1 "
			 "SECOND WHERE outbox_id = ?",
			 "iI", (int)it_config()->fcm_max_tries, id),
	    DB_OK);
	cr_assert_eq(db_commit(it_db()), DB_OK);
	outbox_wake(it_config());
	cr_assert(wait_state(id, "FAILED", 5000), "%s", outbox_state(id));
	cr_assert_eq(it_sql_int("SELECT last_error = 'lease ran out on the "
				"last try' FROM outbox WHERE outbox_id = ?",
			 "I", id),
	    1);
	cr_assert_eq(wait_delivered(pre, 1, 300), 0, "not sent again");
	free(pre);
}

/*
 * An FCM outage longer than the old five tries lasted (the stack's test
 * settings make backoff FCM_BACKOFF_BASE 100 ms, capped at 400 ms, so
 * five tries are spent in about a second): the row keeps being retried
 * for as long as it is worth sending and is sent once FCM is back.
 */
Test(push, an_outage_longer_than_five_tries_still_ends_in_a_send)
{
	char *pre = prefix_for("outage"), tok[128], email[128];
	long long dev, id, t0 = clock_wall_ms();
	json_t *got;

	FCM_REQUIRE();
	token_name(tok, sizeof(tok), pre, 0);
	snprintf(email, sizeof(email), "o%s@x.edu", it_uniq());
	dev = new_device(email, tok, 1);
	json_decref(
	    fcm("POST", "/control/fail?status=503&ms=3000&token=%s", tok));
	id = queue_one(dev);
	cr_assert_eq(wait_delivered(pre, 1, 8000), 1, "%s", outbox_state(id));
	cr_assert(wait_state(id, "SENT", 2000), "%s", outbox_state(id));
	cr_assert_geq(clock_wall_ms() - t0, 3000, "sent after the outage only");
	got = received(pre);
	cr_assert_gt(jint(got, "count"), 5, "more than five tries: %lld",
	    jint(got, "count"));
	json_decref(got);
	cr_assert_gt(it_sql_int("SELECT tries FROM outbox WHERE outbox_id = ?",
			 "I", id),
	    5);
	free(pre);
}

/* ... but never past its expiry: a start push dies with its window. */
Test(push, a_row_is_not_retried_past_its_expiry)
{
	char *pre = prefix_for("dies"), tok[128], email[128];
	long long dev, id, expires = clock_wall_ms() + 1500;
	json_t *got, *msgs;
	size_t i;

	FCM_REQUIRE();
	token_name(tok, sizeof(tok), pre, 0);
	snprintf(email, sizeof(email), "d%s@x.edu", it_uniq());
	dev = new_device(email, tok, 1);
	json_decref(
	    fcm("POST", "/control/fail?status=503&ms=6000&token=%s", tok));
	queue(&dev, 1, "session-82", expires);
	id = it_sql_int("SELECT MAX(outbox_id) FROM outbox WHERE device_id = ?",
	    "I", dev);
	cr_assert(wait_state(id, "FAILED", 4000) ||
		wait_state(id, "DROPPED", 1),
	    "%s", outbox_state(id));
	got = received(pre);
	msgs = json_object_get(got, "messages");
	cr_assert_gt(json_array_size(msgs), 1, "it was retried");
	for (i = 0; i < json_array_size(msgs); i++)
		cr_assert_lt(jint(json_array_get(msgs, i), "t"), expires,
		    "no try after the expiry");
	json_decref(got);
	free(pre);
}

Test(push, an_expired_row_is_dropped_without_sending)
{
	char *pre = prefix_for("expired"), tok[128], email[128];
	long long dev, id;

	FCM_REQUIRE();
	token_name(tok, sizeof(tok), pre, 0);
	snprintf(email, sizeof(email), "e%s@x.edu", it_uniq());
	dev = new_device(email, tok, 1);
	queue(&dev, 1, "session-81", clock_wall_ms() - 1000);
	id = it_sql_int("SELECT MAX(outbox_id) FROM outbox WHERE device_id = ?",
	    "I", dev);
	cr_assert(wait_state(id, "DROPPED", 5000), "%s", outbox_state(id));
	cr_assert_eq(wait_delivered(pre, 1, 300), 0);
	free(pre);
}

/* ---- crashes and company ---- */

static char *
state_path(const char *leaf)
{
	char *p;

	cr_assert(asprintf(&p, "%s/%s", it_config()->state, leaf) > 0);
	return p;
}

static pid_t
read_pid(const char *file)
{
	FILE *fp = fopen(file, "r");
	int pid = -1;

	if (fp) {
		if (fscanf(fp, "%d", &pid) != 1)
			pid = -1;
		fclose(fp);
	}
	return pid;
}

static void
restart_stack_relay(void)
{
	char cmd[2048];
	const char *root = getenv("EHAZIRA_TEST_ROOT");

	snprintf(cmd, sizeof(cmd), "cd '%s' && scripts/stack up >/dev/null",
	    root ? root : ".");
	cr_assert_eq(system(cmd), 0, "scripts/stack up restarts the relay");
}

/* Per-token delivered counts of prefix..prefix+n-1: min and max. */
static void
per_token(const char *pre, int n, int *lo, int *hi)
{
	json_t *got = received(pre), *m;
	int *count = calloc((size_t)n, sizeof(int)), i;
	size_t j;
	const char *t;

	json_array_foreach(json_object_get(got, "messages"), j, m)
	{
		if (jint(m, "status") != 200)
			continue;
		t = json_string_value(
		    json_object_get(json_object_get(m, "message"), "token"));
		i = atoi(t + strlen(pre));
		if (i >= 0 && i < n)
			count[i]++;
	}
	*lo = 1 << 30;
	*hi = 0;
	for (i = 0; i < n; i++) {
		if (count[i] < *lo)
			*lo = count[i];
		if (count[i] > *hi)
			*hi = count[i];
	}
	free(count);
	json_decref(got);
}

/* Waits until every token of prefix got at least one push. */
static int
wait_each(const char *pre, int n, int timeout_ms)
{
	long long end = clock_wall_ms() + timeout_ms;
	int lo, hi;

	for (;;) {
		per_token(pre, n, &lo, &hi);
		if (lo >= 1)
			return 1;
		if (clock_wall_ms() > end)
			return 0;
		usleep(50000);
	}
}

static long long *
many_devices(const char *pre, int n)
{
	long long *dev = calloc((size_t)n, sizeof(*dev));
	char tok[128], email[128];
	int i;

	cr_assert_eq(db_begin(it_db()), DB_OK);
	for (i = 0; i < n; i++) {
		token_name(tok, sizeof(tok), pre, i);
		snprintf(email, sizeof(email), "m%d%s@x.edu", i, it_uniq());
		dev[i] = new_device(email, tok, 1);
	}
	cr_assert_eq(db_commit(it_db()), DB_OK);
	return dev;
}

Test(push, a_relay_killed_mid_batch_loses_nothing_and_sends_at_most_twice)
{
	enum { N = 200 };
	char *pre = prefix_for("crash"), *pidfile = state_path("run/relay.pid");
	long long *dev, id0;
	pid_t pid;
	int lo, hi;

	FCM_REQUIRE();
	dev = many_devices(pre, N);
	id0 = it_sql_int("SELECT COALESCE(MAX(outbox_id), 0) FROM outbox", "");
	/* Slow answers: the batch is still in flight when the relay dies. */
	json_decref(fcm("POST", "/control/delay?ms=300"));
	queue(dev, N, "session-82", clock_wall_ms() + 120000);
	cr_assert_geq(wait_delivered(pre, 20, 5000), 20);
	pid = read_pid(pidfile);
	cr_assert_gt(pid, 0);
	cr_assert_eq(kill(pid, SIGKILL), 0);
	while (kill(pid, 0) == 0)
		usleep(10000);
	json_decref(fcm("POST", "/control/delay?ms=0"));
	cr_assert_lt(wait_delivered(pre, N, 200), N, "the kill came mid-batch");
	restart_stack_relay();
	outbox_wake(it_config());
	/* the dead relay's lease (3 s in tests) runs out first */
	cr_assert(wait_each(pre, N, 15000), "every push delivered");
	cr_assert(wait_none(id0, "PENDING", 5000), "every row settles");
	cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM outbox WHERE outbox_id "
				"> ? AND state <> 'SENT'",
			 "I", id0),
	    0, "every row ends SENT");
	per_token(pre, N, &lo, &hi);
	cr_assert_eq(lo, 1, "every push delivered");
	cr_assert_leq(hi, 2, "none more than twice");
	free(dev);
	free(pidfile);
	free(pre);
}

Test(push, two_relays_at_once_never_send_the_same_push_twice)
{
	/* More than two claims of the stack's relay (64 x 16: one sending,
	 * one claimed ahead), so some rows are always left for the second
	 * one, which claims 8 x 16 at a time; answers slow enough (50 ms,
	 * 64 at a time: about 2 s for the first relay alone) that a second
	 * relay whose first claim came too early finds rows at its next
	 * poll, a second later. */
	enum { N = 2500 };
	char *pre = prefix_for("pair"), *sock = state_path("run/relay2.sock"),
	     *log = state_path("log/relay2.log"), env[1200], bin[1024],
	     line[512];
	const char *b = getenv("EHAZIRA_BIN");
	struct config cfg2 = *it_config();
	long long *dev;
	int lo, hi, t, batches = 0;
	pid_t pid;
	FILE *fp;

	FCM_REQUIRE();
	snprintf(bin, sizeof(bin), "%s/ehazira-relay", b ? b : "build");
	dev = many_devices(pre, N);
	unlink(sock);
	if ((pid = fork()) == 0) {
		snprintf(env, sizeof(env), "EHAZIRA_RELAY_SOCKET=%s", sock);
		putenv(env);
		/* smaller batches than the stack's relay: both get work */
		putenv("EHAZIRA_FCM_PARALLEL=8");
		freopen(log, "w", stderr);
		execl(bin, "ehazira-relay", (char *)NULL);
		_exit(127);
	}
	cr_assert_gt(pid, 0);
	for (t = 0; t < 500 && access(sock, F_OK) != 0; t++)
		usleep(10000);
	cr_assert_eq(access(sock, F_OK), 0, "the second relay is up");
	json_decref(fcm("POST", "/control/delay?ms=50"));
	queue_quietly(dev, N, "session-83", clock_wall_ms() + 120000);
	cfg2.relay_socket = sock;
	outbox_wake(&cfg2);
	outbox_wake(it_config());
	cr_assert_eq(wait_delivered(pre, N, 15000), N);
	usleep(500000);
	json_decref(fcm("POST", "/control/delay?ms=0"));
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	per_token(pre, N, &lo, &hi);
	cr_assert_eq(lo, 1, "every push delivered");
	cr_assert_eq(hi, 1, "no push sent twice");
	/* and the second relay really took part */
	fp = fopen(log, "r");
	cr_assert_not_null(fp);
	while (fgets(line, sizeof(line), fp))
		if (strstr(line, "push batch") && !strstr(line, "sent 0,"))
			batches++;
	fclose(fp);
	cr_assert_gt(batches, 0, "the second relay sent a batch");
	free(dev);
	free(sock);
	free(log);
	free(pre);
}

/* ---- POST /devices/push-token ---- */

static long long
teacher_device(char *email, size_t n)
{
	char dept[64];
	long long dep;

	snprintf(dept, sizeof(dept), "Push %s", it_uniq());
	cr_assert_eq(it_sql("INSERT INTO department (department_name) "
			    "VALUES (?)",
			 "s", dept),
	    DB_OK);
	dep = db_insert_id(it_db());
	snprintf(email, n, "t%s@x.edu", it_uniq());
	cr_assert_eq(it_sql("INSERT INTO teacher (teacher_email, name, "
			    "department_id, verified) VALUES (?, 'T', ?, 1)",
			 "sI", email, dep),
	    DB_OK);
	return new_device(email, NULL, 1);
}

Test(push, an_app_stores_its_token_and_takes_it_off_an_old_device_row)
{
	char email[128], tok[128], body[256], *pre = prefix_for("api");
	long long dev, old;
	struct it_resp r;
	char *at;

	IT_REQUIRE_STACK();
	dev = teacher_device(email, sizeof(email));
	token_name(tok, sizeof(tok), pre, 0);
	old = new_device("reinstalled@x.edu", tok, 1);
	at = it_token(email, "teacher", dev, 600);
	snprintf(body, sizeof(body), "{\"push_token\":\"%s\"}", tok);
	cr_assert_eq(it_post_json("/devices/push-token", at, body, &r), 0);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_assert(json_is_true(json_object_get(r.json, "push_token_set")));
	it_resp_free(&r);
	cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM device WHERE device_id "
				"= ? AND push_token = ?",
			 "Is", dev, tok),
	    1);
	cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM device WHERE device_id "
				"= ? AND push_token IS NULL",
			 "I", old),
	    1, "one token, one device");
	cr_assert_eq(it_post_json("/devices/push-token", at,
			 "{\"push_token\":null}", &r),
	    0);
	cr_assert_eq(r.status, 200, "%s", r.body);
	it_resp_free(&r);
	cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM device WHERE device_id "
				"= ? AND push_token IS NULL",
			 "I", dev),
	    1, "null turns pushes off");

	free(pre);
}

Test(push, a_malformed_push_token_is_a_400_naming_the_field)
{
	char email[128];
	long long dev;
	struct it_resp r;
	char *at;

	IT_REQUIRE_STACK();
	dev = teacher_device(email, sizeof(email));
	at = it_token(email, "teacher", dev, 600);
	cr_assert_eq(it_post_json("/devices/push-token", at,
			 "{\"push_token\":\"x'; DROP TABLE device;--\"}", &r),
	    0);
	cr_assert_eq(r.status, 400, "%s", r.body);
	cr_assert(strstr(r.body, "push_token") != NULL, "%s", r.body);
	it_resp_free(&r);
	cr_assert_eq(it_post_json("/devices/push-token", at,
			 "{\"push_token\":"
			 "5}",
			 &r),
	    0);
	cr_assert_eq(r.status, 400);
	it_resp_free(&r);
	cr_assert_eq(it_post_json("/devices/push-token", at, "{}", &r), 0);
	cr_assert_eq(r.status, 400);
	it_resp_free(&r);
	cr_assert_eq(it_post_json("/devices/push-token", NULL,
			 "{\"push_token\":\"abcdefghijklmnopqrst\"}", &r),
	    0);
	cr_assert_eq(r.status, 401, "signed-in apps only");
	it_resp_free(&r);
}
