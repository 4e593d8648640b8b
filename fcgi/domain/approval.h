/*
 * approval.h - teachers' (and administrators') decisions on students' new
 * phones.
 */
#ifndef EHZ_APPROVAL_H
#define EHZ_APPROVAL_H

#include "arena.h"

struct db;

enum approval_rc {
	APPROVAL_OK = 0,
	APPROVAL_NOTFOUND = 1,    /* no such student device */
	APPROVAL_FORBIDDEN = 2,   /* the teacher does not teach the student */
	APPROVAL_NOT_PENDING = 3, /* already decided */
	APPROVAL_ERR = -1,        /* database error (logged) */
};

/*
 * Approves (approve=1) or rejects a PENDING student device in one
 * transaction.  Approval makes it the one active device: the student's
 * other active devices become REPLACED and their refresh tokens are
 * revoked.  teacher (may be NULL: an administrator) must teach a subject
 * of the student's class.  actor is recorded in audit_log.
 */
int approval_decide(struct db *db, struct arena *ar, long long device_id,
    int approve, const char *teacher, const char *actor);

#endif
