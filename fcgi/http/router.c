/*
 * router.c - the one route table and dispatch.
 *
 * Every endpoint is a row: method, path pattern, handler, flags.  Dispatch
 * does everything a handler must be able to rely on: 404/405, the JSON body,
 * the bearer token (HS256, exp; with cnf.jkt its DPoP proof), the
 * per-request device/account re-check
 * and the role.  Handlers never look at tokens.  After the handler it
 * rolls back a transaction left open (the request's cleanup) and holds a
 * late-guard route's handler to the re-check it owes.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "admin.h"
#include "cidr.h"
#include "clock.h"
#include "crypto.h"
#include "db.h"
#include "appconfig.h"
#include "auth.h"
#include "config.h"
#include "devices.h"
#include "dpopcheck.h"
#include "guard.h"
#include "health.h"
#include "holiday.h"
#include "leave.h"
#include "register.h"
#include "jsonio.h"
#include "log.h"
#include "metrics.h"
#include "policy.h"
#include "profile.h"
#include "attendance.h"
#include "timetable.h"
#include "webpushsub.h"
#include "websocket.h"
#include "passkey.h"
#include "pushtoken.h"
#include "lang.h"
#include "router.h"
#include "testhook.h"
#include "submit.h"
#include "substitute.h"
#include "reports.h"
#include "stats.h"
#include "token.h"

#define J ROUTE_JSON
#define A ROUTE_AUTH
#define S ROUTE_STUDENT
#define T ROUTE_TEACHER
#define H ROUTE_HEAD

static const struct route routes[] = {
	{ "GET", "/healthz", health_get, ROUTE_PUBLIC,
	    "liveness and database state" },
	{ "GET", "/me", profile_get, A, "the signed-in user" },
	{ "POST", "/me/lang", lang_set, A | J,
	    "the language of this device's notices (en, hi, ur)" },

	/* --- sign-in and devices (auth.c, devices.c) --- */
	{ "POST", "/auth/google", auth_google, J,
	    "sign in with a Google ID token and a device" },
	{ "GET", "/auth/challenge", auth_challenge, ROUTE_PUBLIC,
	    "a single-use Play Integrity nonce" },
	{ "POST", "/auth/refresh", auth_refresh, J,
	    "rotate a refresh token for a new access token" },
	{ "POST", "/auth/logout", auth_logout, A,
	    "revoke this device's refresh tokens" },
	{ "GET", "/devices/pending", devices_pending, T,
	    "students' new devices awaiting this teacher" },
	{ "POST", "/devices/:id/approve", devices_approve, T,
	    "approve a student's new device (replaces the old one)" },
	{ "POST", "/devices/:id/reject", devices_reject, T,
	    "reject a student's new device" },

	/* --- live attendance (attendance.c, ws.c) --- */
	{ "GET", "/timetable", timetable_get, A,
	    "the caller's periods of a day, with session state" },
	{ "GET", "/attendance/open", timetable_open_windows, S,
	    "the student's windows open now" },
	{ "POST", "/attendance/initiate", attendance_initiate, T | J,
	    "open an attendance window (OTP)" },
	{ "POST", "/attendance/close", attendance_close, T | J,
	    "end the open window now" },
	{ "GET", "/attendance/live-status", attendance_live_status, T,
	    "the teacher's full picture of a session" },
	{ "POST", "/attendance/manual-mark", attendance_manual_mark, T | J,
	    "teacher override with a reason" },
	{ "GET", "/attendance/qr", attendance_qr, T,
	    "SVG QR code of the open window" },
	{ "POST", "/attendance/submit", submit_post, S | J | ROUTE_GUARD_LATE,
	    "submit the OTP (same path as the WebSocket)" },
	{ "POST", "/attendance/telemetry", attendance_telemetry, S | J,
	    "anti-proxy evidence (focus lost ...)" },
	{ "GET", "/ws/auth", websocket_authorize,
	    ROUTE_INTERNAL | A | ROUTE_WS_TOKEN,
	    "nginx auth_request for GET /ws" },
	{ "POST", "/ws/message", websocket_message,
	    ROUTE_INTERNAL | ROUTE_WS_SUBJECT, "a client WebSocket frame" },

	/* --- the register (register.c, leave.c, holiday.c) --- */
	{ "POST", "/attendance/mark-all", register_mark_all, T | J,
	    "mark every student still unmarked P or A, with one reason" },
	{ "POST", "/attendance/remark", register_remark, T | J,
	    "set the remark of one mark" },
	{ "GET", "/register/day", register_day, T,
	    "the caller's sessions on a date, extra classes included" },
	{ "GET", "/register/settings", register_settings, T,
	    "window length bounds, back-dating limit, leave rule" },
	{ "POST", "/leave", leave_create, A | J,
	    "a teacher records leave; a student applies for it" },
	{ "GET", "/leave", leave_list, A,
	    "leave records: a student's own, a teacher's classes'" },
	{ "POST", "/leave/:id/approve", leave_approve, T,
	    "approve a student's leave application" },
	{ "POST", "/leave/:id/reject", leave_reject, T,
	    "reject a student's leave application" },
	{ "POST", "/holidays", holiday_create, T | J,
	    "a class's holiday or a cancelled period on a date" },
	{ "GET", "/classes/:id/policy", policy_get, T,
	    "a class's anti-proxy policy (its teachers)" },
	{ "PUT", "/classes/:id/policy", policy_put, T | J,
	    "change a class's anti-proxy policy (its teachers; audited)" },
	{ "GET", "/holidays", holiday_list, A,
	    "days without class that concern the caller" },
	{ "DELETE", "/holidays/:id", holiday_delete, T,
	    "remove a holiday or cancellation the caller made" },
	{ "POST", "/substitutes", substitute_create, T | J,
	    "another teacher takes one period on one date" },
	{ "GET", "/substitutes", substitute_list, T,
	    "substitutes the caller takes, assigned or may see" },
	{ "DELETE", "/substitutes/:id", substitute_delete, T,
	    "remove a substitute (who may assign one)" },

	/* --- biometric presence (passkey.c) --- */
	{ "GET", "/webauthn/status", passkey_status, S,
	    "the class's require_uv policy; this device's passkey or none" },
	{ "POST", "/webauthn/register/options", passkey_options, S,
	    "options and a challenge for navigator.credentials.create" },
	{ "POST", "/webauthn/register", passkey_register, S | J,
	    "register this device's passkey (attestationObject, clientData)" },
	{ "GET", "/webauthn/challenge", passkey_challenge, S,
	    "the open window's WebAuthn challenge for this device" },

	/* --- push (pushtoken.c) --- */
	{ "POST", "/devices/push-token", pushtoken_set, A | J,
	    "store this device's FCM registration token" },
	{ "POST", "/devices/web-push", webpushsub_set, A | J,
	    "store this web device's Web Push subscription" },
	{ "DELETE", "/devices/web-push", webpushsub_delete, A,
	    "forget this web device's Web Push subscription" },

	/* --- reports (reports.c) --- */
	{ "GET", "/attendance/student-summary", reports_student, A,
	    "a student's attendance per subject and day by day" },
	{ "GET", "/attendance/class-summary", reports_class, T,
	    "a subject's register, at-risk list and weekly trend" },

	/* --- the dashboard (admin.c): heads and administrators --- */
	{ "GET", "/admin/departments", admin_departments, H,
	    "the departments in the reader's scope" },
	{ "GET", "/admin/attendance", admin_attendance, H,
	    "attendance by department, class, subject or teacher" },
	{ "GET", "/admin/trend", admin_trend, H, "attendance week by week" },
	{ "GET", "/admin/shortage", admin_shortage, H,
	    "students below AT_RISK_PERCENT in a subject" },
	{ "GET", "/admin/not-marked", admin_not_marked, H,
	    "timetabled periods where no attendance was taken" },
	{ "GET", "/admin/accounts", admin_accounts, H,
	    "devices awaiting approval and blocked accounts" },
	{ "GET", "/admin/jobs", admin_jobs, H,
	    "the last imports and cron runs" },

	/* --- web app (appconfig.c) --- */
	{ "GET", "/app-config", appconfig_get, ROUTE_PUBLIC,
	    "demo mode, Google client id, web students (public)" },

	/* --- operations (metrics.c) --- */
	{ "GET", "/metrics", metrics_get, ROUTE_LOCAL,
	    "Prometheus metrics (loopback and METRICS_ALLOW only)" },
};

