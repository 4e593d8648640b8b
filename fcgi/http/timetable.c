/*
 * timetable.c - GET /timetable?date= lists the caller's periods of a day
 * (a teacher's subjects, a student's class) with the session and window
 * state, so a screen can offer "Start attendance" or show the result; GET
 * /attendance/open lists a student's windows open right now, for a page
 * that (re)loads after attendance.started went by.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "db.h"
#include "timetable.h"
#include "window.h"

static int
parse_date(const char *s, struct tm *tm)
{
	const char *end;

	memset(tm, 0, sizeof(*tm));
	if (strlen(s) != 10 || (end = strptime(s, "%Y-%m-%d", tm)) == NULL ||
	    *end != '\0')
		return -1;
	tm->tm_isdst = -1;
	tm->tm_hour = 12;
	return mktime(tm) == (time_t)-1 ? -1 : 0;
}

/* One period of the day's timetable, as the app shows it. */
static json_t *
period_json(const struct db_rows *rows, int i, const char *me)
{
	json_t *p = json_pack("{s:I,s:I,s:s?,s:s?,s:I,s:s,s:s,s:{s:I,"
			      "s:s,s:I,s:s},s:s,s:b}",
	    "period_id", (json_int_t)db_get_int(rows, i, 0), "period_no",
	    (json_int_t)db_get_int(rows, i, 1), "start_time",
	    db_get(rows, i, 2), "end_time", db_get(rows, i, 3), "subject_id",
	    (json_int_t)db_get_int(rows, i, 4), "course_id", db_get(rows, i, 5),
	    "course_name", db_get(rows, i, 6), "class", "class_id",
	    (json_int_t)db_get_int(rows, i, 7), "batch", db_get(rows, i, 8),
	    "semester", (json_int_t)db_get_int(rows, i, 9), "section",
	    db_get(rows, i, 10), "teacher", db_get(rows, i, 11), "open",
	    db_get_int(rows, i, 13) > 0);

	if (db_get(rows, i, 12))
		json_object_set_new(p, "session_id",
		    json_integer(db_get_int(rows, i, 12)));
	if (db_get(rows, i, 14))
		json_object_set_new(p, "my_status",
		    json_string(db_get(rows, i, 14)));
	/* another teacher takes it that day (substitute.c) */
	if (db_get(rows, i, 15))
		json_object_set_new(p, "substitute",
		    json_pack("{s:s,s:s?,s:b}", "email", db_get(rows, i, 15),
			"name", db_get(rows, i, 16), "me",
			strcmp(db_get(rows, i, 15), me) == 0));
	return p;
}

