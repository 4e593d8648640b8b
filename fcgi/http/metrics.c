/*
 * metrics.c - GET /metrics in the Prometheus text format (version 0.0.4).
 *
 * Four sources, read at scrape time: the workers' shared counters
 * (stats.h: requests, latency, submit verdicts and batches, DB errors,
 * worker restarts), the database (outbox depth and age, the relay's
 * counters in relay_stat: the relay is another process and keeps them
 * there), nchan's stub status through the publisher socket (WebSocket
 * subscribers) and a PING to nchan's Redis (ehazira_redis_up).  A source
 * that cannot be read says so in its *_up gauge and leaves its series out, so a dead database never fails the scrape.
 * docs/metrics.md lists every series and example alert rules.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "db.h"
#include "metrics.h"
#include "redisping.h"
#include "router.h"
#include "stats.h"

static void
pf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
pf(struct buf *b, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n > 0)
		buf_append(b, line,
		    (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

static uint64_t
ld(const _Atomic uint64_t *c)
{
	return atomic_load_explicit(c, memory_order_relaxed);
}

static void
route_label(char *out, size_t n, const struct route *t, size_t nroutes,
    unsigned row)
{
	if (row < nroutes)
		snprintf(out, n, "method=\"%s\",route=\"%s\"", t[row].method,
		    t[row].pattern);
	else
		snprintf(out, n, "method=\"\",route=\"unmatched\"");
}

static void
requests(struct buf *b, const struct stats_block *s)
{
	size_t nroutes, row, i;
	const struct route *t = router_table(&nroutes);
	char lab[256];

	pf(b,
	    "# HELP ehazira_http_requests_total Requests by route and "
	    "status.\n# TYPE ehazira_http_requests_total counter\n");
	for (row = 0; row <= STATS_MAX_ROUTES; row++) {
		route_label(lab, sizeof(lab), t, nroutes, (unsigned)row);
		for (i = 0; i < stats_ncodes; i++) {
			uint64_t v = ld(&s->requests[row][i]);

			if (v == 0)
				continue;
			if (stats_codes[i])
				pf(b,
				    "ehazira_http_requests_total{%s,code=\"%d\"} "
				    "%llu\n",
				    lab, stats_codes[i], (unsigned long long)v);
			else
				pf(b,
				    "ehazira_http_requests_total{%s,code=\"other\"} "
				    "%llu\n",
				    lab, (unsigned long long)v);
		}
	}
}

static void
latency(struct buf *b, const struct stats_block *s)
{
	size_t nroutes, row, i;
	const struct route *t = router_table(&nroutes);
	uint64_t cum;
	char lab[256];

	pf(b,
	    "# HELP ehazira_http_request_duration_seconds Time in the "
	    "router and handler.\n"
	    "# TYPE ehazira_http_request_duration_seconds histogram\n");
	for (row = 0; row <= STATS_MAX_ROUTES; row++) {
		for (i = 0, cum = 0; i < STATS_NLAT; i++)
			cum += ld(&s->lat[row][i]);
		if (cum == 0)
			continue;
		route_label(lab, sizeof(lab), t, nroutes, (unsigned)row);
		for (i = 0, cum = 0; i < STATS_NLAT; i++) {
			cum += ld(&s->lat[row][i]);
			if (i < STATS_NLAT - 1)
				pf(b,
				    "ehazira_http_request_duration_seconds_bucket"
				    "{%s,le=\"%g\"} %llu\n",
				    lab, stats_lat_le[i],
				    (unsigned long long)cum);
		}
		pf(b,
		    "ehazira_http_request_duration_seconds_bucket{%s,"
		    "le=\"+Inf\"} %llu\n",
		    lab, (unsigned long long)cum);
		pf(b, "ehazira_http_request_duration_seconds_sum{%s} %.6f\n",
		    lab, (double)ld(&s->lat_sum_us[row]) / 1e6);
		pf(b, "ehazira_http_request_duration_seconds_count{%s} %llu\n",
		    lab, (unsigned long long)cum);
	}
}

static void
submits(struct buf *b, const struct stats_block *s)
{
	uint64_t cum = 0;
	unsigned i;

	pf(b,
	    "# HELP ehazira_submits_total Attendance submits by verdict "
	    "(HTTP and WebSocket).\n# TYPE ehazira_submits_total counter\n");
	for (i = 0; i < stats_nverdicts; i++)
		pf(b, "ehazira_submits_total{verdict=\"%s\"} %llu\n",
		    stats_verdicts[i], (unsigned long long)ld(&s->verdicts[i]));
	pf(b,
	    "# HELP ehazira_submit_batch_size Submits one leader "
	    "decided together.\n# TYPE ehazira_submit_batch_size "
	    "histogram\n");
	for (i = 0; i < STATS_NBATCH; i++) {
		cum += ld(&s->batch[i]);
		if (i < STATS_NBATCH - 1)
			pf(b,
			    "ehazira_submit_batch_size_bucket{le=\"%u\"} "
			    "%llu\n",
			    stats_batch_le[i], (unsigned long long)cum);
	}
	pf(b, "ehazira_submit_batch_size_bucket{le=\"+Inf\"} %llu\n",
	    (unsigned long long)cum);
	pf(b, "ehazira_submit_batch_size_sum %llu\n",
	    (unsigned long long)ld(&s->batch_sum));
	pf(b, "ehazira_submit_batch_size_count %llu\n",
	    (unsigned long long)cum);
}

static void
counters(struct buf *b, const struct stats_block *s)
{
	static const struct {
		enum stats_counter c;
		const char *name, *help;
	} rows[] = {
		{ STATS_DB_ERRORS, "ehazira_db_errors_total",
		    "Statements that failed (not conflicts or deadlocks)." },
		{ STATS_DB_CONNECT_FAILS, "ehazira_db_connect_failures_total",
		    "Connection attempts that failed." },
		{ STATS_DB_RECONNECTS, "ehazira_db_reconnects_total",
		    "New connections after a lost one." },
		{ STATS_WORKER_RESTARTS, "ehazira_worker_restarts_total",
		    "Worker processes that died and were restarted." },
	};
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		pf(b, "# HELP %s %s\n# TYPE %s counter\n%s %llu\n",
		    rows[i].name, rows[i].help, rows[i].name, rows[i].name,
		    (unsigned long long)ld(&s->counters[rows[i].c]));
}

/* Outbox and relay counters from the database; 0 when it is down. */
static int
from_db(struct buf *b, struct http_req *r)
{
	struct db_rows rows;
	int i;

	if (db_query(r->db, r->arena, &rows,
		"SELECT state, COUNT(*) FROM outbox GROUP BY state",
		"") != DB_OK)
		return 0;
	pf(b,
	    "# HELP ehazira_outbox_messages Outbox rows by state.\n"
	    "# TYPE ehazira_outbox_messages gauge\n");
	for (i = 0; i < rows.nrows; i++)
		pf(b, "ehazira_outbox_messages{state=\"%s\"} %lld\n",
		    db_get(&rows, i, 0), db_get_int(&rows, i, 1));
	if (db_query(r->db, r->arena, &rows,
		"SELECT COALESCE(TIMESTAMPDIFF(MICROSECOND, MIN(created_at), "
		"NOW(3)), 0) FROM outbox WHERE state = 'PENDING'",
		"") != DB_OK)
		return 0;
	pf(b,
	    "# HELP ehazira_outbox_oldest_pending_seconds Age of the "
	    "oldest undelivered event (0: none).\n"
	    "# TYPE ehazira_outbox_oldest_pending_seconds gauge\n"
	    "ehazira_outbox_oldest_pending_seconds %.3f\n",
	    (double)db_get_int(&rows, 0, 0) / 1e6);
	if (db_query(r->db, r->arena, &rows,
		"SELECT name, value FROM relay_stat ORDER BY name",
		"") != DB_OK)
		return 0;
	pf(b,
	    "# HELP ehazira_relay_events_total The relay's counters "
	    "(relay_stat): push.sent, push.failed, push.retried ...\n"
	    "# TYPE ehazira_relay_events_total counter\n");
	for (i = 0; i < rows.nrows; i++)
		pf(b, "ehazira_relay_events_total{event=\"%s\"} %lld\n",
		    db_get(&rows, i, 0), db_get_int(&rows, i, 1));
	return 1;
}

