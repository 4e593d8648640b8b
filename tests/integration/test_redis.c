/*
 * test_redis.c - nchan on Redis under faults: after kill -9 of an nginx
 * worker the stack restarts nginx and no client, reconnected or new,
 * misses an event (the teacher resumes with last_event_id); with
 * Redis stopped /healthz and /metrics say so, submits are still taken and
 * stored, and events flow again once Redis is back.
 *
 * The WebSocket connects in one place (connect_as) with the token the way
 * the stack takes it.  Each test builds its own class.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "it.h"
#include "itclass.h"
#include "ws.h"

#define MAXS 8

/*
 * The node the WebSockets and pids are of: the test stack, or a front
 * node of it (STATE/node-N) that a test starts for itself.
 */
static int node_port;
static char node_state[2048];

static int
port(void)
{
	const char *p = getenv("EHAZIRA_HTTP_PORT");

	if (node_port)
		return node_port;
	return p ? atoi(p) : 8080;
}

static const char *
state_dir(void)
{
	return node_state[0] ? node_state : getenv("EHAZIRA_STATE");
}

static int
nginx_pid(void)
{
	char path[4200];
	FILE *fp;
	int pid = 0;

	snprintf(path, sizeof(path), "%s/run/nginx.pid", state_dir());
	if ((fp = fopen(path, "r")) != NULL) {
		if (fscanf(fp, "%d", &pid) != 1)
			pid = 0;
		fclose(fp);
	}
	return pid;
}

/*
 * Moves this test to front node 2, started here: a test that makes its
 * node's nginx restart does it to nobody else's sockets.  Returns the
 * test stack's URL, for node_leave.
 */
static char *
node_enter(void)
{
	char cmd[4200], url[128] = "";
	char *stack_url = strdup(it_url());
	FILE *fp;

	cr_assert_eq(it_stack("up --node 2"), 0, "scripts/stack up --node 2");
	snprintf(cmd, sizeof(cmd), "%s/scripts/stack url --node 2",
	    getenv("EHAZIRA_TEST_ROOT"));
	cr_assert_not_null(fp = popen(cmd, "r"));
	cr_assert_not_null(fgets(url, sizeof(url), fp));
	pclose(fp);
	url[strcspn(url, "\n")] = '\0';
	node_port = atoi(strrchr(url, ':') + 1);
	snprintf(node_state, sizeof(node_state), "%s/node-2",
	    getenv("EHAZIRA_STATE"));
	setenv("EHAZIRA_TEST_URL", url, 1);
	return stack_url;
}

static void
node_leave(char *stack_url)
{
	setenv("EHAZIRA_TEST_URL", stack_url, 1);
	free(stack_url);
	node_port = 0;
	node_state[0] = '\0';
	cr_assert_eq(it_stack("down --node 2"), 0);
}

/*
 * The one place that knows how the token travels on the upgrade; last is
 * a meta id to resume after, or NULL.
 */
static struct ws *
connect_as(const char *token, const char *last, int *status)
{
	char path[512], offer[4200];

	/* the token travels as a subprotocol, never in the URL (logs) */
	snprintf(path, sizeof(path), "/ws%s%s", last ? "?last_event_id=" : "",
	    last ? last : "");
	snprintf(offer, sizeof(offer), "ws+meta.nchan, bearer.%s", token);
	return ws_connect(port(), path, offer, 5000, status);
}

static struct ws *
must_connect(const char *token)
{
	int status = 0;
	struct ws *w = connect_as(token, NULL, &status);

	cr_assert_not_null(w, "WebSocket upgrade refused (%d)", status);
	return w;
}

