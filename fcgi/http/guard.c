/*
 * guard.c - what is enforced on every authenticated request before a
 * handler runs: the device and account re-check.
 *
 * Tokens live 15 minutes, but a blocked account or a replaced phone must be
 * out within one request, so each call re-reads the device and the account.
 */
#include <string.h>

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
