/*
 * reportleave.h - a student's leave records over a range, for the
 * history a head or teacher drills down to (GET /attendance/student-summary).
 */
#ifndef EHZ_REPORTLEAVE_H
#define EHZ_REPORTLEAVE_H

#include <jansson.h>

#include "arena.h"
#include "db.h"

/*
 * Every leave record of the student that overlaps [from, to] (days since
 * the epoch), whatever its state, earliest first, as a JSON array of
 * {leave_id, kind, from, to, state, reason}.  DB_OK and *out set, or the
 * database's error.
 */
int reportleave_student(struct db *db, struct arena *a, const char *email,
    long from, long to, json_t **out);

#endif
