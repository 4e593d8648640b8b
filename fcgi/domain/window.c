/*
 * window.c - the end of an attendance window, shared by the workers
 * (POST /attendance/close, a stale window found by initiate) and the relay
 * (its expiry timer, and overdue windows after a restart).
 *
 * The database clock decides: a window is open while NOW(3) <= expires_at
 * + grace and it was neither closed nor finalised.  Finalising locks the
 * window row first, so two relays, or a relay and a teacher's close, never
 * mark twice; the loser sees finalized_at set and does nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "config.h"
#include "db.h"
#include "log.h"
#include "notices.h"
#include "pubsub.h"
#include "slowmark.h"
#include "outbox.h"
#include "warnings.h"
#include "window.h"

int
window_new_otp(char out[5])
{
	unsigned int v;

	/* Reject the top of the range so every code is equally likely. */
	do {
		if (crypto_random(&v, sizeof(v)) < 0)
			return -1;
	} while (v >= 4294960000u);
	snprintf(out, 5, "%04u", v % 10000u);
	return 0;
}

json_t *
window_totals(struct db *db, struct arena *a, long long session_id)
{
	struct db_rows rows;

	if (db_query_one(db, a, &rows,
		"SELECT SUM(at.status = 'P'), SUM(at.status = 'A'), "
		"SUM(at.status = 'R'), SUM(at.status IS NULL), COUNT(*) "
		"FROM session se "
		"JOIN period p ON p.period_id = se.period_id "
		"JOIN subject sj ON sj.subject_id = p.subject_id "
		"JOIN student s ON s.class_id = sj.class_id "
		"  AND (s.joined_on IS NULL OR s.joined_on <= se.date) "
		"LEFT JOIN attendance at ON at.session_id = se.session_id "
		"  AND at.student_email = s.student_email "
		"WHERE se.session_id = ?",
		"I", session_id) != DB_OK)
		return NULL;
	return json_pack("{s:I,s:I,s:I,s:I,s:I}", "present",
	    (json_int_t)db_get_int(&rows, 0, 0), "absent",
	    (json_int_t)db_get_int(&rows, 0, 1), "flagged",
	    (json_int_t)db_get_int(&rows, 0, 2), "pending",
	    (json_int_t)db_get_int(&rows, 0, 3), "total",
	    (json_int_t)db_get_int(&rows, 0, 4));
}

/* An outbox message for one notice; malloc'd JSON or NULL. */
static char *
notice(const char *title, const char *body, const char *type,
    long long session_id)
{
	json_t *m = json_pack("{s:{s:s,s:s},s:{s:s,s:o}}", "notification",
	    "title", title, "body", body, "data", "type", type, "session_id",
	    json_sprintf("%lld", session_id));
	char *s = json_dumps(m, JSON_COMPACT | JSON_SORT_KEYS);

	json_decref(m);
	return s;
}

/*
 * Notices for the relay: who was marked absent or flagged in this window,
 * each in the language of the device it goes to (device.lang; notices.c).
 */
static int
queue_notices(struct db *db, long long session_id, const char *opened_at,
    const char *course)
{
	char collapse[48], *absent[NOTICES_LANGS], *flagged[NOTICES_LANGS];
	int rc = DB_ERR, i, ok = 1;

	snprintf(collapse, sizeof(collapse), "session-%lld", session_id);
	for (i = 0; i < NOTICES_LANGS; i++) {
		absent[i] =
		    notice(notices_text(notices_langs[i], NOTICE_ABSENT_TITLE),
			course, "attendance.absent", session_id);
		flagged[i] =
		    notice(notices_text(notices_langs[i], NOTICE_FLAGGED_TITLE),
			course, "attendance.flagged", session_id);
		ok = ok && absent[i] && flagged[i];
	}
	/* ELT(FIELD(lang, 'hi', 'ur') + 1, en, hi, ur): English otherwise */
	if (ok)
		rc = db_exec(db,
		    "INSERT INTO outbox (kind, device_id, collapse_key, "
		    "payload, expires_at) "
		    "SELECT IF(at.status = 'A', 'push.absent', "
		    "'push.flagged'), d.device_id, ?, IF(at.status = 'A', "
		    "ELT(FIELD(d.lang, 'hi', 'ur') + 1, ?, ?, ?), "
		    "ELT(FIELD(d.lang, 'hi', 'ur') + 1, ?, ?, ?)), "
		    "NOW(3) + INTERVAL 1 DAY "
		    "FROM attendance at JOIN device d ON d.user_email = "
		    "at.student_email AND d.active = 1 "
		    "WHERE at.session_id = ? AND at.marked_at >= ? "
		    "AND ((at.status = 'A' AND at.source = 'TIMEOUT') OR "
		    "(at.status = 'R' AND at.source = 'OTP'))",
		    "sssssssIs", collapse, absent[0], absent[1], absent[2],
		    flagged[0], flagged[1], flagged[2], session_id, opened_at);
	for (i = 0; i < NOTICES_LANGS; i++) {
		free(absent[i]);
		free(flagged[i]);
	}
	return rc;
}

/*
 * Every student of the class with no mark yet for the session: A, not
 * counted yet (finalized_at's trigger counts the session's marks) and with
 * the student's number, so the insert trigger looks nothing up.
 */
