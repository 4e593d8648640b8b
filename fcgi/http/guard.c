/*
 * guard.c - what is enforced on every authenticated request before a
 * handler runs, and the rate limiter for guessable endpoints.
 *
 * Tokens live 15 minutes, but a blocked account or a replaced phone must be
 * out within one request, so each call re-reads the device and the account.
 * Per-account rate limits are fixed-window counters in MariaDB (workers
 * keep no state): one row per key holding the current window and its
 * count, one upsert per hit.  Inside a transaction the row's lock also
 * orders the key's requests (a student's submits run one at a time).
 * Per-address limits live in nginx (limit_req), which keeps them in
 * memory and never makes students behind one campus NAT wait on a row.
 */
#include <string.h>
#include <time.h>

#include "db.h"
#include "guard.h"
#include "log.h"

int
guard_account(struct http_req *r, const char **code, const char **msg)
{
	struct db_rows rows;
	int rc;
	const char *sql;

	if (r->auth.role == ROLE_STUDENT)
		sql =
		    "SELECT d.active, s.verified, s.blocked, 'student' "
		    "FROM device d JOIN student s ON s.student_email = d.user_email "
		    "WHERE d.device_id = ? AND d.user_email = ?";
	else
		sql =
		    "SELECT d.active, t.verified, t.blocked, t.role "
		    "FROM device d JOIN teacher t ON t.teacher_email = d.user_email "
		    "WHERE d.device_id = ? AND d.user_email = ?";
	rc = db_query_one(r->db, r->arena, &rows, sql, "Is",
	    (long long)r->auth.device_id, r->auth.email);
	if (rc == DB_NOTFOUND)
		return *code = "device_inactive",
		       *msg = "this device is not registered for the account",
		       401;
	if (rc != DB_OK)
		return *code = "db_unavailable",
		       *msg = "the database is not reachable", 503;
	if (db_get_int(&rows, 0, 2))
		return *code = "account_blocked",
		       *msg = "the account is blocked; ask an administrator",
		       403;
	if (!db_get_int(&rows, 0, 1))
		return *code = "not_verified",
		       *msg = "the account is not verified", 403;
	/* A promoted or demoted account signs in again: the token's
	 * role is what the router checked. */
	if (token_role_from_name(db_get(&rows, 0, 3)) != r->auth.role)
		return *code = "role_changed",
		       *msg = "the account's role has changed; sign in again",
		       401;
	if (!db_get_int(&rows, 0, 0))
		return *code = "device_inactive",
		       *msg = "this device is no longer active for the account",
		       401;
	return 0;
}

int
guard_session(struct http_req *r)
{
	const char *code, *msg;
	int status = guard_account(r, &code, &msg);

	return status ? http_reply_error(r, status, code, "%s", msg) : 0;
}

int
guard_late(struct http_req *r, const char **code, const char **msg)
{
	int status;

	if (!r->guard_owed)
		return 0;
	if ((status = guard_account(r, code, msg)) == 0)
		r->guard_owed = 0;
	return status;
}

void
guard_settle(struct http_req *r)
{
	r->guard_owed = 0;
}

/* The fixed window a hit at now falls in. */
long long
guard_window_start(long long now, long window_s)
{
	return now - now % window_s;
}

int
guard_rate(struct http_req *r, const char *key, long limit, long window_s)
{
	long long now = (long long)time(NULL), start, hits;
	char ra[32];
	int rc;

	if (window_s <= 0)
		window_s = 60;
	start = guard_window_start(now, window_s);
	/*
	 * One statement: LAST_INSERT_ID(expr) hands the new count back in
	 * the OK packet.  Inside a caller's transaction the hit commits (or
	 * not) with the work it guards.
	 */
	rc = db_exec(r->db,
	    "INSERT INTO rate_limit (rl_key, window_start, hits) "
	    "VALUES (?, FROM_UNIXTIME(?), LAST_INSERT_ID(1)) "
	    "ON DUPLICATE KEY UPDATE hits = LAST_INSERT_ID(IF(window_start = "
	    "VALUES(window_start), hits + 1, 1)), "
	    "window_start = VALUES(window_start)",
	    "sI", key, start);
	if (rc != DB_OK) {
		/* Fail open: a limiter outage must not stop attendance. */
		log_warn("rate: cannot count '%s'", key);
		return 0;
	}
	hits = db_insert_id(r->db);
	if (hits <= limit)
		return 0;
	snprintf(ra, sizeof(ra), "%lld", start + window_s - now);
	http_add_header(r, "Retry-After", ra);
	return http_reply_error(r, 429, "rate_limited",
	    "too many attempts; try again in %s s", ra);
}
