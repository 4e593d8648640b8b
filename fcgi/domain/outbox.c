/*
 * outbox.c - the outbox table, both sides.
 *
 * Producer: outbox_add writes a row inside the caller's transaction, so a
 * rolled-back change never sends anything, and outbox_wake nudges the
 * relay after the commit.
 *
 * Consumer (the relay): a claim is a short transaction: SELECT the due
 * rows FOR UPDATE SKIP LOCKED, stamp a unique owner and a lease on them,
 * COMMIT; then a SELECT by that owner.  Two relays claiming at the same
 * moment get disjoint sets: a row the other is stamping is skipped, and
 * once stamped its lease keeps it out of every later claim until it runs
 * out.  A relay killed mid-batch leaves its leases behind; they run out
 * and the rows are claimed again.  That makes delivery at-least-once
 * (retried until the row's expiry; FCM_MAX_TRIES, counted at claim time,
 * is only a ceiling), and the collapse key makes the rare duplicate
 * harmless on the phone.
 *
 * E-mails share the table as a lane of their own (kind "mail.*",
 * mailout.c): the push claim and sweep here leave those rows alone.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "arena.h"
#include "config.h"
#include "db.h"
#include "log.h"
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

void
outbox_wake(const struct config *cfg)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(cfg->relay_socket) >= sizeof(sa.sun_path))
		return;
	strcpy(sa.sun_path, cfg->relay_socket);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return;
	/* Lost when the relay is down: it polls the database anyway. */
	(void)sendto(fd, "w", 1, 0, (struct sockaddr *)&sa, sizeof(sa));
	close(fd);
}

/*
 * Whether a sweep would change a row: one plain read, LIMIT 1, without
 * the lock an UPDATE's scan takes on every row it reads (while a burst is
 * PENDING, all of it).  It nearly always finds nothing.  A DB_* code.
 */
static int
sweep_needed(struct db *db, int max_tries, int *found)
{
	struct arena *a = arena_new(64u * 1024); /* a cap, not an allocation */
	struct db_rows r;
	int rc;

	*found = 0;
	if (a == NULL)
		return DB_ERR;
	rc = db_query(db, a, &r,
	    "SELECT 1 FROM outbox FORCE INDEX (ix_outbox_due) "
	    "WHERE state = 'PENDING' AND kind NOT LIKE 'mail.%' "
	    "AND ((expires_at <= NOW(3) "
	    "AND (lease_until IS NULL OR lease_until < NOW(3))) "
	    "OR (tries >= ? AND lease_until < NOW(3))) LIMIT 1",
	    "i", max_tries);
	if (rc == DB_OK)
		*found = r.nrows > 0;
	arena_free(a);
	return rc;
}

/*
 * FORCE INDEX: the PENDING rows only, by ix_outbox_due.  During a burst
 * most rows are PENDING and the optimizer would otherwise scan (and lock)
 * the whole table, sent history included.
 */
int
outbox_sweep(struct db *db, int max_tries, long long *dropped,
    long long *failed)
{
	int rc, found;

	*dropped = *failed = 0;
	if ((rc = sweep_needed(db, max_tries, &found)) != DB_OK || !found)
		return rc;
	rc = db_exec(db,
	    "UPDATE outbox FORCE INDEX (ix_outbox_due) SET state = 'DROPPED', "
	    "last_error = 'expired', lease_owner = NULL, lease_until = NULL "
	    "WHERE state = 'PENDING' AND kind NOT LIKE 'mail.%' "
	    "AND expires_at <= NOW(3) "
	    "AND (lease_until IS NULL OR lease_until < NOW(3))",
	    "");
	if (rc != DB_OK)
		return rc;
	*dropped = db_affected(db);
	rc = db_exec(db,
	    "UPDATE outbox FORCE INDEX (ix_outbox_due) SET state = 'FAILED', "
	    "last_error = 'lease ran out on the last try', "
	    "lease_owner = NULL, lease_until = NULL "
	    "WHERE state = 'PENDING' AND kind NOT LIKE 'mail.%' AND tries >= ? "
	    "AND lease_until < NOW(3)",
	    "i", max_tries);
	if (rc != DB_OK)
		return rc;
	*failed = db_affected(db);
	return DB_OK;
}

/* "[id,id,...]": a list of ids as one JSON parameter, for JSON_TABLE. */
static char *
ids_json(struct arena *a, const long long *ids, int n)
{
	size_t cap = (size_t)n * 21 + 3, len = 0;
	char *s = arena_alloc(a, cap);
	int i;

	if (s == NULL)
		return NULL;
	s[len++] = '[';
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(s + len, cap - len, "%s%lld",
		    i ? "," : "", ids[i]);
	s[len++] = ']';
	s[len] = '\0';
	return s;
}

/*
 * Leases up to limit due rows in one short transaction.  SKIP LOCKED: a
 * row another relay is leasing at this instant is not waited for but
 * left to it, so concurrent claims neither block nor deadlock, and the
 * scan follows ix_outbox_due (state, not_before, id), stopping at limit.
 */
