/*
 * test_metrics.c - GET /metrics on the test stack: the counters move with
 * requests, a submit, a batch and a worker restart; the outbox, relay and
 * nchan series are there; and a peer other than 127.0.0.1 gets 404 whatever
 * forwarding headers it sends (nginx passes the TCP peer as REMOTE_ADDR).
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "db.h"
#include "it.h"

/* The value of the series that starts with name (with its labels); -1. */
static double
metric(const char *body, const char *name)
{
	const char *p = body;
	size_t n = strlen(name);

	while ((p = strstr(p, name)) != NULL) {
		if ((p == body || p[-1] == '\n') && p[n] == ' ')
			return strtod(p + n + 1, NULL);
		p += n;
	}
	return -1;
}

static char *
scrape(void)
{
	struct it_resp r;
	char *body;

	cr_assert_eq(it_get("/metrics", NULL, &r), 0);
	cr_assert_eq(r.status, 200, "%d %s", r.status, r.body);
	cr_assert(strncmp(r.content_type, "text/plain", 10) == 0);
	body = strdup(r.body);
	it_resp_free(&r);
	return body;
}

#define HEALTHZ \
	"ehazira_http_requests_total{method=\"GET\",route=\"/healthz\",code=\"200\"}"
#define NO_WINDOW "ehazira_submits_total{verdict=\"no_window\"}"
#define SUBMIT_404 \
	"ehazira_http_requests_total{method=\"POST\",route=\"/attendance/submit\",code=\"404\"}"
#define BATCHES "ehazira_submit_batch_size_count"
#define LAT \
	"ehazira_http_request_duration_seconds_count{method=\"GET\",route=\"/healthz\"}"

/* A student with an active device in a class of its own; a token. */
static char *
student_token(void)
{
	char name[128], email[128], uuid[64];
	long long dep, cls, dev;

	snprintf(name, sizeof(name), "Metrics dept %s", it_uniq());
	cr_assert_eq(it_sql("INSERT INTO department (department_name) "
			    "VALUES (?)",
			 "s", name),
	    DB_OK);
	dep = it_sql_int("SELECT department_id FROM department WHERE "
			 "department_name = ?",
	    "s", name);
	cr_assert_eq(it_sql("INSERT INTO class (department_id, batch, "
			    "semester, section) VALUES (?, '2025', 1, 'M')",
			 "I", dep),
	    DB_OK);
	cls = it_sql_int("SELECT class_id FROM class WHERE department_id = ?",
	    "I", dep);
	snprintf(email, sizeof(email), "metrics-%s@it.edu", it_uniq());
	cr_assert_eq(it_sql("INSERT INTO student (student_email, name, "
			    "roll_no, class_id, verified) VALUES (?, 'M', "
			    "'01', ?, 1)",
			 "sI", email, cls),
	    DB_OK);
	snprintf(uuid, sizeof(uuid), "metrics-dev-%s", it_uniq());
	cr_assert_eq(it_sql("INSERT INTO device (user_email, role, "
			    "device_uuid, fingerprint_hash, platform, active, "
			    "approval) VALUES (?, 'student', ?, SHA2(?, 256), "
			    "'ANDROID', 1, 'ACTIVE')",
			 "sss", email, uuid, uuid),
	    DB_OK);
	dev = it_sql_int("SELECT device_id FROM device WHERE device_uuid = ?",
	    "s", uuid);
	return it_token(email, "student", dev, 900);
}

