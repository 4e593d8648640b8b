/*
 * health.c - GET /healthz: 200 when this worker thread reaches MariaDB,
 * 503 otherwise.  The ping reconnects, so a restarted database is picked up
 * without restarting the workers.  nchan's Redis is reported ("redis": up,
 * down, or off when REDIS_URL is empty) but a Redis that is down leaves
 * the answer 200 and "degraded": submits are still taken and stored, only
 * live delivery waits, so a load balancer must not take the node out.
 */
#include <string.h>
#include <time.h>

#include "config.h"
#include "db.h"
#include "health.h"
#include "redisping.h"

/* Short: a health check must answer before its prober gives up. */
#define REDIS_PING_MS 500

static const char *
redis_state(const struct config *cfg)
{
	if (cfg == NULL || cfg->redis_url == NULL || cfg->redis_url[0] == '\0')
		return "off";
	return redisping(cfg->redis_url, REDIS_PING_MS) == 1 ? "up" : "down";
}

int
health_get(struct http_req *r)
{
	const char *redis = redis_state(r->cfg);
	json_t *body;

	if (db_ping(r->db) != DB_OK) {
		body = json_pack("{s:s,s:s,s:s,s:{s:s,s:s}}", "status",
		    "degraded", "db", "down", "redis", redis, "error", "code",
		    "db_unavailable", "message",
		    "the database is not reachable");
		return http_reply_json(r, 503, body);
	}
	body = json_pack("{s:s,s:s,s:s,s:I}", "status",
	    strcmp(redis, "down") == 0 ? "degraded" : "ok", "db", "up", "redis",
	    redis, "time", (json_int_t)time(NULL));
	return http_reply_json(r, 200, body);
}