#undef J
#undef A
#undef S
#undef T
#undef H

#define NROUTES (sizeof(routes) / sizeof(routes[0]))
_Static_assert(NROUTES <= STATS_MAX_ROUTES, "stats.h: more route rows");

const struct route *
router_table(size_t *n)
{
	*n = NROUTES;
	return routes;
}

int
router_match(const char *pattern, const char *path, struct http_req *r)
{
	const char *p = pattern, *s = path, *pe, *se;
	int n = 0;

	while (*p && *s) {
		if (*p != '/' || *s != '/')
			return 0;
		p++;
		s++;
		pe = strchr(p, '/');
		if (pe == NULL)
			pe = p + strlen(p);
		se = strchr(s, '/');
		if (se == NULL)
			se = s + strlen(s);
		if (*p == ':') {
			if (se == s)
				return 0;
			if (r && n < HTTP_MAX_PARAMS) {
				r->param_names[n] = arena_strndup(r->arena,
				    p + 1, (size_t)(pe - p - 1));
				r->param_values[n] = arena_strndup(r->arena, s,
				    (size_t)(se - s));
				n++;
			}
		} else if (pe - p != se - s ||
		    strncmp(p, s, (size_t)(pe - p)) != 0) {
			return 0;
		}
		p = pe;
		s = se;
	}
	if (*p || *s)
		return 0;
	if (r)
		r->nparams = n;
	return 1;
}