/* nginx's worker pids: the master's children. */
static int
nginx_workers(int *pids, int max)
{
	int master = nginx_pid(), n = 0;
	char path[300], line[256];
	DIR *d = opendir("/proc");
	struct dirent *e;

	cr_assert(master > 0 && d != NULL);
	while ((e = readdir(d)) != NULL && n < max) {
		FILE *fp;
		int ppid = 0;

		if (atoi(e->d_name) <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%s/status", e->d_name);
		if ((fp = fopen(path, "r")) == NULL)
			continue;
		while (fgets(line, sizeof(line), fp))
			if (sscanf(line, "PPid: %d", &ppid) == 1)
				break;
		fclose(fp);
		if (ppid == master)
			pids[n++] = atoi(e->d_name);
	}
	closedir(d);
	return n;
}

/* 1 when w gets the start of session sid. */
static int
got_started(struct ws *w, long long sid)
{
	json_t *m = ws_expect_type(w, "attendance.started", 5000);
	int ok = m != NULL &&
	    json_integer_value(json_object_get(m, "session_id")) == sid;

	json_decref(m);
	return ok;
}

/*
 * As an app reconnects: nchan answers 503 until its new workers have
 * reached Redis, so retry that for a while.
 */
static struct ws *
reconnect(const char *token, const char *last)
{
	struct ws *w = NULL;
	int status = 0, tries;

	for (tries = 0; tries < 100 && w == NULL; tries++) {
		if ((w = connect_as(token, last, &status)) == NULL &&
		    status != 503)
			break;
		if (w == NULL)
			usleep(100000);
	}
	cr_assert_not_null(w, "reconnect refused (%d)", status);
	return w;
}

static int
healthy(void)
{
	struct it_resp r;
	int ok = it_get("/healthz", NULL, &r) == 0 && r.status == 200;

	it_resp_free(&r);
	return ok;
}

/* 1 when w gets a message of type within 15 s (a window's end). */
static int
gets(struct ws *w, const char *type)
{
	json_t *m = ws_expect_type(w, type, 15000);

	json_decref(m);
	return m != NULL;
}

static void
submit_http(struct it_class *k, int i, long long sid, const char *otp)
{
	struct it_resp r;
	char body[128];

	snprintf(body, sizeof(body), "{\"session_id\":%lld,\"otp\":\"%s\"}",
	    sid, otp);
	cr_assert_eq(it_post_json("/attendance/submit", k->tokens[i], body, &r),
	    0);
	cr_assert_eq(r.status, 200, "%s", r.body);
	it_resp_free(&r);
}

/*
 * kill -9 of a worker: the stack restarts nginx (scripts/stack
 * nginx-watch), every client reconnects, the teacher with last_event_id
 * from before the restart gets the submission made while away, and every
 * reconnected and every new client gets the window's end.
 */
/*
 * On a front node of its own: the restart it causes reaches no other
 * test's sockets (in the full run, on the test stack, it did).
 */
Test(redis, killing_an_nginx_worker_loses_no_event_for_any_client,
    .timeout = 120)
{
	struct it_class k;
	struct ws *old[MAXS], *fresh[MAXS], *teacher;
	int workers[8], nb, i, tries, master, missed_old = 0, missed_new = 0;
	long long sid;
	char otp[5], *last, *stack_url;
	json_t *m;

	IT_REQUIRE_STACK();
	it_class_make(&k, "kill", MAXS, "ANDROID");
	stack_url = node_enter();
	teacher = must_connect(k.teacher_tok);
	for (i = 0; i < MAXS; i++)
		old[i] = must_connect(k.tokens[i]);
	sid = it_class_initiate(&k, otp);
	for (i = 0; i < MAXS; i++)
		cr_assert(got_started(old[i], sid), "student %d started", i);
	m = ws_expect_type(teacher, "attendance.opened", 5000);
	cr_assert_not_null(m);
	json_decref(m);
	cr_assert_not_null(ws_last_id(teacher));
	last = strdup(ws_last_id(teacher));

	master = nginx_pid();
	nb = nginx_workers(workers, 8);
	cr_assert_geq(nb, 2, "the stack runs several nginx workers");
	cr_assert_eq(kill(workers[0], SIGKILL), 0);

	/* a new master with all its workers, answering */
	for (tries = 0; tries < 300; tries++) {
		if (nginx_pid() != master && nginx_pid() > 0 &&
		    nginx_workers(workers, 8) == nb && healthy())
			break;
		usleep(100000);
	}
	cr_assert_neq(nginx_pid(), master, "the node restarted nginx");
	cr_assert(healthy());

	/*
	 * Published while the teacher is away, into a channel whose earlier
	 * messages only Redis kept across the restart: last_event_id finds
	 * its place there.  (An event published in the second between the
	 * death and the restart, to a channel the dead worker held, can be
	 * lost: docs/redis.md.)
	 */
	ws_close(teacher);
	submit_http(&k, 0, sid, otp);
	teacher = reconnect(k.teacher_tok, last);
	m = ws_expect_type(teacher, "attendance.submission", 5000);
	cr_assert_not_null(m, "the teacher got the submission made while away");
	cr_assert_str_eq(json_string_value(json_object_get(m, "student_email")),
	    k.students[0]);
	json_decref(m);
	for (i = 0; i < MAXS; i++) {
		ws_close(old[i]);
		old[i] = reconnect(k.tokens[i], NULL);
		fresh[i] = reconnect(k.tokens[i], NULL);
	}
	submit_http(&k, 1, sid, otp);
	m = ws_expect_type(teacher, "attendance.submission", 5000);
	cr_assert_not_null(m, "the teacher sees submissions after the restart");
	json_decref(m);
	for (i = 0; i < MAXS; i++) {
		missed_old += !gets(old[i], "attendance.closed");
		missed_new += !gets(fresh[i], "attendance.closed");
	}
	cr_assert_eq(missed_old + missed_new, 0,
	    "%d reconnected and %d new sockets missed the window's end",
	    missed_old, missed_new);
	cr_assert_eq(it_log_lines(state_dir(), "nginx-error.log",
			 "tried adding WAITING chanhead"),
	    0);
	for (i = 0; i < MAXS; i++) {
		ws_close(old[i]);
		ws_close(fresh[i]);
	}
	ws_close(teacher);
	free(last);
	node_leave(stack_url);
}

static int
healthz_redis(char *out, size_t n)
{
	struct it_resp r;
	int status;

	cr_assert_eq(it_get("/healthz", NULL, &r), 0);
	status = (int)r.status;
	snprintf(out, n, "%s",
	    r.json ? json_string_value(json_object_get(r.json, "redis")) : "");
	it_resp_free(&r);
	return status;
}

/* /healthz's Redis answer is up to a second old: wait for want. */
static int
healthz_says(const char *want)
{
	char state[16];
	int tries;

	for (tries = 0; tries < 50; tries++) {
		cr_assert_eq(healthz_redis(state, sizeof(state)), 200,
		    "a node without Redis still takes submits");
		if (strcmp(state, want) == 0)
			return 1;
		usleep(100000);
	}
	return 0;
}

static int
metrics_redis_up(void)
{
	struct it_resp r;
	const char *p;
	int up = -1;

	cr_assert_eq(it_get("/metrics", NULL, &r), 0);
	cr_assert_eq(r.status, 200);
	if ((p = strstr(r.body, "\nehazira_redis_up ")) != NULL)
		up = atoi(p + strlen("\nehazira_redis_up "));
	it_resp_free(&r);
	return up;
}

/* Once Redis is back, a new window's start reaches a student. */
static int
events_flow(void)
{
	struct it_class k;
	struct ws *w;
	json_t *m;
	char otp[5];
	long long sid;
	int status = 0;

	it_class_make(&k, "back", 1, "ANDROID");
	if ((w = connect_as(k.tokens[0], NULL, &status)) == NULL)
		return 0;
	sid = it_class_initiate(&k, otp);
	m = ws_expect_type(w, "attendance.started", 2000);
	ws_close(w);
	if (m == NULL)
		return 0;
	json_decref(m);
	return sid > 0;
}

Test(redis, with_redis_down_submits_are_stored_and_events_resume_after,
    .timeout = 150)
{
	struct it_class k;
	struct it_resp r;
	char body[128], otp[5];
	long long sid;
	time_t end;
	int ok = 0;

	IT_REQUIRE_STACK();
	it_class_make(&k, "down", 2, "ANDROID");
	cr_assert(healthz_says("up"));
	cr_assert_eq(metrics_redis_up(), 1);
	sid = it_class_initiate(&k, otp);

	cr_assert_eq(it_stack("redis-stop"), 0);
	cr_assert(healthz_says("down"), "/healthz reports Redis down");
	cr_assert_eq(metrics_redis_up(), 0);

	snprintf(body, sizeof(body), "{\"session_id\":%lld,\"otp\":\"%s\"}",
	    sid, otp);
	cr_assert_eq(it_post_json("/attendance/submit", k.tokens[0], body, &r),
	    0);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_assert_str_eq(json_string_value(json_object_get(r.json, "status")),
	    "P");
	it_resp_free(&r);
	cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM attendance WHERE "
				"session_id = ? AND student_email = ? AND "
				"status = 'P'",
			 "Is", sid, k.students[0]),
	    1, "the submit is stored while Redis is down");

	cr_assert_eq(it_stack("redis-start"), 0);
	cr_assert(healthz_says("up"), "/healthz reports Redis back");
	/* nchan reconnects on its own schedule (with back-off): poll */
	for (end = time(NULL) + 40; !ok && time(NULL) < end;)
		if (!(ok = events_flow()))
			usleep(500000);
	cr_assert(ok, "events flow again after Redis is back");
	cr_assert_eq(metrics_redis_up(), 1);
	/*
	 * nchan 1.3.6 may have closed a descriptor twice while Redis was
	 * away (docs/redis.md, "After a Redis outage"): restart nginx as
	 * an operator does after an outage, so the next test gets a clean
	 * one.
	 */
	cr_assert_eq(it_stack("up"), 0);
}
