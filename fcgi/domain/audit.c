/*
 * audit.c - the one audit writer: every change to an account, a device or
 * a mark that a person made leaves one audit_log row, written inside the
 * transaction of the change.
 */
#include "audit.h"
#include "db.h"

int
audit_write_detail(struct db *db, const char *actor, const char *action,
    const char *subject, const char *old_value, const char *new_value,
    const char *reason, const char *detail)
{
	return db_exec(db,
	    "INSERT INTO audit_log (actor, action, subject, old_value, "
	    "new_value, reason, detail) VALUES (?, ?, ?, LEFT(?, 255), "
	    "LEFT(?, 255), LEFT(?, 512), ?)",
	    "sssssss", actor, action, subject, old_value, new_value, reason,
	    detail);
}

int
audit_write(struct db *db, const char *actor, const char *action,
    const char *subject, const char *old_value, const char *new_value,
    const char *reason)
{
	return audit_write_detail(db, actor, action, subject, old_value,
	    new_value, reason, NULL);
}
