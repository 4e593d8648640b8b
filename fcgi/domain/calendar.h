/*
 * calendar.h - the register's calendar rules: leave records (who is
 * excused when), holidays and cancelled classes (when no session is
 * expected), and how far back a class may be taken.  One implementation
 * for the HTTP handlers and the admin CLI, so both refuse the same input.
 */
#ifndef EHZ_CALENDAR_H
#define EHZ_CALENDAR_H

#include "arena.h"
#include "db.h"

enum calendar_rc {
	CAL_OK = 0,
	CAL_NOT_FOUND,   /* no such student / class / period / record */
	CAL_OVERLAP,     /* the student already has leave on those days */
	CAL_OUTSIDE,     /* before the student joined or outside the term */
	CAL_TAKEN,       /* a session was already taken on that day */
	CAL_DUPLICATE,   /* the same holiday / cancellation exists */
	CAL_NOT_PENDING, /* the leave was decided already */
	CAL_DB,          /* the database failed (logged) */
};

/* leave kinds and states as the schema spells them */
extern const char *const calendar_leave_kinds[];  /* MEDICAL DUTY OTHER */
extern const char *const calendar_leave_states[]; /* PENDING APPROVED ... */

struct calendar_leave {
	const char *student_email, *kind, *from, *to, *reason;
	const char *state;      /* "PENDING" or "APPROVED" */
	const char *entered_by; /* e-mail or "admin" */
};

/*
 * Records a leave in one transaction (with its audit row): the student's
 * row is locked so two overlapping requests cannot both pass the overlap
 * check.  *id gets the new leave_id.
 */
int calendar_leave_add(struct db *db, struct arena *a,
    const struct calendar_leave *l, long long *id);
/* PENDING -> APPROVED (approve 1) or REJECTED, audited; one transaction. */
int calendar_leave_decide(struct db *db, struct arena *a, long long id,
    int approve, const char *by);

struct calendar_noclass {
	const char *date, *reason, *created_by;
	long long class_id;  /* holiday of one class; 0 = institution-wide */
	long long period_id; /* > 0: cancel this period only */
};

/*
 * Records a holiday or a cancelled class, refused (CAL_TAKEN) when a
 * session in its scope already has a window or marks that day.
 */
int calendar_noclass_add(struct db *db, struct arena *a,
    const struct calendar_noclass *n, long long *id);

/*
 * Why period_id has no class on date: DB_OK and *kind ("HOLIDAY" /
 * "CANCELLED") and *reason set, DB_NOTFOUND when it has, else DB_*.
 */
int calendar_noclass_find(struct db *db, struct arena *a, long long period_id,
    const char *date, const char **kind, const char **reason);

/*
 * Days from date back to today (both YYYY-MM-DD): 0 for today, negative
 * for a future date; -100000 when either is malformed.
 */
long calendar_days_back(const char *today, const char *date);

#endif
