/*
 * register.c - the register's teacher actions that are not the live
 * window: a remark on one mark, "mark all remaining present/absent" with
 * one reason, and the settings the dashboard's screens are bound by.
 *
 * Mark-all is one transaction: every remaining student's row, a remark
 * (the reason, unless the mark had one) and an audit row each, committed
 * together; the teacher's screen hears one attendance.submission per
 * student after COMMIT.
 */
#include <stdio.h>
#include <string.h>

#include "attstats.h"
#include "audit.h"
#include "calendar.h"
#include "clock.h"
#include "config.h"
#include "db.h"
#include "jsonio.h"
#include "pubsub.h"
#include "register.h"
#include "scope.h"
#include "window.h"

int
register_teaches_class(struct http_req *r, long long class_id)
{
	struct db_rows t;
	int rc = db_query_one(r->db, r->arena, &t,
	    "SELECT COUNT(*) FROM subject WHERE class_id = ? AND "
	    "teacher_email = ?",
	    "Is", class_id, r->auth.email);

	if (rc != DB_OK)
		return 503;
	if (db_get_int(&t, 0, 0) == 0)
		return http_reply_error(r, 403, "not_your_class",
		    "only a teacher of the class may do this");
	return 0;
}

int
register_calendar_reply(struct http_req *r, int cal_rc)
{
	switch (cal_rc) {
	case CAL_OK:
		return 0;
	case CAL_NOT_FOUND:
		return http_reply_error(r, 404, "not_found",
		    "no such student, class, period or record");
	case CAL_OVERLAP:
		return http_reply_error(r, 409, "leave_overlap",
		    "the student already has leave on some of those days");
	case CAL_OUTSIDE:
		return http_reply_error(r, 422, "outside_class_dates",
		    "the dates are before the student joined or outside the "
		    "class's term");
	case CAL_TAKEN:
		return http_reply_error(r, 409, "session_taken",
		    "attendance was already taken on that day");
	case CAL_DUPLICATE:
		return http_reply_error(r, 409, "duplicate",
		    "that day is already marked");
	case CAL_NOT_PENDING:
		return http_reply_error(r, 409, "already_decided",
		    "the leave was decided already");
	default:
		return 503;
	}
}

int
register_date(struct http_req *r, const char *key, const char **out)
{
	char err[256];
	long day;

	if (jsonio_string(r->json, key, JSONH_REQUIRED, 10, out, err,
		sizeof(err)) < 0)
		return http_reply_error(r, 400, "bad_request", "%s", err);
	if (attstats_parse_date(*out, &day) < 0)
		return http_reply_error(r, 400, "bad_request",
		    "'%s' must be a date YYYY-MM-DD", key);
	return 0;
}

/* The caller's periods, for an extra class on any day. */
static json_t *
own_periods(struct http_req *r)
{
	struct db_rows p;
	json_t *list;
	int i;

	if (db_query(r->db, r->arena, &p,
		"SELECT p.period_id, p.period_no, p.day_of_week, sj.subject_id, "
		"sj.course_id, co.course_name, c.class_id, c.batch, "
		"c.semester, c.section FROM period p "
		"JOIN subject sj ON sj.subject_id = p.subject_id "
		"JOIN course co ON co.course_id = sj.course_id "
		"JOIN class c ON c.class_id = sj.class_id "
		"WHERE sj.teacher_email = ? "
		"ORDER BY sj.course_id, c.class_id, p.day_of_week, p.period_no",
		"s", r->auth.email) != DB_OK)
		return NULL; /* before the list: nothing to free */
	list = json_array();
	for (i = 0; i < p.nrows; i++)
		json_array_append_new(list,
		    json_pack("{s:I,s:I,s:I,s:I,s:s,s:s,s:{s:I,s:s,s:I,s:s}}",
			"period_id", (json_int_t)db_get_int(&p, i, 0),
			"period_no", (json_int_t)db_get_int(&p, i, 1),
			"day_of_week", (json_int_t)db_get_int(&p, i, 2),
			"subject_id", (json_int_t)db_get_int(&p, i, 3),
			"course_id", db_get(&p, i, 4), "course_name",
			db_get(&p, i, 5), "class", "class_id",
			(json_int_t)db_get_int(&p, i, 6), "batch",
			db_get(&p, i, 7), "semester",
			(json_int_t)db_get_int(&p, i, 8), "section",
			db_get(&p, i, 9)));
	return list;
}

/*
 * GET /register/settings: the bounds the dashboard's choices live in,
 * and the caller's periods (an extra class may use any of them).
 */
int
register_settings(struct http_req *r)
{
	const struct config *c = r->cfg;
	json_t *periods = own_periods(r);
	char today[ATTSTATS_DATE_LEN];

	if (periods == NULL)
		return 503;
	attstats_format_date(attstats_today(), today);
	return http_reply_json(r, 200,
	    json_pack("{s:i,s:i,s:i,s:i,s:s,s:[sss],s:s,s:o}", "ttl_default",
		(int)c->otp_ttl, "ttl_min", (int)c->otp_ttl_min, "ttl_max",
		(int)c->otp_ttl_max, "backdate_days", (int)c->backdate_days,
		"leave_counts", c->leave_counts, "leave_kinds", "MEDICAL",
		"DUTY", "OTHER", "today", today, "periods", periods));
}

