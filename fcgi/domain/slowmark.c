/*
 * slowmark.c - owns the slow mark at finalisation.  A submission's delay
 * (attendance.delay_ms, from when the code it carried was first shown:
 * submit.c, rotation.c) only means something against the class's other
 * submissions of the same window, so the mark is decided when the window
 * ends and all of them are in: the 90th percentile of the window's
 * delays plus the window's slow_margin_ms (its copy of the class policy
 * when it opened).  The live board shows the same line as it goes
 * (rotating_mark_slow); the stored mark is what reports and exports
 * read, and what the optional flag_slow policy turns into R - decided
 * here rather than at submission, because at submission the later and
 * slower ones are not in yet and an early verdict would move with them.
 */
#include <stdlib.h>

#include "db.h"
#include "rotation.h"
#include "slowmark.h"

int
slowmark_window(struct db *db, struct arena *a, long long window_id,
    long long session_id, const char *opened_at)
{
	struct db_rows w, d;
	long long *delays, line;
	int rc, i;

	if ((rc = db_query_one(db, a, &w,
		 "SELECT COALESCE(slow_margin_ms, 5000), "
		 "COALESCE(flag_slow, 0) FROM attendance_window "
		 "WHERE window_id = ?",
		 "I", window_id)) != DB_OK)
		return rc;
	if ((rc = db_query(db, a, &d,
		 "SELECT delay_ms FROM attendance WHERE session_id = ? AND "
		 "source = 'OTP' AND delay_ms IS NOT NULL AND marked_at >= ?",
		 "Is", session_id, opened_at)) != DB_OK)
		return rc;
	if (d.nrows < SLOWMARK_MIN)
		return DB_OK;
	if ((delays = arena_alloc(a, (size_t)d.nrows * sizeof(*delays))) ==
	    NULL)
		return DB_ERR;
	for (i = 0; i < d.nrows; i++)
		delays[i] = db_get_int(&d, i, 0);
	line = rotation_slow_threshold(delays, (size_t)d.nrows, 90,
	    db_get_int(&w, 0, 0), SLOWMARK_MIN);
	if (line < 0)
		return DB_OK;
	return db_exec(db,
	    "UPDATE attendance SET slow = 1, status = IF(? AND status = 'P', "
	    "'R', status) WHERE session_id = ? AND source = 'OTP' AND "
	    "marked_at >= ? AND delay_ms > ?",
	    "IIsI", db_get_int(&w, 0, 1), session_id, opened_at, line);
}