/*
 * A browser cannot set headers on a WebSocket, so the token travels as
 * the offered subprotocol "bearer.<token>" (next to ws+meta.nchan, the
 * one nchan picks).  Not in the URL: nginx's error log writes the
 * request line of every error as it is, and cannot filter it.
 */
static const char *
ws_token(struct http_req *r)
{
	const char *p = r->ws_protocols, *e;

	while (p && *p) {
		p += strspn(p, " \t,");
		e = p + strcspn(p, " \t,");
		if (e - p > 7 && strncmp(p, "bearer.", 7) == 0)
			return arena_strndup(r->arena, p + 7,
			    (size_t)(e - p - 7));
		p = e;
	}
	return NULL;
}

static const char *
bearer(struct http_req *r, unsigned flags)
{
	const char *h = r->authorization;

	if (h && strncasecmp(h, "Bearer ", 7) == 0)
		return h + 7;
	if (h && strncasecmp(h, "DPoP ", 5) == 0) /* RFC 9449's scheme */
		return h + 5;
	return flags & ROUTE_WS_TOKEN ? ws_token(r) : NULL;
}

static int
authenticate(struct http_req *r, unsigned flags)
{
	const char *tok = bearer(r, flags);
	struct dpop_proof proof;
	int rc;

	if (tok == NULL || *tok == '\0')
		return http_reply_error(r, 401, "unauthorized",
		    "a bearer token is required");
	rc = token_verify(r->cfg->jwt_secret, tok, (long long)time(NULL),
	    &r->auth, r->arena);
	if (rc == TOKEN_EXPIRED)
		return http_reply_error(r, 401, "token_expired",
		    "the access token has expired");
	if (rc != TOKEN_OK)
		return http_reply_error(r, 401, "invalid_token",
		    "the access token is not valid");
	/* A token bound to a device key (cnf.jkt) is worth nothing without
	 * a fresh proof signed by that key (dpopcheck.c). */
	if (r->auth.jkt != NULL &&
	    (rc = dpopcheck_request(r, (flags & ROUTE_WS_TOKEN) != 0, tok,
		 r->auth.jkt, &proof)) != 0)
		return rc;
	/* A late guard folds the re-check into the handler's first read;
	 * run_handler holds the handler to it. */
	if (flags & ROUTE_GUARD_LATE)
		r->guard_owed = 1;
	else if ((rc = guard_session(r)) != 0)
		return rc;
	if ((flags & ROUTE_STUDENT) && r->auth.role != ROLE_STUDENT)
		return http_reply_error(r, 403, "forbidden",
		    "this endpoint is for students");
	/* Heads and administrators teach too: teacher routes check the
	 * subject's teacher, so their wider scope does not widen these. */
	if ((flags & ROUTE_TEACHER) && !token_role_is_staff(r->auth.role))
		return http_reply_error(r, 403, "forbidden",
		    "this endpoint is for teachers");
	if ((flags & ROUTE_HEAD) && r->auth.role != ROLE_HEAD &&
	    r->auth.role != ROLE_ADMIN)
		return http_reply_error(r, 403, "forbidden",
		    "this endpoint is for heads of department and "
		    "administrators");
	if ((flags & ROUTE_ADMIN) && r->auth.role != ROLE_ADMIN)
		return http_reply_error(r, 403, "forbidden",
		    "this endpoint is for administrators");
	return 0;
}

/*
 * The identity nginx attached to a WebSocket frame, from our own
 * websocket_authorize answer, only reachable through the internal hook server
 * and signed all the same.  The device and account are re-checked: a
 * socket outlives its token.
 */