/*
 * GET /register/day?date=: the caller's sessions on a date, whether or not
 * their period is on that weekday's timetable (extra classes are not).
 */
int
register_day(struct http_req *r)
{
	const char *date = http_query(r, "date");
	struct db_rows s;
	json_t *list;
	long d;
	int i;

	if (date == NULL || attstats_parse_date(date, &d) < 0)
		return http_reply_error(r, 400, "bad_request",
		    "'date' must be YYYY-MM-DD");
	if (db_query(r->db, r->arena, &s,
		"SELECT se.session_id, p.period_id, p.period_no, "
		"p.day_of_week, sj.course_id, c.batch, c.semester, c.section, "
		"se.online, (SELECT COUNT(*) FROM attendance_window w WHERE "
		"  w.session_id = se.session_id AND " WINDOW_OPEN_W "), "
		"COALESCE(tb.name, se.taken_by, t.name) "
		"FROM session se JOIN period p ON p.period_id = se.period_id "
		"JOIN subject sj ON sj.subject_id = p.subject_id "
		"JOIN class c ON c.class_id = sj.class_id "
		"JOIN teacher t ON t.teacher_email = sj.teacher_email "
		"LEFT JOIN teacher tb ON tb.teacher_email = se.taken_by "
		"WHERE se.date = ? AND " SCOPE_TAKES_SQL " "
		"ORDER BY p.period_no, se.session_id",
		"ss", date, r->auth.email) != DB_OK)
		return 503;
	list = json_array();
	for (i = 0; i < s.nrows; i++)
		json_array_append_new(list,
		    json_pack("{s:I,s:I,s:I,s:I,s:s,s:s,s:I,s:s,s:b,s:b,s:s?}",
			"session_id", (json_int_t)db_get_int(&s, i, 0),
			"period_id", (json_int_t)db_get_int(&s, i, 1),
			"period_no", (json_int_t)db_get_int(&s, i, 2),
			"day_of_week", (json_int_t)db_get_int(&s, i, 3),
			"course_id", db_get(&s, i, 4), "batch",
			db_get(&s, i, 5), "semester",
			(json_int_t)db_get_int(&s, i, 6), "section",
			db_get(&s, i, 7), "online", (int)db_get_int(&s, i, 8),
			"open", db_get_int(&s, i, 9) > 0, "taken_by",
			db_get(&s, i, 10)));
	return http_reply_json(r, 200,
	    json_pack("{s:s,s:o}", "date", date, "sessions", list));
}

/* The session the caller teaches: class, date, and whether it is open. */
static int
own_session(struct http_req *r, long long sid, struct db_rows *s)
{
	int rc = db_query_one(r->db, r->arena, s,
	    "SELECT sj.class_id, DATE_FORMAT(se.date, '%Y-%m-%d'), " SCOPE_TAKES_SQL
	    ", (SELECT COUNT(*) FROM attendance_window w "
	    "  WHERE w.session_id = se.session_id AND " WINDOW_OPEN_W ") "
	    "FROM session se JOIN period p ON p.period_id = se.period_id "
	    "JOIN subject sj ON sj.subject_id = p.subject_id "
	    "WHERE se.session_id = ?",
	    "sI", r->auth.email, sid);

	if (rc == DB_NOTFOUND)
		return http_reply_error(r, 404, "session_not_found",
		    "no such session");
	if (rc != DB_OK)
		return 503;
	if (!db_get_int(s, 0, 2))
		return http_reply_error(r, 403, "not_your_session",
		    "only the subject's teacher (or its substitute) may do "
		    "this");
	return 0;
}

/* POST /attendance/remark {session_id, student_email, remark} */
int
register_remark(struct http_req *r)
{
	const char *email = NULL, *remark = NULL;
	struct db_rows s;
	long long sid = 0;
	char err[256];
	int status;

	if (jsonio_int(r->json, "session_id", JSONH_REQUIRED, 1, 4294967295LL,
		&sid, err, sizeof(err)) < 0 ||
	    jsonio_string(r->json, "student_email", JSONH_REQUIRED, 190, &email,
		err, sizeof(err)) < 0 ||
	    jsonio_string(r->json, "remark", JSONH_REQUIRED, 500, &remark, err,
		sizeof(err)) < 0) {
		status = http_reply_error(r, 400, "bad_request", "%s", err);
		goto out;
	}
	if ((status = own_session(r, sid, &s)) != 0)
		goto out;
	status = 503;
	if (db_begin(r->db) != DB_OK ||
	    db_exec(r->db,
		"UPDATE attendance SET remark = ? WHERE session_id = ? AND "
		"student_email = ?",
		"sIs", remark, sid, email) != DB_OK)
		goto out;
	if (db_affected(r->db) == 0) {
		status = http_reply_error(r, 404, "mark_not_found",
		    "the student has no mark in this session");
		goto out;
	}
	if (audit_write_detail(r->db, r->auth.email, "attendance.remark", email,
		NULL, NULL, remark,
		arena_printf(r->arena, "session %lld", sid)) != DB_OK ||
	    db_commit(r->db) != DB_OK)
		goto out;
	status = http_reply_json(r, 200,
	    json_pack("{s:I,s:s,s:s}", "session_id", (json_int_t)sid,
		"student_email", email, "remark", remark));
out:
	return status; /* a transaction left open is rolled back (router.c) */
}

