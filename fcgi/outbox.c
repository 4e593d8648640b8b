/*
 * outbox.c - the producer side of the relay's outbox table.  The relay
 * (relay/) claims PENDING rows, sends them and marks them; see
 * schema/001_init.sql for the columns.
 */
#include <stdlib.h>

#include "db.h"
#include "outbox.h"

int
outbox_add(struct db *db, const char *kind, long long device_id,
    const char *collapse_key, json_t *message, long long expires_ms)
{
	char *payload = json_dumps(message, JSON_COMPACT | JSON_SORT_KEYS);
	int rc;

	json_decref(message);
	if (payload == NULL)
		return DB_ERR;
	if (expires_ms > 0)
		rc = db_exec(db,
		    "INSERT INTO outbox (kind, device_id, collapse_key, "
		    "payload, expires_at) VALUES (?, ?, ?, ?, "
		    "FROM_UNIXTIME(? / 1000))",
		    "sIssI", kind, device_id, collapse_key, payload,
		    expires_ms);
	else
		rc = db_exec(db,
		    "INSERT INTO outbox (kind, device_id, collapse_key, "
		    "payload) VALUES (?, ?, ?, ?)",
		    "sIss", kind, device_id, collapse_key, payload);
	free(payload);
	return rc;
}
