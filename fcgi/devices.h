/*
 * devices.h - teachers' (and administrators') decisions on students' new
 * phones, and the audit trail of account and device changes.
 */
#ifndef EHZ_DEVICES_H
#define EHZ_DEVICES_H

#include "arena.h"
#include "http.h"

struct db;

enum devices_rc {
	DEVICES_OK = 0,
	DEVICES_NOTFOUND = 1,    /* no such student device */
	DEVICES_FORBIDDEN = 2,   /* the teacher does not teach the student */
	DEVICES_NOT_PENDING = 3, /* already decided */
	DEVICES_ERR = -1,        /* database error (logged) */
};

/* GET /devices/pending: pending devices of the teacher's students. */
int devices_pending(struct http_req *r);
/* POST /devices/:id/approve */
int devices_approve(struct http_req *r);
/* POST /devices/:id/reject */
int devices_reject(struct http_req *r);

/*
 * Approves (approve=1) or rejects a PENDING student device in one
 * transaction.  Approval makes it the one active device: the student's
 * other active devices become REPLACED and their refresh tokens are
 * revoked.  teacher (may be NULL: an administrator) must teach a subject
 * of the student's class.  actor is recorded in audit_log.
 */
int devices_decide(struct db *db, struct arena *ar, long long device_id,
    int approve, const char *teacher, const char *actor);

/* One audit_log row (old/new/reason may be NULL); DB_* code. */
int devices_audit(struct db *db, const char *actor, const char *action,
    const char *subject, const char *old_value, const char *new_value,
    const char *reason);

#endif
