/*
 * test_webpush_relay.c - Web Push end to end: students' web devices
 * subscribe at the Web Push stand-in (tests/standin/webpush.c, which makes
 * the subscription keys as a browser would) with the VAPID key from
 * /app-config, hand the subscription to POST /devices/web-push, a teacher
 * opens a window, and the stack's relay delivers an encrypted push that
 * the stand-in checks (VAPID) and decrypts; the right TTL, Urgency and
 * Topic; never the code; a 410 deletes the subscription.  Also the
 * route's refusals.
 */
#include <criterion/criterion.h>
#include <curl/curl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "it.h"
#include "itclass.h"

#define WP_REQUIRE()                                                \
	do {                                                        \
		IT_REQUIRE_STACK();                                 \
		if (wp_url() == NULL)                               \
			cr_skip_test("no Web Push stand-in "        \
				     "(EHAZIRA_TEST_WEBPUSH_URL)"); \
	} while (0)

static const char *
wp_url(void)
{
	const char *u = getenv("EHAZIRA_TEST_WEBPUSH_URL");

	return u && *u ? u : NULL;
}

/* A call to the stand-in's control surface; the parsed JSON answer. */
static json_t *
wp(const char *method, const char *fmt, ...)
{
	json_t *j;
	va_list ap;

	va_start(ap, fmt);
	j = it_control(wp_url(), method, fmt, ap);
	va_end(ap);
	cr_assert_not_null(j, "stand-in answer to %s", fmt);
	return j;
}

/* The VAPID public key the app subscribes with (GET /app-config). */
static char *
vapid_key(void)
{
	struct it_resp r;
	const char *k;
	char *out;

	cr_assert_eq(it_get("/app-config", NULL, &r), 0);
	cr_assert_eq(r.status, 200);
	k = json_string_value(json_object_get(r.json, "vapid_public_key"));
	cr_assert_not_null(k, "/app-config has no vapid_public_key: %s",
	    r.body);
	cr_assert_eq(strlen(k), 87);
	out = strdup(k);
	it_resp_free(&r);
	return out;
}

/* Subscribes every student at the stand-in (tag) and at the API. */
static void
subscribe_all(struct it_class *k, const char *tag)
{
	char *key = vapid_key(), *body;
	json_t *subs =
	    wp("POST", "/control/subscribe?n=%d&tag=%s&k=%s", k->n, tag, key);
	struct it_resp r;
	int i;

	cr_assert_eq(json_array_size(subs), (size_t)k->n);
	for (i = 0; i < k->n; i++) {
		body = json_dumps(json_array_get(subs, (size_t)i), 0);
		cr_assert_eq(it_post_json("/devices/web-push", k->tokens[i],
				 body, &r),
		    0);
		cr_assert_eq(r.status, 200, "%s", r.body);
		it_resp_free(&r);
		free(body);
	}
	json_decref(subs);
	free(key);
}

/* Polls the stand-in until n pushes for tag arrived (or 15 s). */
static json_t *
wait_messages(const char *tag, long long n)
{
	long long end = clock_wall_ms() + 15000;
	json_t *m;

	for (;;) {
		m = wp("GET", "/control/messages?tag=%s", tag);
		if (json_integer_value(json_object_get(m, "count")) >= n ||
		    clock_wall_ms() > end)
			return m;
		json_decref(m);
		usleep(20000);
	}
}

Test(webpush_relay, initiate_sends_an_encrypted_push_that_the_browser_reads)
{
	char tag[48], otp[5], topic[40];
	struct it_class k;
	json_t *m, *msg, *info, *data;
	long long sid, ttl, max_ttl, end, sent = 0;
	size_t i;

	WP_REQUIRE();
	snprintf(tag, sizeof(tag), "ok%s%d", it_uniq(), rand() % 1000);
	it_class_make(&k, "a", 3, "WEB");
	subscribe_all(&k, tag);
	sid = it_class_initiate(&k, otp);
	m = wait_messages(tag, 3);
	cr_assert_eq(json_integer_value(json_object_get(m, "delivered")), 3,
	    "%s", json_dumps(m, 0));
	snprintf(topic, sizeof(topic), "session-%lld", sid);
	max_ttl = it_config()->otp_ttl + it_config()->otp_grace;
	json_array_foreach(json_object_get(m, "messages"), i, msg)
	{
		info = json_object_get(msg, "info");
		ttl = json_integer_value(json_object_get(info, "ttl"));
		cr_assert(ttl >= 1 && ttl <= max_ttl, "TTL %lld, window %lld s",
		    ttl, max_ttl);
		cr_assert_str_eq(json_string_value(
				     json_object_get(info, "urgency")),
		    "high");
		cr_assert_str_eq(json_string_value(
				     json_object_get(info, "topic")),
		    topic);
		data =
		    json_object_get(json_object_get(info, "payload"), "data");
		cr_assert_str_eq(json_string_value(
				     json_object_get(data, "type")),
		    "attendance.started");
		cr_assert_eq(atoll(json_string_value(
				 json_object_get(data, "session_id"))),
		    sid);
		cr_assert_not_null(
		    strstr(json_string_value(json_object_get(data, "subject")),
			k.course));
		/* never the code, in any form */
		cr_assert_null(strstr(json_string_value(
					  json_object_get(info, "plain")),
				   otp),
		    "the push carries the code %s", otp);
	}
	json_decref(m);
	/* the relay settles the rows just after the stand-in answers */
	for (end = clock_wall_ms() + 10000; sent < 3 && clock_wall_ms() < end;
	     usleep(20000))
		sent = it_sql_int("SELECT COUNT(*) FROM outbox WHERE state = "
				  "'SENT' AND device_id IN (?, ?, ?)",
		    "III", k.devices[0], k.devices[1], k.devices[2]);
	cr_assert_eq(sent, 3);
}