static int
mark_absent(struct db *db, long long class_id, long long session_id)
{
	return db_exec(db,
	    "INSERT INTO attendance (session_id, student_email, status, source, "
	    "student_no, tallied) "
	    "SELECT se.session_id, s.student_email, 'A', 'TIMEOUT', "
	    "s.student_no, NULL "
	    "FROM session se JOIN student s ON s.class_id = ? "
	    "  AND (s.joined_on IS NULL OR s.joined_on <= se.date) "
	    "WHERE se.session_id = ? AND NOT EXISTS (SELECT 1 FROM attendance "
	    "  at WHERE at.session_id = se.session_id "
	    "  AND at.student_email = s.student_email)",
	    "II", class_id, session_id);
}

int
window_finalize(struct db *db, struct arena *a, const struct config *cfg,
    long long window_id, int *closed)
{
	struct db_rows w;
	long long session_id, class_id;
	const char *teacher, *course, *opened_at;
	json_t *totals, *ev;
	int rc;

	*closed = 0;
	if ((rc = db_begin(db)) != DB_OK)
		return rc;
	rc = db_query_one(db, a, &w,
	    "SELECT w.session_id, w.finalized_at IS NOT NULL, sj.class_id, "
	    "COALESCE(se.taken_by, sj.teacher_email), "
	    "CONCAT(co.course_id, ' ', co.course_name), "
	    "w.round, DATE_FORMAT(w.opened_at, '%Y-%m-%d %H:%i:%s.%f') "
	    "FROM attendance_window w "
	    "JOIN session se ON se.session_id = w.session_id "
	    "JOIN period p ON p.period_id = se.period_id "
	    "JOIN subject sj ON sj.subject_id = p.subject_id "
	    "JOIN course co ON co.course_id = sj.course_id "
	    "WHERE w.window_id = ? FOR UPDATE",
	    "I", window_id);
	if (rc != DB_OK)
		goto fail;
	if (db_get_int(&w, 0, 1)) {
		db_rollback(db);
		return DB_OK;
	}
	session_id = db_get_int(&w, 0, 0);
	class_id = db_get_int(&w, 0, 2);
	teacher = db_get(&w, 0, 3);
	course = db_get(&w, 0, 4);
	opened_at = db_get(&w, 0, 6);
	if ((rc = mark_absent(db, class_id, session_id)) != DB_OK)
		goto fail;
	/* the window's slow ones, now that all its submissions are in */
	if ((rc = slowmark_window(db, a, window_id, session_id, opened_at)) !=
	    DB_OK)
		goto fail;
	rc = db_exec(db,
	    "UPDATE attendance_window SET finalized_at = NOW(3), "
	    "closed_at = COALESCE(closed_at, LEAST(NOW(3), expires_at + "
	    "INTERVAL grace_ms * 1000 MICROSECOND)) WHERE window_id = ?",
	    "I", window_id);
	if (rc != DB_OK) /* its trigger counts the marks (migration 025) */
		goto fail;
	if ((rc = queue_notices(db, session_id, opened_at, course)) != DB_OK)
		goto fail;
	if ((rc = db_commit(db)) != DB_OK)
		goto fail;
	*closed = 1;
	log_info("window %lld of session %lld finalised", window_id,
	    session_id);
	totals = window_totals(db, a, session_id);
	ev = json_pack("{s:I,s:I,s:I,s:O?}", "session_id",
	    (json_int_t)session_id, "window_id", (json_int_t)window_id, "round",
	    (json_int_t)db_get_int(&w, 0, 5), "totals", totals);
	pubsub_publish(cfg, pubsub_user_channel(cfg, teacher, a),
	    "attendance.closed", json_deep_copy(ev));
	pubsub_publish(cfg, pubsub_class_channel(class_id, a),
	    "attendance.closed", ev);
	json_decref(totals);
	/* Who fell below the threshold with this session: one notice each. */
	warnings_after_session(db, a, cfg, session_id);
	outbox_wake(cfg);
	return DB_OK;
fail:
	db_rollback(db);
	return rc;
}

int
window_finalize_due(struct db *db, struct arena *a, const struct config *cfg,
    long long *next_ms)
{
	struct db_rows rows;
	int i, done = 0, closed;

	*next_ms = 0;
	if (db_query(db, a, &rows,
		"SELECT window_id, NOT (" WINDOW_OPEN "), "
		"FLOOR(UNIX_TIMESTAMP(expires_at + INTERVAL grace_ms * 1000 "
		"MICROSECOND) * 1000) "
		"FROM attendance_window WHERE finalized_at IS NULL "
		"ORDER BY expires_at LIMIT 200",
		"") != DB_OK)
		return -1;
	for (i = 0; i < rows.nrows; i++) {
		if (!db_get_int(&rows, i, 1)) {
			if (*next_ms == 0 || db_get_int(&rows, i, 2) < *next_ms)
				*next_ms = db_get_int(&rows, i, 2);
			continue;
		}
		if (window_finalize(db, a, cfg, db_get_int(&rows, i, 0),
			&closed) != DB_OK)
			return -1;
		done += closed;
	}
	return done;
}
