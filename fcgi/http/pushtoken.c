/*
 * pushtoken.c - POST /devices/push-token: a signed-in app reports its FCM
 * registration token (after install, when Firebase rotates it, or null
 * when the user turns notifications off).  The relay reads the token from
 * the device row when it sends, so a new token is used from the next
 * push on; a token FCM reports UNREGISTERED is cleared by the relay.
 */
#include <string.h>

#include "db.h"
#include "log.h"
#include "pushtoken.h"

#define PUSHTOKEN_MIN 16

int
pushtoken_valid(const char *tok)
{
	size_t n = tok ? strlen(tok) : 0, i;
	char c;

	if (n < PUSHTOKEN_MIN || n > PUSHTOKEN_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		c = tok[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			(c >= '0' && c <= '9') || c == '-' || c == '_' ||
			c == ':' || c == '.'))
			return 0;
	}
	return 1;
}

int
pushtoken_store(struct db *db, long long device_id, const char *tok)
{
	int rc;

	/* A reinstall or a second account on the phone: one token, one row. */
	if (tok) {
		rc = db_exec(db,
		    "UPDATE device SET push_token = NULL "
		    "WHERE push_token = ? AND device_id <> ?",
		    "sI", tok, device_id);
		if (rc != DB_OK)
			return rc;
	}
	return db_exec(db,
	    "UPDATE device SET push_token = ? WHERE device_id = ?", "sI", tok,
	    device_id);
}

int
pushtoken_set(struct http_req *r)
{
	json_t *v = json_object_get(r->json, "push_token");
	const char *tok = NULL;
	json_t *body;
	int rc;

	if (v == NULL || !(json_is_null(v) || json_is_string(v)))
		return http_reply_error(r, 400, "bad_request",
		    "push_token is required: the FCM registration token, or "
		    "null for no pushes");
	if (json_is_string(v)) {
		tok = json_string_value(v);
		if (!pushtoken_valid(tok))
			return http_reply_error(r, 400, "bad_request",
			    "push_token is not an FCM registration token "
			    "(%d..%d characters of A-Z a-z 0-9 - _ : .)",
			    PUSHTOKEN_MIN, PUSHTOKEN_MAX);
	}
	if ((rc = db_begin(r->db)) != DB_OK)
		return 500;
	if ((rc = pushtoken_store(r->db, r->auth.device_id, tok)) != DB_OK ||
	    (rc = db_commit(r->db)) != DB_OK) {
		log_error("push-token: device %lld: db %d", r->auth.device_id,
		    rc);
		return rc == DB_DOWN ? 503 : 500;
	}
	body = json_pack("{s:I,s:b}", "device_id",
	    (json_int_t)r->auth.device_id, "push_token_set", tok != NULL);
	return http_reply_json(r, 200, body);
}