static int
lease(struct db *db, struct arena *a, const char *owner, int lease_s, int limit,
    int *n)
{
	struct db_rows r;
	long long *ids;
	char *json;
	int rc, i;

	*n = 0;
	if ((rc = db_begin(db)) != DB_OK)
		return rc;
	rc = db_query(db, a, &r,
	    "SELECT outbox_id FROM outbox WHERE state = 'PENDING' "
	    "AND kind NOT LIKE 'mail.%' AND not_before <= NOW(3) "
	    "AND (lease_until IS NULL OR lease_until < NOW(3)) "
	    "ORDER BY not_before, outbox_id LIMIT ? FOR UPDATE SKIP LOCKED",
	    "i", limit);
	if (rc != DB_OK || r.nrows == 0)
		goto out;
	ids = arena_alloc(a, sizeof(*ids) * (size_t)r.nrows);
	if (ids == NULL) {
		rc = DB_ERR;
		goto out;
	}
	for (i = 0; i < r.nrows; i++)
		ids[i] = db_get_int(&r, i, 0);
	if ((json = ids_json(a, ids, r.nrows)) == NULL) {
		rc = DB_ERR;
		goto out;
	}
	rc = db_exec(db,
	    "UPDATE JSON_TABLE(?, '$[*]' COLUMNS "
	    "(id BIGINT UNSIGNED PATH '$')) j STRAIGHT_JOIN outbox o "
	    "ON o.outbox_id = j.id SET o.lease_owner = ?, "
	    "o.lease_until = NOW(3) + INTERVAL ? SECOND, o.tries = o.tries + 1",
	    "ssi", json, owner, lease_s);
	if (rc == DB_OK)
		*n = r.nrows;
out:
	if (rc != DB_OK) {
		db_rollback(db);
		*n = 0;
		return rc;
	}
	return db_commit(db);
}

int
outbox_claim(struct db *db, struct arena *a, const char *owner, int lease_s,
    int limit, struct outbox_row **rows, int *n)
{
	struct db_rows r;
	struct outbox_row *out;
	int rc, i, leased = 0, attempt;

	*rows = NULL;
	*n = 0;
	for (attempt = 0; attempt < 3; attempt++)
		if ((rc = lease(db, a, owner, lease_s, limit, &leased)) !=
		    DB_DEADLOCK)
			break;
	if (rc != DB_OK || leased == 0)
		return rc;
	rc = db_query(db, a, &r,
	    "SELECT o.outbox_id, o.device_id, "
	    "CAST(ROUND(UNIX_TIMESTAMP(o.expires_at) * 1000) AS SIGNED), "
	    "o.tries, d.active, o.kind, o.collapse_key, o.payload, "
	    "d.push_token, "
	    "CAST(ROUND(UNIX_TIMESTAMP(o.created_at) * 1000) AS SIGNED), "
	    "d.platform = 'WEB', w.endpoint, w.p256dh, w.auth "
	    "FROM outbox o LEFT JOIN device d ON d.device_id = o.device_id "
	    "LEFT JOIN web_push_subscription w ON w.device_id = o.device_id "
	    "WHERE o.state = 'PENDING' AND o.lease_owner = ? "
	    "ORDER BY o.outbox_id",
	    "s", owner);
	if (rc != DB_OK)
		return rc;
	out = arena_alloc(a, sizeof(*out) * (size_t)(r.nrows ? r.nrows : 1));
	if (out == NULL)
		return DB_ERR;
	for (i = 0; i < r.nrows; i++) {
		out[i].id = db_get_int(&r, i, 0);
		out[i].device_id = db_get_int(&r, i, 1);
		out[i].expires_ms = db_get_int(&r, i, 2);
		out[i].tries = (int)db_get_int(&r, i, 3);
		out[i].device_active = db_get_int(&r, i, 4) != 0;
		out[i].kind = db_get(&r, i, 5);
		out[i].collapse_key = db_get(&r, i, 6);
		out[i].payload = db_get(&r, i, 7);
		out[i].push_token = db_get(&r, i, 8);
		out[i].created_ms = db_get_int(&r, i, 9);
		out[i].web = db_get_int(&r, i, 10) == 1;
		out[i].wp_endpoint = db_get(&r, i, 11);
		out[i].wp_p256dh = db_get(&r, i, 12);
		out[i].wp_auth = db_get(&r, i, 13);
	}
	*rows = out;
	*n = r.nrows;
	return DB_OK;
}

int
outbox_renew(struct db *db, const char *owner, int lease_s)
{
	return db_exec(db,
	    "UPDATE outbox SET lease_until = NOW(3) + INTERVAL ? SECOND "
	    "WHERE state = 'PENDING' AND lease_owner = ?",
	    "is", lease_s, owner);
}

static const char *const fate_state[] = {
	[OUTBOX_SENT] = "SENT",
	[OUTBOX_DROPPED] = "DROPPED",
	[OUTBOX_FAILED] = "FAILED",
};

