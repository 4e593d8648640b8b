/*
 * expiry.c - finalises attendance windows when they end (expiry + grace).
 *
 * The deadlines are read from the database on every pass, so there is no
 * in-memory timer to lose: after a restart the overdue windows are simply
 * due, and finalised at once.  The work itself is window_finalize(), the
 * same code the teacher's close runs.
 */
#include "db.h"
#include "expiry.h"
#include "log.h"
#include "window.h"

long long
expiry_run(struct relay *rl, long long next)
{
	long long due = 0;
	int n = window_finalize_due(rl->db, rl->arena, rl->cfg, &due);

	if (n < 0) {
		log_warn("expiry: cannot read windows; retrying");
		return next;
	}
	if (n > 0)
		log_info("expiry: finalised %d window(s)", n);
	/* Wake a little after the deadline so NOW(3) is surely past it. */
	if (due > 0 && due + 5 < next)
		next = due + 5;
	return next;
}
