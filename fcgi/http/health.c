/*
 * health.c - GET /healthz: 200 when this worker thread reaches MariaDB,
 * 503 otherwise.  The ping reconnects, so a restarted database is picked up
 * without restarting the workers.
 */
#include <time.h>

#include "db.h"
#include "health.h"

int
health_get(struct http_req *r)
{
	json_t *body;

	if (db_ping(r->db) != DB_OK) {
		body = json_pack("{s:s,s:s,s:{s:s,s:s}}", "status", "degraded",
		    "db", "down", "error", "code", "db_unavailable", "message",
		    "the database is not reachable");
		return http_reply_json(r, 503, body);
	}
	body = json_pack("{s:s,s:s,s:I}", "status", "ok", "db", "up", "time",
	    (json_int_t)time(NULL));
	return http_reply_json(r, 200, body);
}