Test(metrics, counters_move_with_requests_and_a_submit)
{
	struct it_resp r;
	char *before, *after, *tok;
	int i;

	IT_REQUIRE_STACK();
	tok = student_token();
	before = scrape();
	for (i = 0; i < 3; i++) {
		cr_assert_eq(it_get("/healthz", NULL, &r), 0);
		it_resp_free(&r);
	}
	cr_assert_eq(it_post_json("/attendance/submit", tok,
			 "{\"session_id\":4294967000,\"otp\":\"1234\"}", &r),
	    0);
	cr_assert_eq(r.status, 404, "%s", r.body);
	cr_assert_str_eq(it_error_code(&r), "no_window");
	it_resp_free(&r);
	after = scrape();
	cr_assert_geq(metric(after, HEALTHZ),
	    (metric(before, HEALTHZ) > 0 ? metric(before, HEALTHZ) : 0) + 3);
	cr_assert_geq(metric(after, LAT), 3);
	cr_assert_eq(metric(after, NO_WINDOW), metric(before, NO_WINDOW) + 1);
	cr_assert_geq(metric(after, SUBMIT_404), 1);
	cr_assert_geq(metric(after, BATCHES), metric(before, BATCHES) + 1);
	cr_assert_eq(metric(after, "ehazira_db_up"), 1);
	cr_assert_eq(metric(after, "ehazira_nchan_up"), 1);
	cr_assert_geq(metric(after, "ehazira_ws_subscribers"), 0);
	cr_assert_geq(metric(after, "ehazira_outbox_oldest_pending_seconds"),
	    0);
	free(before);
	free(after);
}

/*
 * GET /metrics from 127.0.0.2 (any 127/8 address reaches the stack's
 * 127.0.0.1 listener) claiming 127.0.0.1 in every forwarding header; the
 * status code of the answer.
 */
static int
get_from_other_peer(void)
{
	struct sockaddr_in src = { .sin_family = AF_INET }, dst = src;
	const char *port = getenv("EHAZIRA_HTTP_PORT");
	char req[] = "GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\n"
		     "X-Real-IP: 127.0.0.1\r\nX-Forwarded-For: 127.0.0.1\r\n"
		     "Forwarded: for=127.0.0.1\r\n\r\n";
	char buf[256] = "";
	int fd = socket(AF_INET, SOCK_STREAM, 0), status = -1;

	inet_pton(AF_INET, "127.0.0.2", &src.sin_addr);
	inet_pton(AF_INET, "127.0.0.1", &dst.sin_addr);
	dst.sin_port = htons((unsigned short)atoi(port ? port : "8080"));
	if (fd >= 0 && bind(fd, (struct sockaddr *)&src, sizeof(src)) == 0 &&
	    connect(fd, (struct sockaddr *)&dst, sizeof(dst)) == 0 &&
	    write(fd, req, strlen(req)) == (ssize_t)strlen(req) &&
	    read(fd, buf, sizeof(buf) - 1) > 12)
		sscanf(buf, "HTTP/1.%*d %d", &status);
	if (fd >= 0)
		close(fd);
	return status;
}

Test(metrics, another_peer_gets_404_whatever_headers_it_forges)
{
	IT_REQUIRE_STACK();
	cr_assert_eq(get_from_other_peer(), 404);
}

/* The first child of the fcgi parent, from /proc. */
static int
worker_child(void)
{
	char path[128];
	FILE *fp;
	int parent = it_pid("fcgi"), child = 0;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", parent,
	    parent);
	if ((fp = fopen(path, "r")) != NULL) {
		if (fscanf(fp, "%d", &child) != 1)
			child = 0;
		fclose(fp);
	}
	return child;
}

/*
 * SIGTERM, not SIGKILL: the child leaves through exit() either way for the
 * parent (a death to respawn), and a clean exit keeps its coverage counts
 * (make coverage) and its leak report.
 */
Test(metrics, a_worker_that_dies_counts_as_a_restart)
{
	struct it_resp r;
	char *before, *after;
	int child, i, up = 0;

	IT_REQUIRE_STACK();
	before = scrape();
	child = worker_child();
	cr_assert_gt(child, 0);
	cr_assert_eq(kill(child, SIGTERM), 0);
	/* the parent respawns it: wait for the new one to answer */
	for (i = 0; i < 200 && !up; i++) {
		if (worker_child() != child &&
		    it_get("/healthz", NULL, &r) == 0) {
			up = r.status == 200;
			it_resp_free(&r);
		}
		if (!up)
			usleep(50000);
	}
	cr_assert(up, "no worker came back");
	after = scrape();
	cr_assert_eq(metric(after, "ehazira_worker_restarts_total"),
	    metric(before, "ehazira_worker_restarts_total") + 1);
	free(before);
	free(after);
}
