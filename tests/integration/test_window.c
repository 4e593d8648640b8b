/*
 * test_window.c - the end of a window (fcgi/domain/window.c) called as
 * the relay and the close handler call it, against the real database:
 * absentees marked once, marks kept, notices queued in each device's
 * language, a second finalisation a no-op, the overdue sweep, the totals;
 * and the codes a window is opened with.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "it.h"
#include "itclass.h"
#include "window.h"

/* The class's open window, kept open an hour (the relay leaves it). */
static long long
open_window(struct it_class *k, long long *sid)
{
	char otp[5];

	*sid = it_class_initiate(k, otp);
	cr_assert_eq(it_sql("UPDATE attendance_window SET expires_at = NOW(3) "
			    "+ INTERVAL 1 HOUR WHERE session_id = ? AND "
			    "finalized_at IS NULL",
			 "I", *sid),
	    DB_OK);
	return it_sql_int("SELECT window_id FROM session WHERE session_id = ?",
	    "I", *sid);
}

/* A submit's mark, written as any writer that names no tally would. */
static void
mark(long long sid, const char *email, const char *status)
{
	cr_assert_eq(it_sql("INSERT INTO attendance (session_id, "
			    "student_email, status, source) VALUES (?, ?, ?, "
			    "'OTP')",
			 "Iss", sid, email, status),
	    DB_OK);
}

static long long
rows_of(long long sid, const char *status, const char *source)
{
	return it_sql_int("SELECT COUNT(*) FROM attendance WHERE session_id = "
			  "? AND status = ? AND source = ?",
	    "Iss", sid, status, source);
}

Test(window, finalising_marks_the_rest_absent_once_and_tells_them)
{
	struct it_class k;
	long long sid, wid;
	int closed = -1;
	json_t *t;

	IT_REQUIRE_STACK();
	it_class_make(&k, "fin", 4, "ANDROID");
	wid = open_window(&k, &sid);
	mark(sid, k.students[0], "P");
	mark(sid, k.students[1], "R");
	cr_assert_eq(it_sql("UPDATE device SET lang = 'hi' WHERE device_id = ?",
			 "I", k.devices[2]),
	    DB_OK);
	cr_assert_eq(window_finalize(it_db(), it_arena(), it_config(), wid,
			 &closed),
	    DB_OK);
	cr_assert_eq(closed, 1);
	cr_assert_eq(rows_of(sid, "A", "TIMEOUT"), 2, "the two unmarked");
	cr_assert_eq(rows_of(sid, "P", "OTP"), 1, "the mark stays");
	cr_assert_eq(it_sql_int("SELECT finalized_at IS NOT NULL AND "
				"closed_at <= NOW(3) FROM attendance_window "
				"WHERE window_id = ?",
			 "I", wid),
	    1);
	/* a notice for each absentee and the flagged one, in its language */
	cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM outbox WHERE "
				"kind = 'push.absent' AND device_id IN (?, ?)",
			 "II", k.devices[2], k.devices[3]),
	    2);
	cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM outbox WHERE "
				"kind = 'push.flagged' AND device_id = ?",
			 "I", k.devices[1]),
	    1);
	cr_assert_eq(
	    it_sql_int("SELECT payload LIKE '%Marked absent%' FROM "
		       "outbox WHERE kind = 'push.absent' AND device_id = ?",
		"I", k.devices[3]),
	    1, "English by default");
	cr_assert_eq(it_sql_int("SELECT payload NOT LIKE '%Marked absent%' "
				"FROM outbox WHERE kind = 'push.absent' AND "
				"device_id = ?",
			 "I", k.devices[2]),
	    1, "Hindi for the device set to it");
	t = window_totals(it_db(), it_arena(), sid);
	cr_assert_not_null(t);
	cr_assert_eq(json_integer_value(json_object_get(t, "present")), 1);
	cr_assert_eq(json_integer_value(json_object_get(t, "flagged")), 1);
	cr_assert_eq(json_integer_value(json_object_get(t, "absent")), 2);
	cr_assert_eq(json_integer_value(json_object_get(t, "pending")), 0);
	cr_assert_eq(json_integer_value(json_object_get(t, "total")), 4);
	json_decref(t);

	/* again: nothing happens */
	cr_assert_eq(window_finalize(it_db(), it_arena(), it_config(), wid,
			 &closed),
	    DB_OK);
	cr_assert_eq(closed, 0);
	cr_assert_eq(rows_of(sid, "A", "TIMEOUT"), 2);
	cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM outbox WHERE "
				"kind = 'push.absent' AND device_id IN (?, ?)",
			 "II", k.devices[2], k.devices[3]),
	    2, "told once");
}

/* One text cell about a session, or "none". */
static const char *
cell_of(const char *sql, long long sid)
{
	struct db_rows r;

	cr_assert_eq(db_query(it_db(), it_arena(), &r, sql, "I", sid), DB_OK);
	return r.nrows && db_get(&r, 0, 0) ? db_get(&r, 0, 0) : "none";
}

/* The session's tally row: "marks present absent flagged". */
#define TALLY_OF                                                       \
	"SELECT CONCAT_WS(' ', marks, present, absent, flagged) FROM " \
	"session_tally WHERE session_id = ?"
/* The class's subject tallies, "held/present" in roll order. */
#define STUDENTS_OF                                                     \
	"SELECT GROUP_CONCAT(CONCAT(x.held, '/', x.present) ORDER BY "  \
	"st.roll_no SEPARATOR ' ') FROM session se JOIN period p ON "   \
	"p.period_id = se.period_id JOIN student_tally x ON "           \
	"x.subject_id = p.subject_id JOIN student st ON st.student_no " \
	"= x.student_no WHERE se.session_id = ?"