int
timetable_get(struct http_req *r)
{
	const char *date = http_query(r, "date");
	char today[11], hhmm[6];
	struct tm tm;
	struct db_rows rows;
	time_t now = time(NULL);
	json_t *periods;
	int dow, rc, i;

	/* the college's date and time (TIMEZONE): the pages offer Start and
	 * mark the running period by these, not by the device's clock */
	localtime_r(&now, &tm);
	strftime(today, sizeof(today), "%Y-%m-%d", &tm);
	strftime(hhmm, sizeof(hhmm), "%H:%M", &tm);
	if (date == NULL || *date == '\0')
		date = today;
	if (parse_date(date, &tm) < 0)
		return http_reply_error(r, 400, "bad_request",
		    "'date' must be YYYY-MM-DD");
	dow = tm.tm_wday == 0 ? 7 : tm.tm_wday; /* 1 = Monday */
	rc = db_query(r->db, r->arena, &rows,
	    "SELECT p.period_id, p.period_no, TIME_FORMAT(p.start_time, "
	    "'%H:%i'), TIME_FORMAT(p.end_time, '%H:%i'), sj.subject_id, "
	    "co.course_id, co.course_name, c.class_id, c.batch, c.semester, "
	    "c.section, t.name, se.session_id, "
	    "(SELECT COUNT(*) FROM attendance_window w WHERE w.session_id = "
	    "  se.session_id AND " WINDOW_OPEN_W "), "
	    "(SELECT a.status FROM attendance a WHERE a.session_id = "
	    "  se.session_id AND a.student_email = ?), "
	    "sb.teacher_email, sbt.name "
	    "FROM period p JOIN subject sj ON sj.subject_id = p.subject_id "
	    "JOIN course co ON co.course_id = sj.course_id "
	    "JOIN class c ON c.class_id = sj.class_id "
	    "JOIN teacher t ON t.teacher_email = sj.teacher_email "
	    "LEFT JOIN session se ON se.period_id = p.period_id AND "
	    "  se.date = ? "
	    "LEFT JOIN substitute sb ON sb.period_id = p.period_id AND "
	    "  sb.date = ? "
	    "LEFT JOIN teacher sbt ON sbt.teacher_email = sb.teacher_email "
	    "WHERE (p.day_of_week = ? AND (sj.teacher_email = ? OR "
	    "  sj.class_id = (SELECT class_id FROM student WHERE "
	    "  student_email = ?))) OR sb.teacher_email = ? "
	    "ORDER BY p.period_no, c.section",
	    "sssisss", r->auth.email, date, date, dow, r->auth.email,
	    r->auth.email, r->auth.email);
	if (rc != DB_OK)
		return 503;
	periods = json_array();
	for (i = 0; i < rows.nrows; i++)
		json_array_append_new(periods,
		    period_json(&rows, i, r->auth.email));
	return http_reply_json(r, 200,
	    json_pack("{s:s,s:i,s:s,s:s,s:o}", "date", date, "day_of_week", dow,
		"today", today, "now", hhmm, "periods", periods));
}

int
timetable_open_windows(struct http_req *r)
{
	struct db_rows rows;
	json_t *open;
	int rc, i;

	rc = db_query(r->db, r->arena, &rows,
	    "SELECT w.session_id, w.window_id, w.round, "
	    "FLOOR(UNIX_TIMESTAMP(w.expires_at) * 1000), co.course_id, "
	    "co.course_name, p.period_no, "
	    "(SELECT a.status FROM attendance a WHERE a.session_id = "
	    "  w.session_id AND a.student_email = st.student_email), "
	    "COALESCE((SELECT aa.wrong FROM attendance_attempt aa WHERE "
	    "  aa.window_id = w.window_id AND aa.student_email = "
	    "  st.student_email), 0), FLOOR(UNIX_TIMESTAMP(NOW(3)) * 1000), "
	    /* the app asks for the position (with consent) only then */
	    "COALESCE(w.geofence_radius, 0) > 0 "
	    "FROM student st JOIN subject sj ON sj.class_id = st.class_id "
	    "JOIN course co ON co.course_id = sj.course_id "
	    "JOIN period p ON p.subject_id = sj.subject_id "
	    "JOIN session se ON se.period_id = p.period_id "
	    "JOIN attendance_window w ON w.session_id = se.session_id "
	    "WHERE st.student_email = ? AND " WINDOW_OPEN_W " "
	    "ORDER BY w.expires_at",
	    "s", r->auth.email);
	if (rc != DB_OK)
		return 503;
	open = json_array();
	for (i = 0; i < rows.nrows; i++)
		json_array_append_new(open,
		    json_pack("{s:I,s:I,s:I,s:I,s:s,s:s,s:I,s:s?,s:I,s:I,s:b}",
			"session_id", (json_int_t)db_get_int(&rows, i, 0),
			"window_id", (json_int_t)db_get_int(&rows, i, 1),
			"round", (json_int_t)db_get_int(&rows, i, 2),
			"expires_at", (json_int_t)db_get_int(&rows, i, 3),
			"course_id", db_get(&rows, i, 4), "course_name",
			db_get(&rows, i, 5), "period_no",
			(json_int_t)db_get_int(&rows, i, 6), "my_status",
			db_get(&rows, i, 7), "wrong",
			(json_int_t)db_get_int(&rows, i, 8), "server_time",
			(json_int_t)db_get_int(&rows, i, 9), "geofence",
			(int)db_get_int(&rows, i, 10)));
	return http_reply_json(r, 200, json_pack("{s:o}", "open", open));
}
