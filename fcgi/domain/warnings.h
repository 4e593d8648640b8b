/*
 * warnings.h - low-attendance warnings to students.
 */
#ifndef EHZ_WARNINGS_H
#define EHZ_WARNINGS_H

struct config;
struct db;
struct arena;

/* Held sessions before a low percentage is worth a notice. */
#define WARNINGS_MIN_HELD 3

/*
 * Low-attendance warnings.  For every (student, subject) in scope it
 * computes the percentage over the last REPORT_DAYS days (the same counting
 * rules as the reports: an absence on approved leave is left out of held
 * unless LEAVE_COUNTS=absent) and flips attendance_warning.below: on false -> true it queues one
 * "push.low_attendance" to each of the student's active devices (collapse
 * key "low-<subject_id>") in the same transaction as the flip; on true ->
 * false it only clears the flag, so the next crossing warns again.  A flip
 * is a conditional UPDATE, so concurrent runs warn once.
 * subject_id 0 means every subject.  *flipped_down (may be NULL) gets the
 * number of new warnings.  Opens its own transactions: call it outside any.
 * Returns DB_OK or a DB_* error.
 */
int warnings_check(struct db *db, struct arena *a, const struct config *cfg,
    long long subject_id, int *flipped_down);
/*
 * The hook for the attendance flow: call after a window's finalisation
 * has committed.  Checks the subject of session_id; errors are logged and
 * returned, never worth failing the caller's request for.
 */
int warnings_after_session(struct db *db, struct arena *a,
    const struct config *cfg, long long session_id);

#endif
