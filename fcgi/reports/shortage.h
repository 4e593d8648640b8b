/*
 * shortage.h - the shortage list of the dashboard (shortage.c).
 */
#ifndef EHZ_SHORTAGE_H
#define EHZ_SHORTAGE_H

#include "dashboard.h"

/*
 * The students below q->threshold percent (with at least q->min_held
 * marks) per subject over q's range (from and to: the same days as
 * YYYY-MM-DD), in order of percent, class, roll number and subject, as a
 * view's rows (arena memory).  DB_OK or the db error.
 */
int shortage_query(struct db *db, struct arena *a, const struct dash_query *q,
    const char *from, const char *to, struct db_rows *rows);

#endif
