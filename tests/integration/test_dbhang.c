/*
 * test_dbhang.c - the stack under a database that hangs (SIGSTOP of
 * mariadbd: the socket stays open, nothing answers) and under workers
 * that died: answers come within a few seconds and are JSON 503s, the
 * WebSocket upgrade is a 503 (not nginx's 500 of a failed auth_request),
 * and a frame sent while the workers are dead is answered by a retryable
 * error frame on an open socket (not a close with 1008).  It stops parts
 * of the stack, so tests/run runs it after the other binaries
 * (LAST_INTEGRATION).
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "it.h"
#include "ws.h"

static int stopped_db;

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
port(void)
{
	const char *p = getenv("EHAZIRA_HTTP_PORT");

	return p ? atoi(p) : 8080;
}

/* Whatever a test did, the database runs again afterwards. */
static void
resume_db(void)
{
	if (stopped_db > 0)
		kill(stopped_db, SIGCONT);
	stopped_db = 0;
}

static void
hang_db(void)
{
	stopped_db = it_pid("mariadb");
	cr_assert_gt(stopped_db, 0);
	cr_assert_eq(kill(stopped_db, SIGSTOP), 0);
}

/* A student of a class, with an active device; its access token. */
static char *
student_token(void)
{
	char email[128], uuid[64], dept[96];
	long long dev, dep, cls;

	snprintf(dept, sizeof(dept), "Hang %s %d", it_uniq(), rand());
	cr_assert_eq(it_sql("INSERT INTO department (department_name) "
			    "VALUES (?)",
			 "s", dept),
	    DB_OK);
	dep = it_sql_int("SELECT department_id FROM department WHERE "
			 "department_name = ?",
	    "s", dept);
	cr_assert_eq(it_sql("INSERT INTO class (department_id, batch, "
			    "semester, section) VALUES (?, '2025', 1, 'A')",
			 "I", dep),
	    DB_OK);
	cls = it_sql_int("SELECT class_id FROM class WHERE department_id = ?",
	    "I", dep);
	snprintf(email, sizeof(email), "hang-%s-%d@it.edu", it_uniq(), rand());
	cr_assert_eq(it_sql("INSERT INTO student (student_email, name, "
			    "roll_no, class_id, verified) VALUES (?, 'S', "
			    "'01', ?, 1)",
			 "sI", email, cls),
	    DB_OK);
	snprintf(uuid, sizeof(uuid), "hang-%s-%d", it_uniq(), rand());
	cr_assert_eq(it_sql("INSERT INTO device (user_email, role, "
			    "device_uuid, fingerprint_hash, platform, active, "
			    "approval) VALUES (?, 'student', ?, SHA2(?, 256), "
			    "'ANDROID', 1, 'ACTIVE')",
			 "sss", email, uuid, uuid),
	    DB_OK);
	dev = it_sql_int("SELECT device_id FROM device WHERE device_uuid = ?",
	    "s", uuid);
	return strdup(it_token(email, "student", dev, 900));
}

/* Waits up to timeout_s for /healthz to answer want. */
static int
health_becomes(long want, int timeout_s)
{
	long long end = now_ms() + timeout_s * 1000LL;
	struct it_resp r;
	long s;

	do {
		s = -1;
		if (it_get("/healthz", NULL, &r) == 0) {
			s = r.status;
			it_resp_free(&r);
		}
		if (s == want)
			return 1;
		usleep(200000);
	} while (now_ms() < end);
	return 0;
}

/* kill -9 of the workers' parent, then of its children (which would
 * otherwise go on serving, or be forked anew). */
static void
kill_workers(int parent)
{
	char path[64];
	int kids[64], n = 0, i;
	FILE *fp;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", parent,
	    parent);
	if ((fp = fopen(path, "r")) != NULL) {
		while (n < 64 && fscanf(fp, "%d", &kids[n]) == 1)
			n++;
		fclose(fp);
	}
	cr_assert_gt(n, 0, "the workers' processes");
	cr_assert_eq(kill(parent, SIGKILL), 0);
	for (i = 0; i < n; i++)
		kill(kids[i], SIGKILL);
	for (i = 0; i < n; i++)
		while (kill(kids[i], 0) == 0)
			usleep(10000);
}

