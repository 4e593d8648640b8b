/*
 * calendar.c - leave records, holidays and cancelled classes: the rules
 * that keep them consistent with each other and with the sessions already
 * taken.  Each writer is one transaction that locks what its check reads
 * (the student row for leave, the sessions of the day for a holiday), so
 * a refusal leaves nothing half-written and two racing writers cannot
 * both pass.  Reports read the records (reportbuild.c); initiate refuses
 * a session on a day without class (attendance.c).
 */
#include <stdio.h>
#include <string.h>

#include "attstats.h"
#include "audit.h"
#include "calendar.h"

const char *const calendar_leave_kinds[] = { "MEDICAL", "DUTY", "OTHER", NULL };
const char *const calendar_leave_states[] = { "PENDING", "APPROVED", "REJECTED",
	NULL };

/* Maps a failed statement to CAL_DB after rolling back. */
static int
failed(struct db *db)
{
	db_rollback(db);
	return CAL_DB;
}

/* The student's first and last allowed day: joined_on / term dates. */
static int
leave_bounds(struct db *db, struct arena *a, const char *email,
    struct db_rows *st)
{
	int rc = db_query_one(db, a, st,
	    "SELECT DATE_FORMAT(GREATEST(COALESCE(s.joined_on, '1900-01-01'), "
	    "  COALESCE(c.term_start, '1900-01-01')), '%Y-%m-%d'), "
	    "DATE_FORMAT(COALESCE(c.term_end, '9999-12-31'), '%Y-%m-%d') "
	    "FROM student s JOIN class c ON c.class_id = s.class_id "
	    "WHERE s.student_email = ? FOR UPDATE",
	    "s", email);

	if (rc == DB_NOTFOUND)
		return CAL_NOT_FOUND;
	return rc == DB_OK ? CAL_OK : CAL_DB;
}

int
calendar_leave_add(struct db *db, struct arena *a,
    const struct calendar_leave *l, long long *id)
{
	struct db_rows st, ov;
	int rc;

	if (db_begin(db) != DB_OK)
		return CAL_DB;
	if ((rc = leave_bounds(db, a, l->student_email, &st)) != CAL_OK)
		goto undo;
	rc = CAL_OUTSIDE;
	if (strcmp(l->from, db_get(&st, 0, 0)) < 0 ||
	    strcmp(l->to, db_get(&st, 0, 1)) > 0 || strcmp(l->from, l->to) > 0)
		goto undo;
	/* a rejected application does not block a new one */
	if (db_query(db, a, &ov,
		"SELECT leave_id FROM student_leave WHERE student_email = ? "
		"AND state <> 'REJECTED' AND from_date <= ? AND to_date >= ?",
		"sss", l->student_email, l->to, l->from) != DB_OK)
		return failed(db);
	rc = CAL_OVERLAP;
	if (ov.nrows > 0)
		goto undo;
	if (db_exec(db,
		"INSERT INTO student_leave (student_email, kind, from_date, "
		"to_date, reason, state, entered_by, decided_by, decided_at) "
		"VALUES (?, ?, ?, ?, ?, ?, ?, IF(? = 'APPROVED', ?, NULL), "
		"IF(? = 'APPROVED', NOW(3), NULL))",
		"ssssssssss", l->student_email, l->kind, l->from, l->to,
		l->reason, l->state, l->entered_by, l->state, l->entered_by,
		l->state) != DB_OK)
		return failed(db);
	*id = db_insert_id(db);
	if (audit_write_detail(db, l->entered_by, "leave.add", l->student_email,
		NULL, l->state, l->reason,
		arena_printf(a, "leave %lld %s %s..%s", *id, l->kind, l->from,
		    l->to)) != DB_OK ||
	    db_commit(db) != DB_OK)
		return failed(db);
	return CAL_OK;
undo:
	db_rollback(db);
	return rc;
}

int
calendar_leave_decide(struct db *db, struct arena *a, long long id, int approve,
    const char *by)
{
	const char *state = approve ? "APPROVED" : "REJECTED";
	struct db_rows l;
	int rc;

	if (db_begin(db) != DB_OK)
		return CAL_DB;
	rc = db_query_one(db, a, &l,
	    "SELECT student_email, state FROM student_leave "
	    "WHERE leave_id = ? FOR UPDATE",
	    "I", id);
	if (rc != DB_OK) {
		db_rollback(db);
		return rc == DB_NOTFOUND ? CAL_NOT_FOUND : CAL_DB;
	}
	if (strcmp(db_get(&l, 0, 1), "PENDING") != 0) {
		db_rollback(db);
		return CAL_NOT_PENDING;
	}
	if (db_exec(db,
		"UPDATE student_leave SET state = ?, decided_by = ?, "
		"decided_at = NOW(3) WHERE leave_id = ?",
		"ssI", state, by, id) != DB_OK ||
	    audit_write_detail(db, by, "leave.decide", db_get(&l, 0, 0),
		"PENDING", state, NULL,
		arena_printf(a, "leave %lld", id)) != DB_OK ||
	    db_commit(db) != DB_OK)
		return failed(db);
	return CAL_OK;
}

