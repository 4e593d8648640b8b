/*
 * websocket.c - the workers' side of GET /ws (the token offered as the
 * subprotocol bearer.<JWT>, see router.c).
 *
 * nginx asks websocket_authorize (an auth_request subrequest) whether the socket
 * may open; the router has already verified the token from the original
 * URI and re-checked the device.  The answer names the channels in
 * headers, so channels come from the token, never from the client:
 *   student: its class channel and its private channel
 *   teacher: its private channel (events of the sessions it runs)
 * X-WS-Subject carries who it is to the frame hook below, signed with an
 * HMAC under JWT_SECRET (the router checks it), so a local process that
 * reaches nginx's hook socket cannot post frames as somebody else.
 *
 * Frames a client sends are POSTed by nchan to websocket_message via nginx's
 * internal hook server, with that subject.  The reply body is published to
 * the sender's private channel; 204 publishes nothing.  Errors are replies
 * too ({"type":"error"}): any other status would close the socket.  So a
 * frame over WS_FRAME_MAX is answered with an error frame, and so is one
 * over BODY_MAX (main.c asks websocket_too_large instead of its plain 413,
 * which nchan would turn into a closed socket).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ratelimit.h"
#include "crypto.h"
#include "attendance.h"
#include "config.h"
#include "db.h"
#include "jsonio.h"
#include "pubsub.h"
#include "submit.h"
#include "token.h"
#include "websocket.h"

/* Every client message is a small JSON object: a submit is ~60 bytes. */
#define WS_FRAME_MAX 8192

int
websocket_authorize(struct http_req *r)
{
	const char *self = pubsub_user_channel(r->cfg, r->auth.email, r->arena);
	char *subject;

	subject = arena_printf(r->arena, "%s:%lld:%s",
	    token_role_name_short(r->auth.role), r->auth.device_id,
	    r->auth.email);
	/* Signed: the hook socket must not be a way to speak for anyone. */
	subject = arena_printf(r->arena, "%s:%s",
	    crypto_hmac_hex(r->cfg->ws_subject_key,
		arena_printf(r->arena, "ws-subject:%s", subject), 64, r->arena),
	    subject);
	if (r->auth.role == ROLE_STUDENT) {
		struct db_rows rows;

		if (db_query_one(r->db, r->arena, &rows,
			"SELECT class_id FROM student WHERE student_email = ?",
			"s", r->auth.email) != DB_OK)
			return 503;
		http_add_header(r, "X-WS-Channels",
		    arena_printf(r->arena, "%s,%s",
			pubsub_class_channel(db_get_int(&rows, 0, 0), r->arena),
			self));
	} else {
		http_add_header(r, "X-WS-Channels", self);
	}
	http_add_header(r, "X-WS-Self", self);
	http_add_header(r, "X-WS-Subject", subject);
	return http_reply_raw(r, 200, "text/plain", "", 0);
}

static int
publish_reply(struct http_req *r, const char *type, int status, json_t *result)
{
	if (result == NULL)
		result = json_object();
	json_object_set_new(result, "type", json_string(type));
	json_object_set_new(result, "status_code", json_integer(status));
	return http_reply_json(r, 200, result);
}

int
websocket_too_large(struct http_req *r)
{
	return publish_reply(r, "error", 413,
	    jsonio_error("frame_too_large",
		arena_printf(r->arena, "a message is at most %d bytes",
		    WS_FRAME_MAX)));
}

int
websocket_message(struct http_req *r)
{
	char err[256];
	json_t *msg, *result = NULL;
	const char *type;
	int status;

	if (r->body_len > WS_FRAME_MAX)
		return websocket_too_large(r);
	msg = jsonio_parse_object(r->body, r->body_len, err, sizeof(err));
	if (msg == NULL)
		return publish_reply(r, "error", 400,
		    jsonio_error("bad_json", err));
	type = json_string_value(json_object_get(msg, "type"));
	if (type == NULL) {
		status = 400;
		result = jsonio_error("bad_request", "'type' is required");
		type = "error";
	} else if (strcmp(type, "submit") == 0) {
		if (r->auth.role != ROLE_STUDENT) {
			status = 403;
			result =
			    jsonio_error("forbidden", "only students submit");
		} else {
			status = submit_core(r, msg, &result);
		}
		type = "submit.result";
	} else if (strcmp(type, "ping") == 0) {
		json_decref(msg);
		return publish_reply(r, "pong", 200, NULL);
	} else if (r->auth.role == ROLE_STUDENT) {
		status = attendance_evidence_core(r, msg, &result);
		type = "evidence.result";
	} else {
		status = 400;
		result = jsonio_error("bad_request", "unknown message type");
		type = "error";
	}
	json_decref(msg);
	if (status == 429 && result == NULL)
		result = jsonio_error("rate_limited", "too many submissions");
	/* ratelimit_hit may have set an HTTP reply; the socket needs ours. */
	r->nhdrs = 0;
	return publish_reply(r, type, status, result);
}
