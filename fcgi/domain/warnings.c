/*
 * warnings.c - low-attendance warnings: the flag per (student, subject)
 * and the one notice when a student crosses below the threshold.  Called
 * by the relay after a window is finalised and by the admin CLI (cron);
 * uses the same counting rules as the reports (reports/report.h).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "attstats.h"
#include "config.h"
#include "db.h"
#include "guardian.h"
#include "log.h"
#include "notices.h"
#include "outbox.h"
#include "warnings.h"

/* Queues the notice to every active device of the student. */
static int
queue_warning(struct db *db, struct arena *a, const char *email,
    long long subject_id, const char *course, int held, int present, long thr)
{
	struct db_rows devs;
	char key[32], sid[24], pct[16], th[16];
	double p = attstats_percent(present, held);
	const char *lang;
	json_t *msg;
	int rc, i;

	rc = db_query(db, a, &devs,
	    "SELECT device_id, lang FROM device WHERE user_email = ? "
	    "AND role = 'student' AND active = 1 AND approval = 'ACTIVE'",
	    "s", email);
	if (rc != DB_OK)
		return rc;
	snprintf(key, sizeof(key), "low-%lld", subject_id);
	snprintf(sid, sizeof(sid), "%lld", subject_id);
	snprintf(pct, sizeof(pct), "%.1f", p);
	snprintf(th, sizeof(th), "%ld", thr);
	for (i = 0; i < devs.nrows; i++) {
		/* in the device's language (notices.c) */
		lang = db_get(&devs, i, 1);
		msg = json_pack("{s:{s:s,s:s},s:{s:s,s:s,s:s,s:s,s:s}}",
		    "notification", "title",
		    notices_text(lang, NOTICE_LOW_TITLE), "body",
		    notices_fill(a, notices_text(lang, NOTICE_LOW_BODY),
			"course", course ? course : "-", "percent", pct,
			"threshold", th, (char *)NULL),
		    "data", "kind", "low_attendance", "subject_id", sid,
		    "course_name", course ? course : "", "percent", pct,
		    "threshold", th);
		/* a warning stays worth reading for a few days */
		rc = outbox_add(db, "push.low_attendance",
		    db_get_int(&devs, i, 0), key, msg,
		    ((long long)time(NULL) + 3 * 86400) * 1000);
		if (rc != DB_OK)
			return rc;
	}
	return DB_OK;
}

/* One flip in its own transaction; *flipped is 1 if this run made it. */
static int
record_crossing(struct db *db, struct arena *a, const struct config *cfg,
    const char *email, long long subject_id, int below, const char *course,
    int held, int present, long thr, int *flipped)
{
	char pct[16];
	int rc;

	*flipped = 0;
	if ((rc = db_begin(db)) != DB_OK)
		return rc;
	rc = db_exec(db,
	    "INSERT IGNORE INTO attendance_warning (student_email, subject_id, "
	    "below) VALUES (?, ?, 0)",
	    "sI", email, subject_id);
	if (rc != DB_OK)
		goto fail;
	/* conditional: of two concurrent checks only one changes the row */
	rc = db_exec(db,
	    "UPDATE attendance_warning SET below = ?, changed_at = NOW(3), "
	    "crossings = crossings + ? "
	    "WHERE student_email = ? AND subject_id = ? AND below = ?",
	    "iisIi", below, below, email, subject_id, !below);
	if (rc != DB_OK)
		goto fail;
	if (db_affected(db) == 1) {
		*flipped = 1;
		if (below &&
		    (rc = queue_warning(db, a, email, subject_id, course, held,
			 present, thr)) != DB_OK)
			goto fail;
		snprintf(pct, sizeof(pct), "%.1f",
		    attstats_percent(present, held));
		/* the guardian's e-mail, when on (guardian.c) */
		if (below &&
		    (rc = guardian_notice(db, a, cfg, email, subject_id, course,
			 pct, thr)) != DB_OK)
			goto fail;
	}
	return db_commit(db);
fail:
	db_rollback(db);
	*flipped = 0;
	return rc;
}

