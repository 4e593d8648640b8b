/*
 * webpushsub.c - POST /devices/web-push: the student app's service worker
 * subscribed with PushManager.subscribe (applicationServerKey: the VAPID
 * public key from /app-config) and hands its subscription over; DELETE
 * takes it back.  The subscription is stored for the calling device,
 * which must be a WEB device (an Android app uses its FCM token,
 * /devices/push-token).  The relay reads it when it sends and deletes it
 * when the push service answers 404 or 410.
 *
 * Checks (webpush_check): an https endpoint (http only with
 * WEBPUSH_ALLOW_HTTP, for the test stand-in) of at most 1024 bytes, a
 * P-256 point as p256dh, a 16-byte auth secret.  One endpoint belongs to
 * one device: a second account signed in to the same browser takes it
 * over, so a browser is never woken twice for one push.
 */
#include <string.h>

#include "config.h"
#include "crypto.h"
#include "db.h"
#include "log.h"
#include "webpush.h"
#include "webpushsub.h"

struct sub {
	const char *endpoint, *p256dh, *auth, *sha;
};

static const char *
parse(struct http_req *r, struct sub *s)
{
	json_t *keys = json_object_get(r->json, "keys");

	s->endpoint = json_string_value(json_object_get(r->json, "endpoint"));
	s->p256dh = json_string_value(json_object_get(keys, "p256dh"));
	s->auth = json_string_value(json_object_get(keys, "auth"));
	if (s->endpoint == NULL || !json_is_object(keys))
		return "endpoint and keys {p256dh, auth} are required";
	return webpush_check(s->endpoint, s->p256dh, s->auth,
	    r->cfg->webpush_allow_http != 0);
}

/* 0 stored, 409 not a web device, or a DB_* failure (< 0 / > 0). */
static int
store(struct http_req *r, const struct sub *s)
{
	int rc;

	rc = db_exec(r->db,
	    "DELETE FROM web_push_subscription "
	    "WHERE endpoint_sha = ? AND device_id <> ?",
	    "sI", s->sha, r->auth.device_id);
	if (rc != DB_OK)
		return rc;
	rc = db_exec(r->db,
	    "INSERT INTO web_push_subscription "
	    "(device_id, endpoint, endpoint_sha, p256dh, auth) "
	    "SELECT device_id, ?, ?, ?, ? FROM device "
	    "WHERE device_id = ? AND platform = 'WEB' "
	    "ON DUPLICATE KEY UPDATE endpoint = VALUES(endpoint), "
	    "endpoint_sha = VALUES(endpoint_sha), p256dh = VALUES(p256dh), "
	    "auth = VALUES(auth), created_at = NOW(3)",
	    "ssssI", s->endpoint, s->sha, s->p256dh, s->auth,
	    r->auth.device_id);
	if (rc != DB_OK)
		return rc;
	return db_affected(r->db) == 0 ? 409 : 0;
}

int
webpushsub_set(struct http_req *r)
{
	int status = 500, rc;
	const char *why;
	struct sub s;

	if ((why = parse(r, &s)) != NULL) {
		log_info("web-push: device %lld: refused: %s",
		    r->auth.device_id, why);
		status =
		    http_reply_error(r, 400, "bad_subscription", "%s", why);
		goto out;
	}
	s.sha = crypto_sha256_hex(s.endpoint, strlen(s.endpoint), r->arena);
	if (s.sha == NULL)
		goto out;
	if ((rc = db_begin(r->db)) != DB_OK) {
		status = rc == DB_DOWN ? 503 : 500;
		goto out;
	}
	rc = store(r, &s);
	if (rc == 409) {
		db_rollback(r->db);
		status = http_reply_error(r, 409, "not_web_device",
		    "only a web device subscribes to Web Push; the app sends "
		    "its FCM token to /devices/push-token");
		goto out;
	}
	if (rc != DB_OK || (rc = db_commit(r->db)) != DB_OK) {
		db_rollback(r->db);
		log_error("web-push: device %lld: db %d", r->auth.device_id,
		    rc);
		status = rc == DB_DOWN ? 503 : 500;
		goto out;
	}
	status = http_reply_json(r, 200,
	    json_pack("{s:I,s:b}", "device_id", (json_int_t)r->auth.device_id,
		"web_push", 1));
out:
	return status;
}

int
webpushsub_delete(struct http_req *r)
{
	int status, rc;

	rc = db_exec(r->db,
	    "DELETE FROM web_push_subscription WHERE device_id = ?", "I",
	    r->auth.device_id);
	if (rc != DB_OK) {
		log_error("web-push: device %lld: db %d", r->auth.device_id,
		    rc);
		status = rc == DB_DOWN ? 503 : 500;
		goto out;
	}
	status = http_reply_json(r, 200,
	    json_pack("{s:I,s:b}", "device_id", (json_int_t)r->auth.device_id,
		"web_push", 0));
out:
	return status;
}
