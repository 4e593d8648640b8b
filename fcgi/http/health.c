/*
 * health.c - GET /healthz: 200 when this worker thread reaches MariaDB,
 * 503 otherwise.  The ping reconnects, so a restarted database is picked up
 * without restarting the workers.  nchan's Redis is reported ("redis": up,
 * down, or off when REDIS_URL is empty) but a Redis that is down leaves
 * the answer 200 and "degraded": submits are still taken and stored, only
 * live delivery waits, so a load balancer must not take the node out.  The
 * Redis answer is at most REDIS_CACHE_MS old.
 */
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "db.h"
#include "health.h"
#include "redisping.h"

/* Short: a health check must answer before its prober gives up. */
#define REDIS_PING_MS 500
/* /healthz is the benchmarks' baseline and a prober's: one PING a second
 * per process, not one per request. */
#define REDIS_CACHE_MS 1000

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static const char *
redis_state(const struct config *cfg)
{
	static _Atomic long checked_at;
	static _Atomic int up;
	long now = now_ms(), at = atomic_load(&checked_at);

	if (cfg == NULL || cfg->redis_url == NULL || cfg->redis_url[0] == '\0')
		return "off";
	/* One thread pings when the answer is stale; the others use it. */
	if (at == 0 || now - at >= REDIS_CACHE_MS) {
		if (atomic_compare_exchange_strong(&checked_at, &at, now))
			atomic_store(&up,
			    redisping(cfg->redis_url, REDIS_PING_MS) == 1);
		else if (at == 0)
			return "down"; /* the first ping is still out */
	}
	return atomic_load(&up) ? "up" : "down";
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
