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

#include "it.h"

#define WP_REQUIRE()                                                \
	do {                                                        \
		IT_REQUIRE_STACK();                                 \
		if (wp_url() == NULL)                               \
			cr_skip_test("no Web Push stand-in "        \
				     "(EHAZIRA_TEST_WEBPUSH_URL)"); \
	} while (0)

struct klass {
	long long class_id, period_id;
	char course[32];
	char *teacher_tok;
	int n;
	char *tokens[4];
	char emails[4][160];
	long long devices[4];
};

static const char *
wp_url(void)
{
	const char *u = getenv("EHAZIRA_TEST_WEBPUSH_URL");

	return u && *u ? u : NULL;
}

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

/* A call to the stand-in's control surface; the parsed JSON answer. */
static json_t *
wp(const char *method, const char *fmt, ...)
{
	char path[1024], url[1200], *body = NULL;
	CURL *c = curl_easy_init();
	json_t *j;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	snprintf(url, sizeof(url), "%s%s", wp_url(), path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	if (strcmp(method, "POST") == 0)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
	cr_assert_eq(curl_easy_perform(c), CURLE_OK, "stand-in %s", path);
	curl_easy_cleanup(c);
	j = json_loads(body ? body : "", 0, NULL);
	free(body);
	cr_assert_not_null(j, "stand-in answer to %s", path);
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

static long long
web_device(const char *email, const char *role)
{
	char uuid[64];

	snprintf(uuid, sizeof(uuid), "web-%s-%d", it_uniq(), rand());
	cr_assert_eq(it_sql("INSERT INTO device (user_email, role, "
			    "device_uuid, fingerprint_hash, platform, active, "
			    "approval) VALUES (?, ?, ?, '127.0.0.1', 'WEB', 1, "
			    "'ACTIVE')",
			 "sss", email, role, uuid),
	    DB_OK);
	return db_insert_id(it_db());
}

/* A class of n web students, its teacher, a course and a period. */
static void
make_class(struct klass *k, const char *tag, int n)
{
	char name[160], email[160];
	long long dep, subj, tdev;
	int i;

	memset(k, 0, sizeof(*k));
	snprintf(name, sizeof(name), "WP %s %s %d", tag, it_uniq(), rand());
	cr_assert_eq(it_sql("INSERT INTO department (department_name) "
			    "VALUES (?)",
			 "s", name),
	    DB_OK);
	dep = db_insert_id(it_db());
	cr_assert_eq(it_sql("INSERT INTO class (department_id, batch, "
			    "semester, section) VALUES (?, '2025', 1, 'A')",
			 "I", dep),
	    DB_OK);
	k->class_id = db_insert_id(it_db());
	snprintf(email, sizeof(email), "t-wp%s-%s@it.edu", tag, it_uniq());
	cr_assert_eq(it_sql("INSERT INTO teacher (teacher_email, name, "
			    "department_id, verified) VALUES (?, 'T', ?, 1)",
			 "sI", email, dep),
	    DB_OK);
	snprintf(k->course, sizeof(k->course), "W%s%d", tag, rand() % 100000);
	cr_assert_eq(it_sql("INSERT INTO course (course_id, course_name) "
			    "VALUES (?, 'Web Push')",
			 "s", k->course),
	    DB_OK);
	cr_assert_eq(it_sql("INSERT INTO subject (course_id, class_id, "
			    "teacher_email) VALUES (?, ?, ?)",
			 "sIs", k->course, k->class_id, email),
	    DB_OK);
	subj = db_insert_id(it_db());
	cr_assert_eq(it_sql("INSERT INTO period (subject_id, day_of_week, "
			    "period_no) VALUES (?, 1, 1)",
			 "I", subj),
	    DB_OK);
	k->period_id = db_insert_id(it_db());
	tdev = web_device(email, "teacher");
	k->teacher_tok = it_token(email, "teacher", tdev, 900);
	k->n = n;
	for (i = 0; i < n; i++) {
		snprintf(email, sizeof(email), "s%d-wp%s-%s-%d@it.edu", i, tag,
		    it_uniq(), rand());
		cr_assert_eq(it_sql("INSERT INTO student (student_email, name, "
				    "roll_no, class_id, verified) VALUES (?, "
				    "'S', ?, ?, 1)",
				 "siI", email, i + 1, k->class_id),
		    DB_OK);
		k->devices[i] = web_device(email, "student");
		snprintf(k->emails[i], sizeof(k->emails[i]), "%s", email);
		k->tokens[i] = it_token(email, "student", k->devices[i], 900);
	}
}

/* Subscribes every student at the stand-in (tag) and at the API. */
static void
subscribe_all(struct klass *k, const char *tag)
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

static long long
initiate(struct klass *k, char otp[5])
{
	struct it_resp r;
	char body[128];
	long long sid;

	snprintf(body, sizeof(body), "{\"period_id\":%lld}", k->period_id);
	cr_assert_eq(it_post_json("/attendance/initiate", k->teacher_tok, body,
			 &r),
	    0);
	cr_assert_eq(r.status, 201, "%s", r.body);
	sid = json_integer_value(json_object_get(r.json, "session_id"));
	snprintf(otp, 5, "%s",
	    json_string_value(json_object_get(r.json, "otp")));
	it_resp_free(&r);
	return sid;
}

/* Polls the stand-in until n pushes for tag arrived (or 15 s). */
static json_t *
wait_messages(const char *tag, long long n)
{
	long long end = now_ms() + 15000;
	json_t *m;

	for (;;) {
		m = wp("GET", "/control/messages?tag=%s", tag);
		if (json_integer_value(json_object_get(m, "count")) >= n ||
		    now_ms() > end)
			return m;
		json_decref(m);
		usleep(20000);
	}
}

Test(webpush_relay, initiate_sends_an_encrypted_push_that_the_browser_reads)
{
	char tag[48], otp[5], topic[40];
	struct klass k;
	json_t *m, *msg, *info, *data;
	long long sid, ttl, max_ttl, end, sent = 0;
	size_t i;

	WP_REQUIRE();
	snprintf(tag, sizeof(tag), "ok%s%d", it_uniq(), rand() % 1000);
	make_class(&k, "a", 3);
	subscribe_all(&k, tag);
	sid = initiate(&k, otp);
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
	for (end = now_ms() + 10000; sent < 3 && now_ms() < end; usleep(20000))
		sent = it_sql_int("SELECT COUNT(*) FROM outbox WHERE state = "
				  "'SENT' AND device_id IN (?, ?, ?)",
		    "III", k.devices[0], k.devices[1], k.devices[2]);
	cr_assert_eq(sent, 3);
}

Test(webpush_relay, a_410_from_the_push_service_deletes_the_subscription)
{
	char tag[48], otp[5];
	struct klass k;
	long long end, left = 1;
	json_t *r;

	WP_REQUIRE();
	snprintf(tag, sizeof(tag), "gone%s%d", it_uniq(), rand() % 1000);
	make_class(&k, "b", 1);
	subscribe_all(&k, tag);
	cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM web_push_subscription "
				"WHERE device_id = ?",
			 "I", k.devices[0]),
	    1);
	json_decref(wp("POST", "/control/fail?tag=%s&status=410&count=1", tag));
	initiate(&k, otp);
	for (end = now_ms() + 15000; left > 0 && now_ms() < end; usleep(20000))
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
	struct klass k;
	struct it_resp r;
	char body[1400], ep[1100];
	const char *bodies[6];
	int i;

	IT_REQUIRE_STACK();
	make_class(&k, "c", 1);
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
	struct klass k;
	struct it_resp r;
	char body[400], auth[1024], *tok;
	const char *hdrs[2] = { NULL, NULL };
	long long android;

	IT_REQUIRE_STACK();
	make_class(&k, "d", 1);
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
	tok = it_token(k.emails[0], "student", android, 900);
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