/* Every SENT id as one JSON array parameter: one statement, not n. */
static int
settle_sent(struct db *db, struct arena *a, const struct outbox_result *res,
    int n)
{
	long long *ids = arena_alloc(a, sizeof(*ids) * (size_t)(n + 1));
	char *json;
	int i, k = 0;

	if (ids == NULL)
		return DB_ERR;
	for (i = 0; i < n; i++)
		if (res[i].fate == OUTBOX_SENT)
			ids[k++] = res[i].id;
	if (k == 0)
		return DB_OK;
	if ((json = ids_json(a, ids, k)) == NULL)
		return DB_ERR;
	/*
	 * Sent is sent, whoever holds the lease now.  lease_owner stays: it
	 * names the claim that sent the row, and clearing it rewrote
	 * ix_outbox_lease once more for every push (a third of this
	 * statement's cost); no claim looks at a row that is not PENDING.
	 * The ids drive the join (STRAIGHT_JOIN): with few PENDING rows the
	 * optimizer read outbox by state first and locked every PENDING row
	 * for the statement, and a claim running meanwhile on another
	 * connection (the relay's own database thread, or a second relay)
	 * skipped them all, so they waited for the next poll.
	 */
	return db_exec(db,
	    "UPDATE JSON_TABLE(?, '$[*]' COLUMNS "
	    "(id BIGINT UNSIGNED PATH '$')) j STRAIGHT_JOIN outbox o "
	    "ON o.outbox_id = j.id "
	    "SET o.state = 'SENT', o.sent_at = NOW(3), "
	    "o.lease_until = NULL, o.last_error = NULL "
	    "WHERE o.state = 'PENDING'",
	    "s", json);
}

static int
settle_one(struct db *db, const char *owner, const struct outbox_result *r)
{
	int rc;

	switch (r->fate) {
	case OUTBOX_SENT:
		return DB_OK;
	case OUTBOX_RETRY:
		return db_exec(db,
		    "UPDATE outbox SET not_before = NOW(3) + INTERVAL ? "
		    "MICROSECOND, lease_owner = NULL, lease_until = NULL, "
		    "last_error = ? WHERE outbox_id = ? AND state = 'PENDING' "
		    "AND lease_owner = ?",
		    "IsIs", r->delay_ms * 1000, r->error, r->id, owner);
	case OUTBOX_RELEASE:
		return db_exec(db,
		    "UPDATE outbox SET lease_owner = NULL, lease_until = NULL, "
		    "tries = IF(tries > 0, tries - 1, 0) WHERE outbox_id = ? "
		    "AND state = 'PENDING' AND lease_owner = ?",
		    "Is", r->id, owner);
	case OUTBOX_DROPPED:
	case OUTBOX_FAILED:
		rc = db_exec(db,
		    "UPDATE outbox SET state = ?, lease_owner = NULL, "
		    "lease_until = NULL, last_error = ? WHERE outbox_id = ? "
		    "AND state = 'PENDING'",
		    "ssI", fate_state[r->fate], r->error, r->id);
		if (rc != DB_OK || r->clear_device <= 0)
			return rc;
		if (r->clear_web) /* the push service forgot it: 404/410 */
			return db_exec(db,
			    "DELETE FROM web_push_subscription "
			    "WHERE device_id = ? AND endpoint = ?",
			    "Is", r->clear_device, r->clear_token);
		/* Only the token that was refused: the app may have a new one. */
		return db_exec(db,
		    "UPDATE device SET push_token = NULL "
		    "WHERE device_id = ? AND push_token = ?",
		    "Is", r->clear_device, r->clear_token);
	}
	return DB_ERR;
}

static int
settle(struct db *db, struct arena *a, const char *owner,
    const struct outbox_result *res, int n, const char *const *names,
    const long long *values, int nstats)
{
	int rc, i;

	if ((rc = db_begin(db)) != DB_OK)
		return rc;
	if ((rc = settle_sent(db, a, res, n)) != DB_OK)
		goto fail;
	for (i = 0; i < n; i++)
		if ((rc = settle_one(db, owner, &res[i])) != DB_OK)
			goto fail;
	for (i = 0; i < nstats; i++) {
		if (values[i] == 0)
			continue;
		rc = db_exec(db,
		    "INSERT INTO relay_stat (name, value, updated_at) "
		    "VALUES (?, ?, NOW(3)) ON DUPLICATE KEY UPDATE "
		    "value = value + VALUES(value), updated_at = NOW(3)",
		    "sI", names[i], values[i]);
		if (rc != DB_OK)
			goto fail;
	}
	return db_commit(db);
fail:
	db_rollback(db);
	return rc;
}

int
outbox_settle(struct db *db, struct arena *a, const char *owner,
    const struct outbox_result *res, int n, const char *const *names,
    const long long *values, int nstats)
{
	int rc, attempt;

	for (attempt = 0; attempt < 3; attempt++)
		if ((rc = settle(db, a, owner, res, n, names, values,
			 nstats)) != DB_DEADLOCK)
			break;
	if (rc != DB_OK)
		log_error("outbox: settling %d rows failed (%d); will try "
			  "again, else their leases run out and they are "
			  "retried",
		    n, rc);
	return rc;
}
