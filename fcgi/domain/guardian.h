/*
 * guardian.h - the optional e-mail to a student's guardian when the
 * student crosses below the attendance threshold (GUARDIAN_NOTICES).
 */
#ifndef EHZ_GUARDIAN_H
#define EHZ_GUARDIAN_H

struct arena;
struct config;
struct db;

/*
 * Queues the notice of the crossing just recorded (warnings.c, inside its
 * transaction, after attendance_warning.crossings was counted up): to
 * student.guardian_email, in the student's language, idempotency key
 * "guardian:<student>:<subject>:<crossings>".  Does nothing (DB_OK) when
 * GUARDIAN_NOTICES is 0, SMTP_URL is empty or the student has no
 * guardian address.  DB_OK or the DB_* error (the caller rolls back).
 */
int guardian_notice(struct db *db, struct arena *a, const struct config *cfg,
    const char *student, long long subject_id, const char *course,
    const char *percent, long threshold);

#endif