/*
 * A pong on a new socket.  scripts/stack up reloads nginx, and
 * `nginx -s reload` returns before the old workers have stopped: a socket
 * an old worker accepted dies with it.  So a socket that gets no pong is
 * replaced, for up to 15 s in all.
 */
static json_t *
pong_on_a_new_socket(const char *offer)
{
	long long end = now_ms() + 15000;
	struct ws *w;
	json_t *j = NULL;
	int status;

	while (j == NULL && now_ms() < end) {
		w = ws_connect(port(), "/ws", offer, 5000, &status);
		if (w && ws_send_text(w, "{\"type\":\"ping\"}") == 0)
			j = ws_expect_type(w, "pong", 3000);
		ws_close(w);
	}
	return j;
}

TestSuite(dbhang, .fini = resume_db);

Test(dbhang, a_hung_database_is_a_json_503_within_seconds_everywhere,
    .timeout = 120)
{
	long bound = it_config()->db_timeout * 2000 + 1500;
	char *tok, offer[4200];
	struct it_resp r;
	struct ws *w;
	long long t0;
	int status = 0;

	IT_REQUIRE_STACK();
	tok = student_token();
	cr_assert(health_becomes(200, 10));
	hang_db();

	t0 = now_ms();
	cr_assert_eq(it_get("/healthz", NULL, &r), 0);
	cr_assert_eq(r.status, 503, "%s", r.body);
	cr_assert_str_eq(it_error_code(&r), "db_unavailable");
	cr_assert_leq(now_ms() - t0, bound, "healthz took %lld ms",
	    now_ms() - t0);
	it_resp_free(&r);

	t0 = now_ms();
	cr_assert_eq(it_get("/me", tok, &r), 0);
	cr_assert_eq(r.status, 503, "%ld %s", r.status, r.body);
	cr_assert_not_null(r.json, "a JSON body: %s", r.body);
	cr_assert_leq(now_ms() - t0, bound, "an API call took %lld ms",
	    now_ms() - t0);
	it_resp_free(&r);

	/* The upgrade's auth subrequest (token in the subprotocol) meets
	 * the same database. */
	snprintf(offer, sizeof(offer), "bearer.%s", tok);
	t0 = now_ms();
	w = ws_connect(port(), "/ws", offer, 15000, &status);
	cr_assert_null(w);
	cr_assert_eq(status, 503, "the upgrade answered %d", status);
	cr_assert_leq(now_ms() - t0, bound, "the upgrade took %lld ms",
	    now_ms() - t0);

	resume_db();
	cr_assert(health_becomes(200, 15), "healthy once it answers again");
	free(tok);
}

Test(dbhang, a_frame_sent_while_the_workers_are_dead_gets_a_retryable_error,
    .timeout = 120)
{
	char *tok, offer[4200];
	struct ws *w;
	json_t *j;
	int status = 0, pid;

	IT_REQUIRE_STACK();
	tok = student_token();
	snprintf(offer, sizeof(offer), "bearer.%s", tok);
	w = ws_connect(port(), "/ws", offer, 5000, &status);
	cr_assert_not_null(w, "upgrade %d", status);
	pid = it_pid("fcgi");
	cr_assert_gt(pid, 0);
	kill_workers(pid);

	cr_assert_eq(ws_send_text(w, "{\"type\":\"ping\"}"), 0);
	j = ws_expect_type(w, "error", 10000);
	cr_assert_not_null(j, "an error frame (socket closed: %d)",
	    ws_closed(w));
	cr_assert_eq(json_integer_value(json_object_get(j, "status_code")),
	    503);
	cr_assert(json_is_true(json_object_get(j, "retryable")));
	cr_assert_str_eq(json_string_value(
			     json_object_get(json_object_get(j, "error"),
				 "code")),
	    "unavailable");
	json_decref(j);
	cr_assert_not(ws_closed(w), "the socket stays open");

	/* Workers back: a new socket gets its answers again. */
	ws_close(w);
	cr_assert_eq(it_stack("up"), 0);
	j = pong_on_a_new_socket(offer);
	cr_assert_not_null(j, "a pong once the workers are back");
	json_decref(j);
	free(tok);
}