Test(webpush_relay, a_410_from_the_push_service_deletes_the_subscription)
{
	char tag[48], otp[5];
	struct it_class k;
	long long end, left = 1;
	json_t *r;

	WP_REQUIRE();
	snprintf(tag, sizeof(tag), "gone%s%d", it_uniq(), rand() % 1000);
	it_class_make(&k, "b", 1, "WEB");
	subscribe_all(&k, tag);
	cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM web_push_subscription "
				"WHERE device_id = ?",
			 "I", k.devices[0]),
	    1);
	json_decref(wp("POST", "/control/fail?tag=%s&status=410&count=1", tag));
	it_class_initiate(&k, otp);
	for (end = clock_wall_ms() + 15000; left > 0 && clock_wall_ms() < end;
	     usleep(20000))
		left = it_sql_int("SELECT COUNT(*) FROM web_push_subscription "
				  "WHERE device_id = ?",
		    "I", k.devices[0]);
	cr_assert_eq(left, 0, "the subscription outlived a 410");
	r = wp("GET", "/control/messages?tag=%s", tag);
	cr_assert_eq(json_integer_value(json_object_get(r, "count")), 1);
	json_decref(r);
	cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM outbox WHERE device_id = "
				"? AND state = 'DROPPED' AND last_error = "
				"'HTTP 410'",
			 "I", k.devices[0]),
	    1);
}

static const char *UA = "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-"
			"AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4";

Test(webpush_relay, bad_subscriptions_are_refused_with_a_clear_400)
{
	struct it_class k;
	struct it_resp r;
	char body[1400], ep[1100];
	const char *bodies[6];
	int i;

	IT_REQUIRE_STACK();
	it_class_make(&k, "c", 1, "WEB");
	memset(ep, 'x', sizeof(ep) - 1);
	memcpy(ep, "https://a.example/", 18);
	ep[sizeof(ep) - 1] = '\0';
	snprintf(body, sizeof(body),
	    "{\"endpoint\":\"%s\",\"keys\":{\"p256dh\":\"%s\",\"auth\":"
	    "\"BTBZMqHH6r4Tts7J_aSIgg\"}}",
	    ep, UA);
	bodies[0] = body; /* oversized endpoint */
	bodies[1] = "{\"endpoint\":\"ftp://a.example/x\",\"keys\":{\"p256dh\":"
		    "\"BCVx\",\"auth\":\"BTBZMqHH6r4Tts7J_aSIgg\"}}";
	bodies[2] = "{\"endpoint\":\"https://a.example/x\"}";
	bodies[3] = "{\"endpoint\":\"https://a.example/x\",\"keys\":{"
		    "\"p256dh\":\"BCVx\",\"auth\":\"BTBZMqHH6r4Tts7J_aSIgg\"}}";
	bodies[4] = "{\"endpoint\":\"https://a.example/x\",\"keys\":{"
		    "\"p256dh\":\"BTBZMqHH6r4Tts7J_aSIgg\",\"auth\":\"AAAA\"}}";
	bodies[5] = "{\"endpoint\":42}";
	for (i = 0; i < 6; i++) {
		cr_assert_eq(it_post_json("/devices/web-push", k.tokens[0],
				 bodies[i], &r),
		    0);
		cr_assert_eq(r.status, 400, "case %d: %d %s", i, r.status,
		    r.body);
		cr_assert_str_eq(it_error_code(&r), "bad_subscription");
		it_resp_free(&r);
	}
	cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM web_push_subscription "
				"WHERE device_id = ?",
			 "I", k.devices[0]),
	    0);
}

Test(webpush_relay, an_android_device_cannot_subscribe_and_delete_forgets)
{
	struct it_class k;
	struct it_resp r;
	char body[400], auth[1024], *tok;
	const char *hdrs[2] = { NULL, NULL };
	long long android;

	IT_REQUIRE_STACK();
	it_class_make(&k, "d", 1, "WEB");
	snprintf(body, sizeof(body),
	    "{\"endpoint\":\"https://push.example/%d\",\"keys\":{\"p256dh\":"
	    "\"%s\",\"auth\":\"BTBZMqHH6r4Tts7J_aSIgg\"}}",
	    rand(), UA);
	cr_assert_eq(it_sql("INSERT INTO device (user_email, role, "
			    "device_uuid, fingerprint_hash, platform, active, "
			    "approval) SELECT user_email, 'student', "
			    "CONCAT('and-', device_id), 'fp', 'ANDROID', 1, "
			    "'ACTIVE' FROM device WHERE device_id = ?",
			 "I", k.devices[0]),
	    DB_OK);
	android = db_insert_id(it_db());
	tok = it_token(k.students[0], "student", android, 900);
	cr_assert_eq(it_post_json("/devices/web-push", tok, body, &r), 0);
	cr_assert_eq(r.status, 409, "%s", r.body);
	cr_assert_str_eq(it_error_code(&r), "not_web_device");
	it_resp_free(&r);

	cr_assert_eq(it_post_json("/devices/web-push", k.tokens[0], body, &r),
	    0);
	cr_assert_eq(r.status, 200, "%s", r.body);
	it_resp_free(&r);
	cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM web_push_subscription "
				"WHERE device_id = ?",
			 "I", k.devices[0]),
	    1);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", k.tokens[0]);
	hdrs[0] = auth;
	cr_assert_eq(it_request("DELETE", "/devices/web-push", NULL, 0, hdrs,
			 &r),
	    0);
	cr_assert_eq(r.status, 200, "%s", r.body);
	it_resp_free(&r);
	cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM web_push_subscription "
				"WHERE device_id = ?",
			 "I", k.devices[0]),
	    0);
}
