/*
 * attendance.c - the heart of eHazira: a teacher opens a window with a
 * one-time code, students submit it, the server alone decides P / A / R and
 * the teacher's screen follows over the WebSocket.
 *
 * Every decision is made inside one transaction that locks the rows it
 * depends on (the window, the student's attempt row), and every event is
 * published only after COMMIT, so what a screen shows is already true.
 * The database clock (NOW(3)) is the only clock used for windows: workers
 * and relay agree whatever their own clocks say.
 */
#include <qrencode.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "attendance.h"
#include "audit.h"
#include "calendar.h"
#include "cidr.h"
#include "config.h"
#include "db.h"
#include "guard.h"
#include "ratelimit.h"
#include "jsonio.h"
#include "log.h"
#include "outbox.h"
#include "pubsub.h"
#include "pushqueue.h"
#include "rotating.h"
#include "scope.h"
#include "token.h"
#include "window.h"

static const char *const evidence_kinds[] = { "focus_lost", "app_switch",
	"copy", "paste", "blur", "visibility_hidden", NULL };

/* Replies with *result (an error object for >= 400). */
static int
reply(struct http_req *r, int status, json_t *result)
{
	return http_reply_json(r, status, result);
}

/* Today's date in the institution's time zone (TZ is set at start). */
static void
local_today(char out[11])
{
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

static int
valid_date(const char *s)
{
	struct tm tm = { 0 };
	const char *end;

	if (strlen(s) != 10)
		return 0;
	end = strptime(s, "%Y-%m-%d", &tm);
	return end && *end == '\0' && tm.tm_year > 100 && tm.tm_year < 200;
}

/* A session id from the body or the query string; 0 when invalid. */
static long long
session_param(struct http_req *r, json_t *msg, char *err, size_t errlen)
{
	long long id = 0;
	const char *q;
	char *end;

	if (msg) {
		if (jsonio_int(msg, "session_id", JSONH_REQUIRED, 1,
			4294967295LL, &id, err, errlen) < 0)
			return 0;
		return id;
	}
	q = http_query(r, "session_id");
	if (q == NULL || *q == '\0') {
		snprintf(err, errlen, "'session_id' is required");
		return 0;
	}
	id = strtoll(q, &end, 10);
	if (*end != '\0' || id < 1 || strlen(q) > 10) {
		snprintf(err, errlen, "'session_id' must be a positive number");
		return 0;
	}
	return id;
}

/*
 * Loads a session the caller teaches.  DB_OK with rows (session_id,
 * class_id, date, course, course_name, period_no, subject_id, online);
 * else the error is already in r.
 */
static int
teacher_session(struct http_req *r, long long session_id, struct db_rows *rows)
{
	int rc = db_query_one(r->db, r->arena, rows,
	    "SELECT se.session_id, sj.class_id, se.date, co.course_id, "
	    "co.course_name, p.period_no, sj.subject_id, se.online, " SCOPE_TAKES_SQL
	    " " /* the subject's teacher or the substitute */
	    "FROM session se JOIN period p ON p.period_id = se.period_id "
	    "JOIN subject sj ON sj.subject_id = p.subject_id "
	    "JOIN course co ON co.course_id = sj.course_id "
	    "WHERE se.session_id = ?",
	    "sI", r->auth.email, session_id);

	if (rc == DB_NOTFOUND)
		return http_reply_error(r, 404, "session_not_found",
		    "no such session");
	if (rc != DB_OK)
		return 503;
	if (!db_get_int(rows, 0, 8))
		return http_reply_error(r, 403, "not_your_session",
		    "only the subject's teacher (or its substitute) may do "
		    "this");
	return 0;
}

/* What opening a window gathers on its way, step by step. */
struct initiate {
	long long period_id, session_id, window_id, expires_ms, class_id;
	long long ttl; /* the window's length: the teacher's or OTP_TTL */
	const char *date;
	char today[11], otp[5];
	int online, round;
	struct rotating rot; /* the class's rotating codes, if any */
	struct db_rows p; /* the period: teacher?, class, course, period_no */
	struct db_rows w; /* the new window's expiry (ms, ISO) */
};

/* A failed statement: 409 busy on a deadlock (retry), else 500. */
static int
statement_failed(struct http_req *r, int rc)
{
	if (rc == DB_DEADLOCK)
		return http_reply_error(r, 409, "busy", "try again");
	return 500;
}

/* The body: period_id, date (today by default, never later), online. */
static int
initiate_parse(struct http_req *r, struct initiate *in)
{
	char err[256];

	if (jsonio_int(r->json, "period_id", JSONH_REQUIRED, 1, 4294967295LL,
		&in->period_id, err, sizeof(err)) < 0 ||
	    jsonio_string(r->json, "date", JSONH_OPTIONAL, 10, &in->date, err,
		sizeof(err)) < 0)
		return http_reply_error(r, 400, "bad_request", "%s", err);
	/* 0 and -1: not given, the class's defaults (initiate_period) */
	in->ttl = 0;
	if (jsonio_int(r->json, "ttl", JSONH_OPTIONAL, r->cfg->otp_ttl_min,
		r->cfg->otp_ttl_max, &in->ttl, err, sizeof(err)) < 0)
		return http_reply_error(r, 422, "bad_ttl", "%s", err);
	in->online = json_object_get(r->json, "online")
	    ? json_is_true(json_object_get(r->json, "online"))
	    : -1;
	local_today(in->today);
	if (in->date == NULL)
		in->date = in->today;
	else if (!valid_date(in->date))
		return http_reply_error(r, 400, "bad_request",
		    "'date' must be YYYY-MM-DD");
	/* Students cannot sit a class that has not happened yet. */
	else if (strcmp(in->date, in->today) > 0)
		return http_reply_error(r, 400, "future_date",
		    "'date' is after today (%s)", in->today);
	else if (calendar_days_back(in->today, in->date) >
	    r->cfg->backdate_days)
		return http_reply_error(r, 422, "too_far_back",
		    "a class may be taken at most %ld days back",
		    r->cfg->backdate_days);
	return 0;
}

/* No session on a holiday or a cancelled class (calendar.c). */
static int
initiate_calendar(struct http_req *r, struct initiate *in)
{
	const char *kind, *why;
	int rc = calendar_noclass_find(r->db, r->arena, in->period_id, in->date,
	    &kind, &why);

	if (rc == DB_NOTFOUND)
		return 0;
	if (rc != DB_OK)
		return 503;
	return http_reply_error(r, 409,
	    strcmp(kind, "HOLIDAY") == 0 ? "holiday" : "class_cancelled",
	    "%s on %s%s%s: no class is expected",
	    strcmp(kind, "HOLIDAY") == 0 ? "a holiday"
					 : "the class is cancelled",
	    in->date, *why ? ": " : "", why);
}

/* The period, which the caller must teach (or substitute on the date). */
static int
initiate_period(struct http_req *r, struct initiate *in)
{
	int rc = db_query_one(r->db, r->arena, &in->p,
	    "SELECT " SCOPE_TAKES_ON_SQL ", sj.class_id, co.course_id, "
	    "co.course_name, p.period_no, sj.subject_id, c.window_ttl, "
	    "c.online_default "
	    "FROM period p JOIN subject sj ON sj.subject_id = p.subject_id "
	    "JOIN course co ON co.course_id = sj.course_id "
	    "JOIN class c ON c.class_id = sj.class_id "
	    "WHERE p.period_id = ?",
	    "ssI", r->auth.email, in->date, in->period_id);

	if (rc == DB_NOTFOUND)
		return http_reply_error(r, 404, "period_not_found",
		    "no such period");
	if (rc != DB_OK)
		return 503;
	if (!db_get_int(&in->p, 0, 0))
		return http_reply_error(r, 403, "not_your_period",
		    "only the subject's teacher (or its substitute that day) "
		    "may take its attendance");
	in->class_id = db_get_int(&in->p, 0, 1);
	/* the class's policy when the teacher did not say (020) */
	if (in->ttl == 0) {
		in->ttl = db_get_int(&in->p, 0, 6);
		if (in->ttl < r->cfg->otp_ttl_min ||
		    in->ttl > r->cfg->otp_ttl_max)
			in->ttl = r->cfg->otp_ttl;
	}
	if (in->online < 0)
		in->online = (int)db_get_int(&in->p, 0, 7);
	return 0;
}

/*
 * One try at the session row, locked in a new transaction: 0 with the
 * transaction open and no unfinalised window; -1 when an ended window had
 * to be finalised first (try again); else the status.
 */
static int
lock_session(struct http_req *r, struct initiate *in)
{
	struct db_rows s, w;
	int rc, closed;

	if (db_begin(r->db) != DB_OK)
		return 503;
	if ((rc = db_exec(r->db,
		 "INSERT INTO session (period_id, date, online, taken_by) "
		 "VALUES (?, ?, ?, ?) ON DUPLICATE KEY UPDATE taken_by = "
		 "VALUES(taken_by)",
		 "Isis", in->period_id, in->date, in->online, r->auth.email)) !=
	    DB_OK)
		return statement_failed(r, rc);
	/* Lock the session: concurrent initiates queue up here. */
	if ((rc = db_query_one(r->db, r->arena, &s,
		 "SELECT session_id FROM session WHERE period_id = ? AND "
		 "date = ? FOR UPDATE",
		 "Is", in->period_id, in->date)) != DB_OK)
		return statement_failed(r, rc);
	in->session_id = db_get_int(&s, 0, 0);
	if ((rc = db_query(r->db, r->arena, &w,
		 "SELECT window_id, (" WINDOW_OPEN ") FROM attendance_window "
		 "WHERE session_id = ? AND finalized_at IS NULL",
		 "I", in->session_id)) != DB_OK)
		return statement_failed(r, rc);
	if (w.nrows == 0)
		return 0;
	if (db_get_int(&w, 0, 1))
		return http_reply_error(r, 409, "window_open",
		    "attendance is already open for this session");
	/* Ended but not yet finalised (relay behind): do it. */
	db_rollback(r->db);
	if (window_finalize(r->db, r->arena, r->cfg, db_get_int(&w, 0, 0),
		&closed) != DB_OK)
		return 503;
	return -1;
}

/* The session, created if need be and locked, with no window open. */
static int
initiate_session(struct http_req *r, struct initiate *in)
{
	int tries, status = -1;

	for (tries = 0; tries < 3 && status == -1; tries++)
		status = lock_session(r, in);
	return status == -1 ? 503 : status;
}

/* The next round's window with a new code, and its expiry. */
static int
initiate_window(struct http_req *r, struct initiate *in)
{
	int rc;

	if ((rc = db_query_one(r->db, r->arena, &in->w,
		 "SELECT COALESCE(MAX(round), 0) FROM attendance_window "
		 "WHERE session_id = ?",
		 "I", in->session_id)) != DB_OK)
		return statement_failed(r, rc);
	in->round = (int)db_get_int(&in->w, 0, 0) + 1;
	if (in->round > 20)
		return http_reply_error(r, 409, "too_many_rounds",
		    "this session has had 20 rounds already");
	if (window_new_otp(in->otp) < 0)
		return 500;
	/* the class's policy as it is now holds for this whole window */
	if ((rc = rotating_open(r, in->class_id, in->ttl, &in->rot, in->otp)) !=
	    0)
		return rc;
	if ((rc = db_exec(r->db,
		 "INSERT INTO attendance_window (session_id, round, otp, "
		 "opened_by, opened_at, expires_at, grace_ms, "
		 "flag_on_focus_loss, allowed_cidrs, slow_margin_ms, "
		 "flag_slow, geofence_lat, geofence_lon, geofence_radius, "
		 "geofence_accuracy, geofence_missing, require_uv) SELECT ?, ?, ?, ?, "
		 "NOW(3), NOW(3) + INTERVAL ? SECOND, ?, c.flag_on_focus_loss, "
		 "c.allowed_cidrs, c.slow_margin_ms, c.flag_slow, "
		 /* the period's own room, else the class's (022) */
		 "IF(p.geofence_radius IS NULL, c.geofence_lat, "
		 "p.geofence_lat), IF(p.geofence_radius IS NULL, "
		 "c.geofence_lon, p.geofence_lon), "
		 "COALESCE(p.geofence_radius, c.geofence_radius), "
		 "c.geofence_accuracy, c.geofence_missing, c.require_uv "
		 "FROM session se JOIN period p ON "
		 "p.period_id = se.period_id JOIN subject sj ON sj.subject_id "
		 "= p.subject_id JOIN class c ON c.class_id = sj.class_id "
		 "WHERE se.session_id = ?",
		 "IissIII", in->session_id, in->round, in->otp, r->auth.email,
		 in->ttl, (long long)r->cfg->otp_grace * 1000,
		 in->session_id)) != DB_OK)
		return statement_failed(r, rc);
	in->window_id = db_insert_id(r->db);
	if ((rc = rotating_store(r, in->window_id, &in->rot)) != 0)
		return rc;
	/* a submit finds the window through the session: no MAX(round) */
	if ((rc = db_exec(r->db,
		 "UPDATE session SET window_id = ? WHERE session_id = ?", "II",
		 in->window_id, in->session_id)) != DB_OK ||
	    (rc = db_query_one(r->db, r->arena, &in->w,
		 "SELECT FLOOR(UNIX_TIMESTAMP(expires_at) * 1000), "
		 "DATE_FORMAT(expires_at, '%Y-%m-%dT%H:%i:%s.%fZ') "
		 "FROM attendance_window WHERE window_id = ?",
		 "I", in->window_id)) != DB_OK)
		return statement_failed(r, rc);
	in->expires_ms = db_get_int(&in->w, 0, 0);
	return 0;
}

/* The wake-up push's payload (FCM message); malloc'd, NULL on OOM. */
static char *
push_payload(const struct initiate *in)
{
	json_t *msg, *data;
	char *payload;

	msg = json_pack("{s:{s:s,s:s},s:{s:s}}", "notification", "title",
	    "Attendance is open", "body",
	    "Open eHazira and enter the code on the board", "data", "type",
	    "attendance.started");
	if (msg == NULL)
		return NULL;
	data = json_object_get(msg, "data");
	json_object_set_new(data, "session_id",
	    json_sprintf("%lld", in->session_id));
	json_object_set_new(data, "subject",
	    json_sprintf("%s %s", db_get(&in->p, 0, 2), db_get(&in->p, 0, 3)));
	json_object_set_new(data, "expires_at",
	    json_sprintf("%lld", in->expires_ms / 1000));
	payload = json_dumps(msg, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(msg);
	return payload;
}

/* One wake-up push per active device of a student still to mark. */
static int
initiate_push(struct http_req *r, struct initiate *in)
{
	char collapse[48], *payload = push_payload(in);
	long long queued;
	int rc;

	if (payload == NULL)
		return 500;
	snprintf(collapse, sizeof(collapse), "session-%lld", in->session_id);
	rc = pushqueue_started(r->db, in->class_id, in->session_id, collapse,
	    payload, in->expires_ms, &queued);
	free(payload);
	if (rc == DB_OK)
		rc = db_commit(r->db);
	return rc == DB_OK ? 0 : statement_failed(r, rc);
}

/* Tells the class and the teacher's screens, then answers the teacher. */
static int
initiate_reply(struct http_req *r, struct initiate *in)
{
	const struct config *cfg = r->cfg;
	json_t *ev;

	outbox_wake(cfg);
	ev = json_pack("{s:I,s:I,s:i,s:I,s:s,s:s,s:I,s:i,s:s}", "session_id",
	    (json_int_t)in->session_id, "window_id", (json_int_t)in->window_id,
	    "round", in->round, "expires_at", (json_int_t)in->expires_ms,
	    "course_id", db_get(&in->p, 0, 2), "course_name",
	    db_get(&in->p, 0, 3), "period_no",
	    (json_int_t)db_get_int(&in->p, 0, 4), "ttl", (int)in->ttl, "date",
	    in->date);
	pubsub_publish(cfg, pubsub_class_channel(in->class_id, r->arena),
	    "attendance.started", json_deep_copy(ev));
	pubsub_publish(cfg, pubsub_user_channel(cfg, r->auth.email, r->arena),
	    "attendance.opened", json_deep_copy(ev));
	json_object_set_new(ev, "otp", json_string(in->otp));
	json_object_set_new(ev, "expires_at_iso",
	    json_string(db_get(&in->w, 0, 1)));
	json_object_set_new(ev, "grace", json_integer(cfg->otp_grace));
	if (in->rot.every > 0) /* the screen asks live-status for the next */
		json_object_set_new(ev, "rotate_every",
		    json_integer(in->rot.every));
	json_object_set_new(ev, "server_time",
	    json_integer((json_int_t)clock_wall_ms()));
	json_object_set_new(ev, "totals",
	    window_totals(r->db, r->arena, in->session_id));
	return http_reply_json(r, 201, ev);
}

/*
 * POST /attendance/initiate {period_id, date?, online?, ttl?}
 *
 * Each step answers its own refusals; a transaction a step leaves open
 * is rolled back at the request's end (router.c).
 */
int
attendance_initiate(struct http_req *r)
{
	struct initiate in = { 0 };
	int status;

	if ((status = initiate_parse(r, &in)) != 0 ||
	    (status = initiate_period(r, &in)) != 0 ||
	    (status = initiate_calendar(r, &in)) != 0 ||
	    (status = initiate_session(r, &in)) != 0 ||
	    (status = initiate_window(r, &in)) != 0 ||
	    (status = initiate_push(r, &in)) != 0)
		goto out;
	status = initiate_reply(r, &in);
out:
	return status;
}

/*
 * POST /attendance/close {session_id}
 */
int
attendance_close(struct http_req *r)
{
	struct db_rows s, w;
	long long session_id;
	char err[256];
	int rc, closed = 0;
	json_t *body;

	if ((session_id = session_param(r, r->json, err, sizeof(err))) == 0)
		return http_reply_error(r, 400, "bad_request", "%s", err);
	if ((rc = teacher_session(r, session_id, &s)) != 0)
		return rc;
	rc = db_query(r->db, r->arena, &w,
	    "SELECT window_id FROM attendance_window WHERE session_id = ? "
	    "AND finalized_at IS NULL",
	    "I", session_id);
	if (rc != DB_OK)
		return 503;
	if (w.nrows == 0)
		return http_reply_error(r, 409, "no_open_window",
		    "attendance is not open for this session");
	/* finalising closes the window in the same transaction: a failure
	 * leaves it open, and the teacher's retry closes it */
	if (window_finalize(r->db, r->arena, r->cfg, db_get_int(&w, 0, 0),
		&closed) != DB_OK)
		return 503;
	body =
	    json_pack("{s:I,s:I,s:b,s:o}", "session_id", (json_int_t)session_id,
		"window_id", (json_int_t)db_get_int(&w, 0, 0), "closed", closed,
		"totals", window_totals(r->db, r->arena, session_id));
	return http_reply_json(r, 200, body);
}

static const char *
state_name(const char *status, long long wrong, int open)
{
	if (status == NULL) {
		if (wrong >= 2)
			return "no_tries_left";
		if (wrong == 1)
			return "wrong_once";
		return open ? "pending" : "not_marked";
	}
	switch (status[0]) {
	case 'P':
		return "present";
	case 'R':
		return "flagged";
	default:
		return "absent";
	}
}

/*
 * The code on the teacher's screen: a rotating window's code of the
 * moment, when it changes next and how often (rotate_every, next_code_ms),
 * else the window's one code.
 */
static void
latest_code(struct http_req *r, json_t *win, long long window_id,
    const char *otp)
{
	long every;
	long long next;
	const char *code = rotating_now(r, window_id, &every, &next);

	json_object_set_new(win, "otp", json_string(code ? code : otp));
	if (code) {
		json_object_set_new(win, "rotate_every", json_integer(every));
		json_object_set_new(win, "next_code_ms", json_integer(next));
	}
}

/*
 * The session's latest window as the teacher's screen shows it (left
 * alone when none), with its id and whether it is open.
 */
static int
latest_window(struct http_req *r, long long session_id, long long *window_id,
    int *open, json_t **win)
{
	struct db_rows w;
	int rc = db_query(r->db, r->arena, &w,
	    "SELECT window_id, round, otp, FLOOR(UNIX_TIMESTAMP(expires_at) * "
	    "1000), (" WINDOW_OPEN "), "
	    "GREATEST(0, TIMESTAMPDIFF(MICROSECOND, NOW(3), expires_at)) / "
	    "1000, FLOOR(UNIX_TIMESTAMP(NOW(3)) * 1000) "
	    "FROM attendance_window WHERE session_id = ? "
	    "ORDER BY round DESC LIMIT 1",
	    "I", session_id);

	if (rc != DB_OK || w.nrows == 0)
		return rc;
	*window_id = db_get_int(&w, 0, 0);
	*open = (int)db_get_int(&w, 0, 4);
	*win = json_pack("{s:I,s:I,s:I,s:b,s:I,s:I,s:I}", "window_id",
	    (json_int_t)*window_id, "round", (json_int_t)db_get_int(&w, 0, 1),
	    "expires_at", (json_int_t)db_get_int(&w, 0, 3), "open", *open,
	    "ms_left", (json_int_t)(*open ? db_get_int(&w, 0, 5) : 0),
	    "seconds_left",
	    (json_int_t)(*open ? (db_get_int(&w, 0, 5) + 999) / 1000 : 0),
	    "server_time", (json_int_t)db_get_int(&w, 0, 6));
	/* The code is shown only while it can still be used. */
	if (*open)
		latest_code(r, *win, *window_id, db_get(&w, 0, 2));
	return DB_OK;
}

/* One student's tile on the live board, from a row of the live query. */
static json_t *
live_student(struct db_rows *st, int i, int open)
{
	const char *status = db_get(st, i, 3);
	json_t *x;

	/* A timeout absence is still pending while a new round runs. */
	if (status && open && strcmp(status, "A") == 0 &&
	    strcmp(db_get(st, i, 4), "TIMEOUT") == 0)
		status = NULL;
	x = json_pack("{s:s,s:s,s:s,s:s,s:s?,s:I,s:I,s:s?,s:s?}",
	    "student_email", db_get(st, i, 0), "roll_no", db_get(st, i, 1),
	    "name", db_get(st, i, 2), "state",
	    state_name(status, db_get_int(st, i, 5), open), "status", status,
	    "wrong", (json_int_t)db_get_int(st, i, 5), "evidence",
	    (json_int_t)db_get_int(st, i, 6), "marked_at",
	    status ? db_get(st, i, 7) : NULL, "remark", db_get(st, i, 9));
	if (x == NULL || status == NULL)
		return x;
	if (db_get(st, i, 8))
		json_object_set_new(x, "delay_ms",
		    json_integer(db_get_int(st, i, 8)));
	/* stored at finalisation (slowmark.c); the geofence's evidence */
	if (db_get_int(st, i, 10))
		json_object_set_new(x, "slow", json_true());
	if (db_get(st, i, 11))
		json_object_set_new(x, "geo_distance_m",
		    json_integer(db_get_int(st, i, 11)));
	return x;
}

/*
 * GET /attendance/live-status?session_id=
 */
int
attendance_live_status(struct http_req *r)
{
	struct db_rows s, st;
	long long session_id, window_id = 0;
	char err[256];
	int rc, i, open = 0;
	json_t *body, *students, *win = json_null();

	if ((session_id = session_param(r, NULL, err, sizeof(err))) == 0)
		return http_reply_error(r, 400, "bad_request", "%s", err);
	if ((rc = teacher_session(r, session_id, &s)) != 0)
		return rc;
	if (latest_window(r, session_id, &window_id, &open, &win) != DB_OK)
		return 503;
	rc = db_query(r->db, r->arena, &st,
	    "SELECT s.student_email, s.roll_no, s.name, at.status, at.source, "
	    "COALESCE(aa.wrong, 0), "
	    "(SELECT COUNT(*) FROM telemetry t WHERE t.session_id = ? AND "
	    "  t.student_email = s.student_email), "
	    "DATE_FORMAT(at.marked_at, '%Y-%m-%dT%H:%i:%s.%fZ'), at.delay_ms, "
	    "at.remark, at.slow, at.geo_distance_m "
	    "FROM student s "
	    "LEFT JOIN attendance at ON at.session_id = ? AND "
	    "  at.student_email = s.student_email "
	    "LEFT JOIN attendance_attempt aa ON aa.window_id = ? AND "
	    "  aa.student_email = s.student_email "
	    "WHERE s.class_id = ? AND (s.joined_on IS NULL OR s.joined_on <= ?) "
	    "ORDER BY s.roll_no",
	    "IIIIs", session_id, session_id, window_id, db_get_int(&s, 0, 1),
	    db_get(&s, 0, 2));
	if (rc != DB_OK) {
		json_decref(win);
		return 503;
	}
	students = json_array();
	for (i = 0; i < st.nrows; i++)
		json_array_append_new(students, live_student(&st, i, open));
	rotating_mark_slow(r, window_id, students);
	body = json_pack("{s:{s:I,s:I,s:s,s:s,s:s,s:I,s:I,s:b},s:o,s:o,s:o}",
	    "session", "session_id", (json_int_t)session_id, "class_id",
	    (json_int_t)db_get_int(&s, 0, 1), "date", db_get(&s, 0, 2),
	    "course_id", db_get(&s, 0, 3), "course_name", db_get(&s, 0, 4),
	    "period_no", (json_int_t)db_get_int(&s, 0, 5), "subject_id",
	    (json_int_t)db_get_int(&s, 0, 6), "online",
	    (int)db_get_int(&s, 0, 7), "window", win, "totals",
	    window_totals(r->db, r->arena, session_id), "students", students);
	return http_reply_json(r, 200, body);
}

/*
 * POST /attendance/manual-mark {session_id, student_email, status, reason}
 */
int
attendance_manual_mark(struct http_req *r)
{
	static const char *const statuses[] = { "P", "A", "R", NULL };
	struct db_rows s, st;
	long long session_id;
	const char *email = NULL, *reason = NULL, *old;
	char err[256];
	int rc, idx = -1, status = 503;
	json_t *ev;

	if ((session_id = session_param(r, r->json, err, sizeof(err))) == 0 ||
	    jsonio_string(r->json, "student_email", JSONH_REQUIRED, 190, &email,
		err, sizeof(err)) < 0 ||
	    jsonio_enum(r->json, "status", JSONH_REQUIRED, statuses, &idx, err,
		sizeof(err)) < 0 ||
	    jsonio_string(r->json, "reason", JSONH_REQUIRED, 500, &reason, err,
		sizeof(err)) < 0)
		return http_reply_error(r, 400, "bad_request", "%s", err);
	if ((rc = teacher_session(r, session_id, &s)) != 0)
		return rc;
	if ((rc = db_begin(r->db)) != DB_OK)
		return 503;
	/* The student row lock orders this with the student's own submits. */
	rc = db_query_one(r->db, r->arena, &st,
	    "SELECT s.roll_no, s.name, (SELECT at.status FROM attendance at "
	    "  WHERE at.session_id = ? AND at.student_email = s.student_email) "
	    "FROM student s WHERE s.student_email = ? AND s.class_id = ? "
	    "FOR UPDATE",
	    "IsI", session_id, email, db_get_int(&s, 0, 1));
	if (rc == DB_NOTFOUND)
		return http_reply_error(r, 404, "student_not_in_class",
		    "no such student in this session's class");
	if (rc != DB_OK)
		goto fail;
	old = db_get(&st, 0, 2);
	rc = db_exec(r->db,
	    "INSERT INTO attendance (session_id, student_email, status, "
	    "source, remark) VALUES (?, ?, ?, 'MANUAL', ?) ON DUPLICATE KEY "
	    "UPDATE status = VALUES(status), source = 'MANUAL', "
	    "remark = VALUES(remark), marked_at = NOW(3)",
	    "Isss", session_id, email, statuses[idx], reason);
	if (rc != DB_OK)
		goto fail;
	rc = audit_write_detail(r->db, r->auth.email, "attendance.manual",
	    email, old, statuses[idx], reason,
	    arena_printf(r->arena, "session %lld", session_id));
	if (rc != DB_OK)
		goto fail;
	if ((rc = db_commit(r->db)) != DB_OK)
		goto fail;
	ev = json_pack("{s:I,s:s,s:s,s:s,s:s,s:s?,s:s,s:I}", "session_id",
	    (json_int_t)session_id, "student_email", email, "roll_no",
	    db_get(&st, 0, 0), "name", db_get(&st, 0, 1), "status",
	    statuses[idx], "old_status", old, "source", "MANUAL", "at",
	    (json_int_t)clock_wall_ms());
	pubsub_publish(r->cfg,
	    pubsub_user_channel(r->cfg, r->auth.email, r->arena),
	    "attendance.submission", ev);
	return http_reply_json(r, 200,
	    json_pack("{s:I,s:s,s:s?,s:s}", "session_id",
		(json_int_t)session_id, "student_email", email, "old", old,
		"new", statuses[idx]));
fail:
	return status; /* the request's end rolls the transaction back */
}

int
attendance_evidence_core(struct http_req *r, json_t *msg, json_t **result)
{
	struct db_rows w;
	long long session_id;
	const char *detail = "";
	char err[256], key[256];
	int kind = -1, rc;
	json_t *ev;

	*result = NULL;
	if ((session_id = session_param(r, msg, err, sizeof(err))) == 0 ||
	    jsonio_enum(msg, "type", JSONH_REQUIRED, evidence_kinds, &kind, err,
		sizeof(err)) < 0 ||
	    jsonio_string(msg, "detail", JSONH_OPTIONAL, 255, &detail, err,
		sizeof(err)) < 0)
		return jsonio_refuse(result, 400, "bad_request", err);
	/* Evidence is cheap to send: bound it per student all the same. */
	snprintf(key, sizeof(key), "telemetry:%s", r->auth.email);
	if (ratelimit_hit(r, key, 120, 60) != 0)
		return jsonio_refuse(result, 429, "rate_limited",
		    "too many reports");
	/* Only evidence from an enrolled student during an open window. */
	rc = db_query_one(r->db, r->arena, &w,
	    "SELECT w.window_id, COALESCE(se.taken_by, sj.teacher_email), "
	    "st.roll_no, st.name "
	    "FROM attendance_window w "
	    "JOIN session se ON se.session_id = w.session_id "
	    "JOIN period p ON p.period_id = se.period_id "
	    "JOIN subject sj ON sj.subject_id = p.subject_id "
	    "JOIN student st ON st.student_email = ? AND "
	    "  st.class_id = sj.class_id "
	    "WHERE w.session_id = ? AND " WINDOW_OPEN_W,
	    "sI", r->auth.email, session_id);
	if (rc == DB_NOTFOUND) {
		*result = json_pack("{s:I,s:b}", "session_id",
		    (json_int_t)session_id, "recorded", 0);
		return 200;
	}
	if (rc != DB_OK)
		return jsonio_refuse(result, 503, "db_unavailable",
		    "try again");
	/* the event and the count a submit reads change together */
	if (db_begin(r->db) != DB_OK ||
	    db_exec(r->db,
		"INSERT INTO telemetry (session_id, window_id, student_email, "
		"kind, detail, remote_addr) VALUES (?, ?, ?, ?, ?, ?)",
		"IIssss", session_id, db_get_int(&w, 0, 0), r->auth.email,
		evidence_kinds[kind], detail, r->remote_addr) != DB_OK ||
	    db_exec(r->db,
		"INSERT INTO attendance_attempt (window_id, student_email, "
		"evidence) VALUES (?, ?, 1) ON DUPLICATE KEY UPDATE "
		"evidence = LEAST(evidence + 1, 65535)",
		"Is", db_get_int(&w, 0, 0), r->auth.email) != DB_OK ||
	    db_commit(r->db) != DB_OK)
		return jsonio_refuse(result, 503, "db_unavailable",
		    "try again");
	ev = json_pack("{s:I,s:s,s:s,s:s,s:s,s:I}", "session_id",
	    (json_int_t)session_id, "student_email", r->auth.email, "roll_no",
	    db_get(&w, 0, 2), "name", db_get(&w, 0, 3), "kind",
	    evidence_kinds[kind], "at", (json_int_t)clock_wall_ms());
	pubsub_publish(r->cfg,
	    pubsub_user_channel(r->cfg, db_get(&w, 0, 1), r->arena),
	    "attendance.evidence", ev);
	*result =
	    json_pack("{s:I,s:b,s:s}", "session_id", (json_int_t)session_id,
		"recorded", 1, "kind", evidence_kinds[kind]);
	return 200;
}

/* POST /attendance/telemetry {session_id, type, detail?} */
int
attendance_telemetry(struct http_req *r)
{
	json_t *result;
	int status = attendance_evidence_core(r, r->json, &result);

	return reply(r, status, result);
}

/*
 * The length after an snprintf at len that returned m into a buffer of cap
 * bytes; cap once something did not fit, so later writes get no room
 * (size 0) and the caller checks once at the end.
 */
static size_t
qr_advance(size_t cap, size_t len, int m)
{
	if (m < 0 || len >= cap || (size_t)m >= cap - len)
		return cap;
	return len + (size_t)m;
}

/*
 * GET /attendance/qr?session_id=: an SVG QR code of "ehazira:<session>:
 * <otp>" while the window is open, for the app to scan instead of typing.
 */
int
attendance_qr(struct http_req *r)
{
	struct db_rows s, w;
	long long session_id;
	char err[256], text[64], *svg;
	const char *code;
	long every;
	long long next;
	QRcode *qr;
	int rc, x, y, size, margin = 4;
	size_t cap, len;

	if ((session_id = session_param(r, NULL, err, sizeof(err))) == 0)
		return http_reply_error(r, 400, "bad_request", "%s", err);
	if ((rc = teacher_session(r, session_id, &s)) != 0)
		return rc;
	rc = db_query_one(r->db, r->arena, &w,
	    "SELECT otp, window_id FROM attendance_window WHERE session_id = ? "
	    "AND " WINDOW_OPEN,
	    "I", session_id);
	if (rc == DB_NOTFOUND)
		return http_reply_error(r, 409, "no_open_window",
		    "attendance is not open for this session");
	if (rc != DB_OK)
		return 503;
	snprintf(text, sizeof(text), "ehazira:%lld:%s", session_id,
	    db_get(&w, 0, 0));
	if ((code = rotating_now(r, db_get_int(&w, 0, 1), &every, &next)))
		snprintf(text, sizeof(text), "ehazira:%lld:%s", session_id,
		    code);
	if ((qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1)) ==
	    NULL)
		return 500;
	size = qr->width + 2 * margin;
	/* a module is "M<x> <y>h1v1h-1z": at most 10 + 2 * 11 bytes */
	cap = 256 + (size_t)qr->width * (size_t)qr->width * 32;
	if ((svg = arena_alloc(r->arena, cap)) == NULL) {
		QRcode_free(qr);
		return 500;
	}
	len = qr_advance(cap, 0,
	    snprintf(svg, cap,
		"<svg xmlns=\"http://www.w3.org/2000/svg\" "
		"viewBox=\"0 0 %d %d\" shape-rendering=\"crispEdges\">"
		"<rect width=\"100%%\" height=\"100%%\" fill=\"#fff\"/>"
		"<path fill=\"#000\" d=\"",
		size, size));
	for (y = 0; y < qr->width; y++)
		for (x = 0; x < qr->width; x++)
			if (qr->data[y * qr->width + x] & 1)
				len = qr_advance(cap, len,
				    snprintf(svg + len, cap - len,
					"M%d %dh1v1h-1z", x + margin,
					y + margin));
	len =
	    qr_advance(cap, len, snprintf(svg + len, cap - len, "\"/></svg>"));
	QRcode_free(qr);
	if (len >= cap) {
		log_error("qr: the svg outgrew its buffer");
		return 500;
	}
	http_add_header(r, "Cache-Control", "no-store");
	return http_reply_raw(r, 200, "image/svg+xml", svg, len);
}