/*
 * schema/025_tally_at_finalise.sql: the marks of an open window stay out
 * of the dashboard's tallies (no submit touches them) and all go in with
 * the window's end, in its transaction; a later change counts at once.
 */
Test(window, a_windows_marks_reach_the_tallies_when_it_ends_not_before)
{
	struct it_class k;
	long long sid, wid;
	int closed = -1;

	IT_REQUIRE_STACK();
	it_class_make(&k, "tally", 4, "ANDROID");
	wid = open_window(&k, &sid);
	mark(sid, k.students[0], "P");
	mark(sid, k.students[1], "R");
	cr_assert_eq(it_sql("UPDATE attendance SET status = 'P' WHERE "
			    "session_id = ? AND student_email = ?",
			 "Is", sid, k.students[1]),
	    DB_OK);
	cr_assert_str_eq(cell_of(TALLY_OF, sid), "none", "counted while open");
	cr_assert_str_eq(cell_of(STUDENTS_OF, sid), "none");

	cr_assert_eq(window_finalize(it_db(), it_arena(), it_config(), wid,
			 &closed),
	    DB_OK);
	cr_assert_eq(closed, 1);
	cr_assert_str_eq(cell_of(TALLY_OF, sid), "4 2 2 0");
	cr_assert_str_eq(cell_of(STUDENTS_OF, sid), "1/1 1/1 1/0 1/0");
	cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM attendance WHERE "
				"session_id = ? AND NOT (tallied <=> status)",
			 "I", sid),
	    0);

	/* the window has ended: a teacher's change counts at once */
	cr_assert_eq(it_sql("UPDATE attendance SET status = 'A', source = "
			    "'MANUAL' WHERE session_id = ? AND student_email "
			    "= ?",
			 "Is", sid, k.students[0]),
	    DB_OK);
	cr_assert_str_eq(cell_of(TALLY_OF, sid), "4 1 3 0");
	cr_assert_str_eq(cell_of(STUDENTS_OF, sid), "1/0 1/1 1/0 1/0");
}

/* Whoever sets finalized_at (an older relay, an operator) counts them. */
Test(window, setting_finalized_at_by_hand_counts_the_marks_too)
{
	struct it_class k;
	long long sid, wid;

	IT_REQUIRE_STACK();
	it_class_make(&k, "byhand", 2, "ANDROID");
	wid = open_window(&k, &sid);
	mark(sid, k.students[1], "R");
	cr_assert_str_eq(cell_of(TALLY_OF, sid), "none");
	cr_assert_eq(it_sql("UPDATE attendance_window SET finalized_at = "
			    "NOW(3) WHERE window_id = ?",
			 "I", wid),
	    DB_OK);
	cr_assert_str_eq(cell_of(TALLY_OF, sid), "1 0 0 1");
	cr_assert_str_eq(cell_of(STUDENTS_OF, sid), "1/0");
}

Test(window, the_sweep_finalises_overdue_windows_and_says_when_the_next_is_due)
{
	struct it_class late, open;
	long long sid_late, sid_open, w_late, w_open, next = -1, due;

	IT_REQUIRE_STACK();
	it_class_make(&late, "due", 1, "ANDROID");
	it_class_make(&open, "notdue", 1, "ANDROID");
	w_late = open_window(&late, &sid_late);
	w_open = open_window(&open, &sid_open);
	cr_assert_eq(it_sql("UPDATE attendance_window SET expires_at = NOW(3) "
			    "- INTERVAL 1 MINUTE WHERE window_id = ?",
			 "I", w_late),
	    DB_OK);
	due = it_sql_int("SELECT FLOOR(UNIX_TIMESTAMP(expires_at + INTERVAL "
			 "grace_ms * 1000 MICROSECOND) * 1000) FROM "
			 "attendance_window WHERE window_id = ?",
	    "I", w_open);
	/* the stack's relay may sweep first: the outcome is the same */
	cr_assert_geq(window_finalize_due(it_db(), it_arena(), it_config(),
			  &next),
	    0);
	cr_assert_gt(next, 0, "an open window is left for later");
	cr_assert_leq(next, due);
	cr_assert_eq(rows_of(sid_late, "A", "TIMEOUT"), 1);
	cr_assert_eq(rows_of(sid_open, "A", "TIMEOUT"), 0);
	cr_assert_eq(it_sql_int("SELECT finalized_at IS NULL FROM "
				"attendance_window WHERE window_id = ?",
			 "I", w_open),
	    1);
}

Test(window, the_totals_of_an_unknown_session_are_zero)
{
	json_t *t;

	IT_REQUIRE_STACK();
	t = window_totals(it_db(), it_arena(), 4294967295LL);
	cr_assert_not_null(t);
	cr_assert_eq(json_integer_value(json_object_get(t, "total")), 0);
	cr_assert_eq(json_integer_value(json_object_get(t, "present")), 0);
	json_decref(t);
}

Test(window, codes_are_four_digits_and_every_digit_comes_up)
{
	char otp[5];
	int seen[4][10] = { { 0 } }, i, d, p;

	for (i = 0; i < 2000; i++) {
		cr_assert_eq(window_new_otp(otp), 0);
		cr_assert_eq(strlen(otp), 4);
		cr_assert_eq(strspn(otp, "0123456789"), 4, "%s", otp);
		for (p = 0; p < 4; p++)
			seen[p][otp[p] - '0']++;
	}
	/* 2000 draws: a digit missing from a place is a broken generator
	 * (the chance of it by luck is about 10 * 0.9^2000) */
	for (p = 0; p < 4; p++)
		for (d = 0; d < 10; d++)
			cr_assert_gt(seen[p][d], 0, "digit %d at %d", d, p);
}