int
warnings_check(struct db *db, struct arena *a, const struct config *cfg,
    long long subject_id, int *flipped_down)
{
	struct db_rows rows;
	char from_s[ATTSTATS_DATE_LEN], to_s[ATTSTATS_DATE_LEN];
	long today = attstats_today(), days = cfg->report_days, thr;
	int rc, i, held, present, was, now, flipped, n = 0;

	thr = attstats_threshold(cfg->at_risk_percent);
	days = days < 1 ? 1 : days > 400 ? 400 : days;
	attstats_format_date(today - days, from_s);
	attstats_format_date(today, to_s);
	/*
	 * Every counted mark in scope, grouped per (student, subject), with
	 * the flag as it stands and the absences on approved leave (E in the
	 * reports); the same counting rules as the reports (report.h).
	 */
	rc = db_query(db, a, &rows,
	    "SELECT st.student_email, p.subject_id, COUNT(*), "
	    "SUM(a.status = 'P'), COALESCE(MAX(w.below), 0), "
	    "MAX(co.course_name), "
	    "SUM(a.status = 'A' AND EXISTS (SELECT 1 FROM student_leave l "
	    "  WHERE l.student_email = a.student_email AND l.state = "
	    "  'APPROVED' AND se.date BETWEEN l.from_date AND l.to_date)) "
	    "FROM attendance a JOIN session se ON se.session_id = a.session_id "
	    "JOIN period p ON p.period_id = se.period_id "
	    "JOIN student st ON st.student_email = a.student_email "
	    "JOIN subject sj ON sj.subject_id = p.subject_id "
	    "AND sj.class_id = st.class_id "
	    "JOIN course co ON co.course_id = sj.course_id "
	    "LEFT JOIN attendance_warning w ON w.student_email = "
	    "st.student_email AND w.subject_id = p.subject_id "
	    "WHERE se.date BETWEEN ? AND ? "
	    "AND (st.joined_on IS NULL OR se.date >= st.joined_on) "
	    "AND (? = 0 OR p.subject_id = ?) "
	    "GROUP BY st.student_email, p.subject_id",
	    "ssII", from_s, to_s, subject_id, subject_id);
	if (rc != DB_OK)
		return rc;
	for (i = 0; i < rows.nrows; i++) {
		held = (int)db_get_int(&rows, i, 2);
		present = (int)db_get_int(&rows, i, 3);
		/* excused absences: out of held unless LEAVE_COUNTS=absent */
		if (strcmp(cfg->leave_counts, "absent") != 0)
			held -= (int)db_get_int(&rows, i, 6);
		was = db_get_int(&rows, i, 4) != 0;
		/* One missed class is not a trend: warn from the third on. */
		now = held >= WARNINGS_MIN_HELD &&
		    attstats_below(present, held, thr);
		if (was == now)
			continue;
		rc = record_crossing(db, a, cfg, db_get(&rows, i, 0),
		    db_get_int(&rows, i, 1), now, db_get(&rows, i, 5), held,
		    present, thr, &flipped);
		if (rc != DB_OK) {
			log_error("reports: warning flip failed for %s/%lld",
			    db_get(&rows, i, 0), db_get_int(&rows, i, 1));
			return rc;
		}
		if (flipped && now)
			n++;
	}
	if (flipped_down)
		*flipped_down = n;
	return DB_OK;
}

int
warnings_after_session(struct db *db, struct arena *a, const struct config *cfg,
    long long session_id)
{
	struct db_rows rows;
	int rc, n = 0;

	rc = db_query_one(db, a, &rows,
	    "SELECT p.subject_id FROM session se JOIN period p "
	    "ON p.period_id = se.period_id WHERE se.session_id = ?",
	    "I", session_id);
	if (rc == DB_OK)
		rc = warnings_check(db, a, cfg, db_get_int(&rows, 0, 0), &n);
	if (rc != DB_OK)
		log_error("reports: warnings after session %lld failed (%d)",
		    session_id, rc);
	else if (n)
		log_info("reports: %d low-attendance warning(s) after session "
			 "%lld",
		    n, session_id);
	return rc;
}