/*
 * Sessions in the new record's scope that were taken that day (a window
 * opened or a mark made), and duplicates of the record; inside the
 * transaction, the day's session rows locked.
 */
static int
noclass_check(struct db *db, struct arena *a, const struct calendar_noclass *n)
{
	struct db_rows t;

	if (db_query_one(db, a, &t,
		"SELECT COUNT(*) FROM session se "
		"JOIN period p ON p.period_id = se.period_id "
		"JOIN subject sj ON sj.subject_id = p.subject_id "
		"WHERE se.date = ? AND (? = 0 OR p.period_id = ?) "
		"AND (? = 0 OR sj.class_id = ?) AND (EXISTS (SELECT 1 FROM "
		"attendance_window w WHERE w.session_id = se.session_id) OR "
		"EXISTS (SELECT 1 FROM attendance at WHERE at.session_id = "
		"se.session_id)) FOR UPDATE",
		"sIIII", n->date, n->period_id, n->period_id, n->class_id,
		n->class_id) != DB_OK)
		return CAL_DB;
	if (db_get_int(&t, 0, 0) > 0)
		return CAL_TAKEN;
	if (db_query_one(db, a, &t,
		"SELECT COUNT(*) FROM no_class WHERE date = ? AND "
		"COALESCE(class_id, 0) = ? AND COALESCE(period_id, 0) = ?",
		"sII", n->date, n->class_id, n->period_id) != DB_OK)
		return CAL_DB;
	return db_get_int(&t, 0, 0) > 0 ? CAL_DUPLICATE : CAL_OK;
}

int
calendar_noclass_add(struct db *db, struct arena *a,
    const struct calendar_noclass *n, long long *id)
{
	const char *kind = n->period_id > 0 ? "CANCELLED" : "HOLIDAY";
	int rc;

	if (db_begin(db) != DB_OK)
		return CAL_DB;
	if ((rc = noclass_check(db, a, n)) != CAL_OK) {
		db_rollback(db);
		return rc;
	}
	rc = db_exec(db,
	    "INSERT INTO no_class (date, kind, class_id, period_id, reason, "
	    "created_by) VALUES (?, ?, NULLIF(?, 0), NULLIF(?, 0), ?, ?)",
	    "ssIIss", n->date, kind, n->period_id > 0 ? 0 : n->class_id,
	    n->period_id, n->reason, n->created_by);
	if (rc == DB_FK) {
		db_rollback(db);
		return CAL_NOT_FOUND;
	}
	if (rc != DB_OK)
		return failed(db);
	*id = db_insert_id(db);
	if (audit_write_detail(db, n->created_by, "calendar.no_class", n->date,
		NULL, kind, n->reason,
		arena_printf(a, "class %lld period %lld", n->class_id,
		    n->period_id)) != DB_OK ||
	    db_commit(db) != DB_OK)
		return failed(db);
	return CAL_OK;
}

int
calendar_noclass_find(struct db *db, struct arena *a, long long period_id,
    const char *date, const char **kind, const char **reason)
{
	struct db_rows nc;
	int rc = db_query_one(db, a, &nc,
	    "SELECT nc.kind, nc.reason FROM period p "
	    "JOIN subject sj ON sj.subject_id = p.subject_id "
	    "JOIN no_class nc ON nc.date = ? AND (nc.period_id = p.period_id "
	    "  OR (nc.kind = 'HOLIDAY' AND (nc.class_id IS NULL OR "
	    "  nc.class_id = sj.class_id))) "
	    "WHERE p.period_id = ? ORDER BY nc.kind DESC LIMIT 1",
	    "sI", date, period_id);

	if (rc == DB_OK) {
		*kind = db_get(&nc, 0, 0);
		*reason = db_get(&nc, 0, 1);
	}
	return rc;
}

long
calendar_days_back(const char *today, const char *date)
{
	long t, d;

	if (attstats_parse_date(today, &t) < 0 ||
	    attstats_parse_date(date, &d) < 0)
		return -100000;
	return t - d;
}
