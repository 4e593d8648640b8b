/*
 * testhook.c - the races a test can ask a submit to lose (testhook.h),
 * in test builds only.  The request names one in the X-Ehazira-Test-Race
 * header; what it does happens on a connection of its own, committed, as
 * the teacher or the relay would do it at that moment:
 *
 *   mark     before the write, the teacher marks the student by hand: the
 *            write finds the mark there and the submit reads again
 *   close    before the write, the teacher closes the window: the write
 *            finds it closed and the submit reads again
 *   flicker  the window is closed for each write and open again after it:
 *            every read says open, no write lands, and the submit gives
 *            up after its two rounds (done inside the request's own
 *            transaction, which may hold a share lock on the window's
 *            row by then: no other client could)
 *
 * And a fault: X-Ehazira-Test-Fail-Statement: N makes the Nth database
 * statement of the handler fail (db_testhook_fail_at), so that each
 * error exit of a handler can be taken on demand.
 *
 * A release build compiles none of this (the header makes every point
 * nothing), so no request can reach it there.
 */
#include "testhook.h"

#ifdef EHAZIRA_TEST_HOOKS
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"

/* Runs one statement on a fresh connection, committed on its own. */
static void
other_client(const struct config *cfg, const char *sql, const char *types,
    long long a, const char *s)
{
	struct db *db = db_new(cfg);

	if (db == NULL)
		return;
	/* a type string of one letter leaves s unread */
	if (db_exec(db, sql, types, a, s) != DB_OK)
		log_error("testhook: the other client's statement failed");
	db_free(db);
}

/* Closes (1) or reopens (0) the window in the request's transaction. */
static void
flicker(struct http_req *r, long long window_id, int close)
{
	if (db_exec(r->db,
		close ? "UPDATE attendance_window SET closed_at = NOW(3) "
			"WHERE window_id = ?"
		      : "UPDATE attendance_window SET closed_at = NULL "
			"WHERE window_id = ?",
		"I", window_id) != DB_OK)
		log_error("testhook: flicker failed");
}

void
testhook_submit(struct http_req *r, const char *point, long long window_id,
    long long session_id, const char *email)
{
	const char *race = http_env(r, "HTTP_X_EHAZIRA_TEST_RACE");
	int before = strcmp(point, "before_write") == 0;

	if (race == NULL)
		return;
	if (before && strcmp(race, "mark") == 0)
		other_client(r->cfg,
		    "INSERT INTO attendance (session_id, student_email, status, "
		    "source) VALUES (?, ?, 'P', 'MANUAL') ON DUPLICATE KEY "
		    "UPDATE status = 'P', source = 'MANUAL'",
		    "Is", session_id, email);
	else if (before && strcmp(race, "close") == 0)
		other_client(r->cfg,
		    "UPDATE attendance_window SET closed_at = NOW(3) "
		    "WHERE window_id = ?",
		    "I", window_id, NULL);
	else if (strcmp(race, "flicker") == 0)
		flicker(r, window_id, before);
}

void
testhook_handler(struct http_req *r, int start)
{
	const char *n = http_env(r, "HTTP_X_EHAZIRA_TEST_FAIL_STATEMENT");

	db_testhook_fail_at(start && n ? atoi(n) : 0);
}
#else
/* ISO C wants a translation unit to declare something. */
typedef int testhook_none;
#endif