static int
ws_subject(struct http_req *r)
{
	const char *h = http_env(r, "HTTP_X_WS_SUBJECT"), *c1, *c2, *subject;
	const char *mac;
	char role[4];

	/* "<hmac>:<role>:<device>:<email>", from our own ws_authorize */
	if (h == NULL || strlen(h) < 70 || h[64] != ':')
		goto refuse;
	subject = h + 65;
	mac = crypto_hmac_hex(r->cfg->ws_subject_key,
	    arena_printf(r->arena, "ws-subject:%s", subject), 64, r->arena);
	if (mac == NULL || !crypto_equal(mac, h, 64))
		goto refuse;
	if ((c1 = strchr(subject, ':')) == NULL ||
	    (c2 = strchr(c1 + 1, ':')) == NULL || c1 - subject > 2)
		goto refuse;
	memcpy(role, subject, (size_t)(c1 - subject));
	role[c1 - subject] = '\0';
	r->auth.role = token_role_from_short(role);
	r->auth.device_id = strtoll(c1 + 1, NULL, 10);
	r->auth.email = c2 + 1;
	if (r->auth.role == ROLE_NONE)
		goto refuse;
	return guard_session(r);
refuse:
	return http_reply_error(r, 401, "unauthorized",
	    "no WebSocket identity");
}

/*
 * A ROUTE_LOCAL caller: the TCP peer nginx saw (REMOTE_ADDR, nginx's
 * $remote_addr: the template has no real_ip rewriting), never a header a
 * client can send, nor the hook server's X-Real-IP.
 */
static int
local_peer(const struct http_req *r)
{
	const char *peer = http_env(r, "REMOTE_ADDR");
	const char *allow = r->cfg->metrics_allow;

	if (r->internal || peer == NULL)
		return 0;
	return cidr_match("127.0.0.1,::1", peer) ||
	    (allow && *allow && cidr_match(allow, peer));
}

/*
 * Runs the handler, then what every request ends with whatever the
 * handler did: a transaction it left open is rolled back (handlers may
 * return early from one: refusals never commit by accident), and a late
 * guard it did not settle turns a success into a 500.
 */
static int
run_handler(struct http_req *r, const struct route *rt)
{
	int status = rt->handler(r);

	if (r->db != NULL && db_in_tx(r->db))
		db_rollback(r->db);
	if (r->guard_owed && status < 400) {
		log_error("%s %s: the late guard was not settled", rt->method,
		    rt->pattern);
		status = http_reply_error(r, 500, "internal",
		    "the request could not be checked");
	}
	return status;
}

int
router_dispatch(struct http_req *r)
{
	const struct route *rt = NULL;
	int path_found = 0, status, row = -1;
	long long t0 = clock_mono_us();
	size_t i;
	char err[256];

	for (i = 0; i < NROUTES; i++) {
		if (!router_match(routes[i].pattern, r->path, NULL))
			continue;
		path_found = 1;
		if (strcmp(routes[i].method, r->method) == 0 ||
		    (strcmp(routes[i].method, "GET") == 0 &&
			strcmp(r->method, "HEAD") == 0)) {
			rt = &routes[i];
			break;
		}
	}
	if (rt == NULL || ((rt->flags & ROUTE_INTERNAL) && !r->internal) ||
	    ((rt->flags & ROUTE_LOCAL) && !local_peer(r))) {
		if (path_found && rt == NULL) {
			status = http_reply_error(r, 405, "method_not_allowed",
			    "%s is not allowed on %s", r->method, r->path);
			goto out;
		}
		status = http_reply_error(r, 404, "not_found",
		    "no such endpoint: %s", r->path);
		goto out;
	}
	row = (int)(rt - routes);
	router_match(rt->pattern, r->path, r);
	if (rt->flags & ROUTE_SIGNED_IN) {
		if ((status = authenticate(r, rt->flags)) != 0)
			goto out;
	}
	if ((rt->flags & ROUTE_WS_SUBJECT) && (status = ws_subject(r)) != 0)
		goto out;
	if (rt->flags & ROUTE_JSON) {
		if (r->content_type &&
		    strncasecmp(r->content_type, "application/json", 16) != 0) {
			status =
			    http_reply_error(r, 415, "unsupported_media_type",
				"send the body as application/json");
			goto out;
		}
		r->json =
		    jsonio_parse_object(r->body, r->body_len, err, sizeof(err));
		if (r->json == NULL) {
			status =
			    http_reply_error(r, 400, "bad_json", "%s", err);
			goto out;
		}
		jsonio_defer(r->arena, r->json);
	}
	TESTHOOK_HANDLER(r, 1);
	status = run_handler(r, rt);
	TESTHOOK_HANDLER(r, 0);
out:
	http_finish(r, status);
	stats_request(row, r->status, clock_mono_us() - t0);
	return r->status;
}