/* nchan's stub status over the publisher socket into out; 0 on failure. */
static int
nchan_status(const struct config *cfg, char *out, size_t n)
{
	static const char req[] = "GET /nchan_status HTTP/1.0\r\n"
				  "Host: localhost\r\n\r\n";
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = 1 };
	size_t got = 0;
	ssize_t k;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), ok = 0;

	if (fd < 0)
		return 0;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", cfg->pub_socket);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    write(fd, req, sizeof(req) - 1) != (ssize_t)(sizeof(req) - 1))
		goto out;
	while (got + 1 < n && (k = read(fd, out + got, n - 1 - got)) > 0)
		got += (size_t)k;
	out[got] = '\0';
	ok = strncmp(out, "HTTP/1.1 200", 12) == 0 ||
	    strncmp(out, "HTTP/1.0 200", 12) == 0;
out:
	close(fd);
	return ok;
}

static void
websockets(struct buf *b, const struct config *cfg)
{
	static const struct {
		const char *field, *name, *type, *help;
	} rows[] = {
		{ "\nsubscribers: ", "ehazira_ws_subscribers", "gauge",
		    "WebSocket subscriptions (nchan)." },
		{ "\nchannels: ", "ehazira_ws_channels", "gauge",
		    "Channels nchan holds." },
		{ "\ntotal published messages: ",
		    "ehazira_ws_published_messages_total", "counter",
		    "Messages published to nchan." },
	};
	char text[4096];
	const char *p;
	size_t i;
	int up = nchan_status(cfg, text, sizeof(text));

	pf(b,
	    "# HELP ehazira_nchan_up nchan's stub status was read.\n"
	    "# TYPE ehazira_nchan_up gauge\nehazira_nchan_up %d\n",
	    up);
	for (i = 0; up && i < sizeof(rows) / sizeof(rows[0]); i++) {
		if ((p = strstr(text, rows[i].field)) == NULL)
			continue;
		pf(b, "# HELP %s %s\n# TYPE %s %s\n%s %lld\n", rows[i].name,
		    rows[i].help, rows[i].name, rows[i].type, rows[i].name,
		    strtoll(p + strlen(rows[i].field), NULL, 10));
	}
}

int
metrics_get(struct http_req *r)
{
	const struct stats_block *s = stats_read();
	struct buf b = { 0 };
	char *body;
	int db_up, status;

	requests(&b, s);
	latency(&b, s);
	submits(&b, s);
	counters(&b, s);
	db_up = from_db(&b, r);
	pf(&b,
	    "# HELP ehazira_db_up The database answered this scrape.\n"
	    "# TYPE ehazira_db_up gauge\nehazira_db_up %d\n",
	    db_up);
	websockets(&b, r->cfg);
	if (r->cfg->redis_url[0] != '\0')
		pf(&b,
		    "# HELP ehazira_redis_up nchan's Redis answered PING "
		    "for this scrape.\n"
		    "# TYPE ehazira_redis_up gauge\nehazira_redis_up %d\n",
		    redisping(r->cfg->redis_url, 500) == 1);
	if (b.p == NULL || (body = arena_strndup(r->arena, b.p, b.n)) == NULL) {
		status = http_reply_error(r, 500, "internal", "internal error");
		goto out;
	}
	status = http_reply_raw(r, 200, "text/plain; version=0.0.4", body, b.n);
out:
	buf_release(&b);
	return status;
}
