/*
 * audit.h - the one audit writer (audit_log rows).
 */
#ifndef EHZ_AUDIT_H
#define EHZ_AUDIT_H

struct db;

/*
 * One audit_log row (old/new/reason may be NULL), inside the caller's
 * transaction; DB_* code.
 */
int audit_write(struct db *db, const char *actor, const char *action,
    const char *subject, const char *old_value, const char *new_value,
    const char *reason);

/* The same with the free-form detail column (may be NULL). */
int audit_write_detail(struct db *db, const char *actor, const char *action,
    const char *subject, const char *old_value, const char *new_value,
    const char *reason, const char *detail);

#endif
