/*
 * devshare.c - one phone, one student.
 *
 * A phone is its fingerprint (the app's SHA-256 of the hardware; the UUID
 * changes with every install).  If a student signs in on a phone that is
 * another student's ACTIVE device, the sign-in is held PENDING with audit
 * action device.shared (auth.c) and GET /devices/pending names the other
 * student (devices.c).  Held, not refused: a phone handed down to a
 * sibling or sold to a classmate is a real case, and the teacher who
 * knows both can decide; approving moves the phone (devshare_release),
 * so the invariant holds either way and one phone never marks two
 * people.  WEB rows are excluded: their fingerprint is an address, which
 * a whole campus shares behind NAT.
 */
#include <string.h>

#include "audit.h"
#include "db.h"
#include "devshare.h"

int
devshare_holder(struct db *db, struct arena *ar, const char *fp,
    const char *email, const char **holder)
{
	struct db_rows rows;
	int rc, i;

	/*
	 * FOR UPDATE over the fingerprint's index range: two first sign-ins
	 * of one phone serialise (or one deadlocks and retries), so both
	 * cannot become ACTIVE.
	 */
	rc = db_query(db, ar, &rows,
	    "SELECT user_email, role = 'student' AND platform <> 'WEB' AND "
	    "approval = 'ACTIVE' AND active FROM device "
	    "WHERE fingerprint_hash = ? FOR UPDATE",
	    "s", fp);
	if (rc != DB_OK)
		return rc;
	for (i = 0; i < rows.nrows; i++)
		if (db_get_int(&rows, i, 1) &&
		    strcmp(db_get(&rows, i, 0), email) != 0) {
			*holder = db_get(&rows, i, 0);
			return DB_OK;
		}
	return DB_NOTFOUND;
}

int
devshare_release(struct db *db, struct arena *ar, long long device_id,
    const char *actor)
{
	struct db_rows rows;
	int i;

	if (db_query(db, ar, &rows,
		"SELECT o.device_id, o.user_email, d.user_email FROM device d "
		"JOIN device o ON o.fingerprint_hash = d.fingerprint_hash AND "
		"o.user_email <> d.user_email WHERE d.device_id = ? AND "
		"d.platform <> 'WEB' AND o.role = 'student' AND "
		"o.platform <> 'WEB' AND o.approval = 'ACTIVE' FOR UPDATE",
		"I", device_id) != DB_OK)
		return DB_ERR;
	for (i = 0; i < rows.nrows; i++) {
		long long o = db_get_int(&rows, i, 0);

		if (db_exec(db,
			"UPDATE refresh_token SET revoked_at = NOW(3) "
			"WHERE device_id = ? AND revoked_at IS NULL",
			"I", o) != DB_OK ||
		    db_exec(db,
			"UPDATE device SET approval = 'REPLACED', "
			"active = FALSE, decided_by = ?, decided_at = NOW(3) "
			"WHERE device_id = ?",
			"sI", actor, o) != DB_OK ||
		    audit_write(db, actor, "device.replaced",
			db_get(&rows, i, 1), "ACTIVE", "REPLACED",
			arena_printf(ar,
			    "device %lld: the phone was approved for %s "
			    "(device %lld)",
			    o, db_get(&rows, i, 2), device_id)) != DB_OK)
			return DB_ERR;
	}
	return DB_OK;
}
