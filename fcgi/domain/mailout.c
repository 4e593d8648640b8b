/*
 * mailout.c - the mail lane of the outbox.
 *
 * E-mails ride in the outbox table so they get what pushes get: queued in
 * the transaction of what causes them, claimed with SKIP LOCKED and a
 * lease, retried with backoff, settled once.  Two things differ, and live
 * here: an idempotency key (a UNIQUE column, so the digest command and the
 * warnings can run again without sending anything twice), and the end of
 * a row's life, which is FAILED after its validity period (an e-mail that
 * was never delivered is a failure to see, not a pointless push to drop).
 * The push job's claim and sweep skip "mail.%" rows (outbox.c), this
 * lane's take only those.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "mailmsg.h"
#include "mailout.h"

int
mailout_queue(struct db *db, const char *kind, const char *idem_key,
    const char *to, const char *subject, const char *text, const char *lang,
    long long expires_ms, int *queued)
{
	json_t *p;
	char *payload;
	int rc;

	if (queued)
		*queued = 0;
	if (!mailmsg_addr_valid(to) || strncmp(kind, "mail.", 5) != 0) {
		log_warn("mail: not queued: invalid address or kind (%s)",
		    kind);
		return DB_ERR;
	}
	p = json_pack("{s:s,s:s,s:s,s:s}", "to", to, "subject",
	    subject ? subject : "", "text", text ? text : "", "lang",
	    lang ? lang : "en");
	payload = p ? json_dumps(p, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(p);
	if (payload == NULL)
		return DB_ERR;
	rc = db_exec(db,
	    "INSERT INTO outbox (kind, idem_key, payload, expires_at) "
	    "VALUES (?, ?, ?, FROM_UNIXTIME(? / 1000))",
	    "sssI", kind, idem_key, payload, expires_ms);
	free(payload);
	if (rc == DB_CONFLICT) /* queued before: the key says it is one */
		return DB_OK;
	if (rc == DB_OK && queued)
		*queued = 1;
	return rc;
}

/* "[id,...]" of the rows to lease. */
static char *
ids_json(struct arena *a, const struct db_rows *r)
{
	size_t cap = (size_t)r->nrows * 21 + 3, len = 0;
	char *s = arena_alloc(a, cap);
	int i;

	if (s == NULL)
		return NULL;
	s[len++] = '[';
	for (i = 0; i < r->nrows; i++)
		len += (size_t)snprintf(s + len, cap - len, "%s%lld",
		    i ? "," : "", db_get_int(r, i, 0));
	s[len++] = ']';
	s[len] = '\0';
	return s;
}

static int
lease(struct db *db, struct arena *a, const char *owner, int lease_s, int limit,
    int *n)
{
	struct db_rows r;
	char *json;
	int rc;

	*n = 0;
	if ((rc = db_begin(db)) != DB_OK)
		return rc;
	rc = db_query(db, a, &r,
	    "SELECT outbox_id FROM outbox WHERE state = 'PENDING' "
	    "AND kind LIKE 'mail.%' AND not_before <= NOW(3) "
	    "AND (lease_until IS NULL OR lease_until < NOW(3)) "
	    "AND (expires_at IS NULL OR expires_at > NOW(3)) "
	    "ORDER BY not_before, outbox_id LIMIT ? FOR UPDATE SKIP LOCKED",
	    "i", limit);
	if (rc != DB_OK || r.nrows == 0)
		goto out;
	if ((json = ids_json(a, &r)) == NULL) {
		rc = DB_ERR;
		goto out;
	}
	rc = db_exec(db,
	    "UPDATE outbox o JOIN JSON_TABLE(?, '$[*]' COLUMNS "
	    "(id BIGINT UNSIGNED PATH '$')) j ON o.outbox_id = j.id "
	    "SET o.lease_owner = ?, "
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

static const char *
field(struct arena *a, json_t *p, const char *key, const char *def)
{
	const char *v = json_string_value(json_object_get(p, key));

	return arena_strdup(a, v ? v : def);
}

static void
fill(struct mailout_row *m, struct arena *a, struct db_rows *r, int i)
{
	json_t *p = json_loads(db_get(r, i, 6) ? db_get(r, i, 6) : "", 0, NULL);
	const char *to = json_string_value(json_object_get(p, "to"));

	m->id = db_get_int(r, i, 0);
	m->created_ms = db_get_int(r, i, 1);
	m->expires_ms = db_get_int(r, i, 2);
	m->tries = (int)db_get_int(r, i, 3);
	m->kind = db_get(r, i, 4);
	m->idem_key = db_get(r, i, 5);
	m->to = to ? arena_strdup(a, to) : NULL;
	m->subject = field(a, p, "subject", "");
	m->text = field(a, p, "text", "");
	m->lang = field(a, p, "lang", "en");
	json_decref(p);
}

int
mailout_claim(struct db *db, struct arena *a, const char *owner, int lease_s,
    int limit, struct mailout_row **rows, int *n)
{
	struct db_rows r;
	struct mailout_row *out;
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
	    "SELECT outbox_id, "
	    "CAST(ROUND(UNIX_TIMESTAMP(created_at) * 1000) AS SIGNED), "
	    "CAST(ROUND(UNIX_TIMESTAMP(expires_at) * 1000) AS SIGNED), "
	    "tries, kind, idem_key, payload FROM outbox "
	    "WHERE state = 'PENDING' AND lease_owner = ? ORDER BY outbox_id",
	    "s", owner);
	if (rc != DB_OK)
		return rc;
	out = arena_alloc(a, sizeof(*out) * (size_t)(r.nrows ? r.nrows : 1));
	if (out == NULL)
		return DB_ERR;
	for (i = 0; i < r.nrows; i++)
		fill(&out[i], a, &r, i);
	*rows = out;
	*n = r.nrows;
	return DB_OK;
}

int
mailout_sweep(struct db *db, long long *failed)
{
	int rc;

	*failed = 0;
	rc = db_exec(db,
	    "UPDATE outbox SET state = 'FAILED', "
	    "last_error = CONCAT('gave up: not delivered within its "
	    "validity; last: ', COALESCE(LEFT(last_error, 180), 'no try')), "
	    "lease_owner = NULL, lease_until = NULL "
	    "WHERE state = 'PENDING' AND kind LIKE 'mail.%' "
	    "AND expires_at <= NOW(3) "
	    "AND (lease_until IS NULL OR lease_until < NOW(3))",
	    "");
	if (rc == DB_OK)
		*failed = db_affected(db);
	return rc;
}