/* One audit row per student marked; all inside the open transaction. */
static int
mark_all_write(struct http_req *r, long long sid, const struct db_rows *st,
    const char *status, const char *reason)
{
	int i;

	for (i = 0; i < st->nrows; i++) {
		if (db_exec(r->db,
			"INSERT INTO attendance (session_id, student_email, "
			"status, source, remark) VALUES (?, ?, ?, 'MANUAL', ?) "
			"ON DUPLICATE KEY UPDATE status = VALUES(status), "
			"source = 'MANUAL', marked_at = NOW(3), "
			"remark = COALESCE(remark, VALUES(remark))",
			"Isss", sid, db_get(st, i, 0), status,
			reason) != DB_OK ||
		    audit_write_detail(r->db, r->auth.email,
			"attendance.manual", db_get(st, i, 0), db_get(st, i, 3),
			status, reason,
			arena_printf(r->arena, "session %lld (mark all)",
			    sid)) != DB_OK)
			return -1;
	}
	return 0;
}

/* After COMMIT: the teacher's screens hear each new mark. */
static void
mark_all_publish(struct http_req *r, long long sid, const struct db_rows *st,
    const char *status)
{
	const char *ch = pubsub_user_channel(r->cfg, r->auth.email, r->arena);
	int i;

	for (i = 0; i < st->nrows; i++)
		pubsub_publish(r->cfg, ch, "attendance.submission",
		    json_pack("{s:I,s:s,s:s,s:s,s:s,s:s?,s:s,s:I}",
			"session_id", (json_int_t)sid, "student_email",
			db_get(st, i, 0), "roll_no", db_get(st, i, 1), "name",
			db_get(st, i, 2), "status", status, "old_status",
			db_get(st, i, 3), "source", "MANUAL", "at",
			(json_int_t)clock_wall_ms()));
}

/*
 * The class's students still without a mark (or with only a timeout
 * absence) in the session, their rows locked; inside the transaction.
 */
static int
mark_all_remaining(struct http_req *r, long long sid, const struct db_rows *s,
    struct db_rows *st)
{
	return db_query(r->db, r->arena, st,
	    "SELECT s.student_email, s.roll_no, s.name, at.status "
	    "FROM student s LEFT JOIN attendance at ON at.session_id = ? AND "
	    "  at.student_email = s.student_email "
	    "WHERE s.class_id = ? AND (s.joined_on IS NULL OR s.joined_on <= ?) "
	    "AND (at.status IS NULL OR (at.status = 'A' AND "
	    "  at.source = 'TIMEOUT')) ORDER BY s.roll_no FOR UPDATE",
	    "IIs", sid, db_get_int(s, 0, 0), db_get(s, 0, 1));
}

/* POST /attendance/mark-all {session_id, status: P|A, reason} */
int
register_mark_all(struct http_req *r)
{
	static const char *const statuses[] = { "P", "A", NULL };
	const char *reason = NULL;
	struct db_rows s, st;
	long long sid = 0;
	char err[256];
	int idx = -1, status;

	if (jsonio_int(r->json, "session_id", JSONH_REQUIRED, 1, 4294967295LL,
		&sid, err, sizeof(err)) < 0 ||
	    jsonio_enum(r->json, "status", JSONH_REQUIRED, statuses, &idx, err,
		sizeof(err)) < 0 ||
	    jsonio_string(r->json, "reason", JSONH_REQUIRED, 500, &reason, err,
		sizeof(err)) < 0) {
		status = http_reply_error(r, 400, "bad_request", "%s", err);
		goto out;
	}
	if ((status = own_session(r, sid, &s)) != 0)
		goto out;
	/* students may still submit: the remaining are known at the end */
	if (db_get_int(&s, 0, 3) > 0) {
		status = http_reply_error(r, 409, "window_open",
		    "close the window before marking the rest");
		goto out;
	}
	status = 503;
	if (db_begin(r->db) != DB_OK ||
	    mark_all_remaining(r, sid, &s, &st) != DB_OK ||
	    mark_all_write(r, sid, &st, statuses[idx], reason) != 0 ||
	    db_commit(r->db) != DB_OK)
		goto out;
	mark_all_publish(r, sid, &st, statuses[idx]);
	status = http_reply_json(r, 200,
	    json_pack("{s:I,s:s,s:i,s:o}", "session_id", (json_int_t)sid,
		"status", statuses[idx], "marked", st.nrows, "totals",
		window_totals(r->db, r->arena, sid)));
out:
	return status;
}
