/*
 * test_nodes.c - several front nodes on one MariaDB and one Redis
 * (`scripts/stack up --node N`): what one node publishes, clients of
 * every node hear; when a node dies with kill -9 mid-window (nginx,
 * workers and relay at once) the teacher resumes on another node with
 * last_event_id and misses nothing, the window is finalised once by a
 * surviving relay, and no push is sent twice.
 *
 * Behind a load balancer (TRUSTED_PROXIES) a node sees the client's
 * address, and a value that is not an address stops start-up.
 *
 * Nodes 2 and 3 are started for this suite and stopped after it; the
 * test stack itself (node 1) holds the database and Redis and is left
 * alone.  Each test builds its own class.
 */
#include <criterion/criterion.h>
#include <curl/curl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "it.h"
#include "itclass.h"
#include "ws.h"

#define NSTUD 3

struct node {
	char url[128];
	int port;
};

static struct node node_a, node_b;
static char stack_url[256];

struct klass {
	struct it_class c;
	char prefix[64]; /* of the students' push tokens */
};

static void
node_start(int n, struct node *nd)
{
	char cmd[4096];
	FILE *fp;

	snprintf(cmd, sizeof(cmd), "up --node %d", n);
	cr_assert_eq(it_stack(cmd), 0, "scripts/stack up --node %d", n);
	snprintf(cmd, sizeof(cmd), "%s/scripts/stack url --node %d",
	    getenv("EHAZIRA_TEST_ROOT"), n);
	cr_assert_not_null(fp = popen(cmd, "r"));
	cr_assert_not_null(fgets(nd->url, sizeof(nd->url), fp));
	pclose(fp);
	nd->url[strcspn(nd->url, "\n")] = '\0';
	nd->port = atoi(strrchr(nd->url, ':') + 1);
	cr_assert_gt(nd->port, 0, "node %d at %s", n, nd->url);
}

static void
nodes_up(void)
{
	if (it_url() == NULL)
		return;
	snprintf(stack_url, sizeof(stack_url), "%s", it_url());
	node_start(2, &node_a);
	/* node 3 is behind a load balancer on loopback */
	setenv("EHAZIRA_TRUSTED_PROXIES", "127.0.0.0/8", 1);
	node_start(3, &node_b);
	unsetenv("EHAZIRA_TRUSTED_PROXIES");
}

static void
nodes_down(void)
{
	if (stack_url[0] == '\0')
		return;
	setenv("EHAZIRA_TEST_URL", stack_url, 1);
	it_stack("down --node 2");
	it_stack("down --node 3");
}

TestSuite(nodes, .init = nodes_up, .fini = nodes_down, .timeout = 120);

/* HTTP requests go to node nd from here on. */
static void
use(const struct node *nd)
{
	setenv("EHAZIRA_TEST_URL", nd->url, 1);
}

/* The shared class (itclass.h), its students' push tokens numbered. */
static void
make_class(struct klass *k, const char *tag)
{
	int i;

	it_class_make(&k->c, tag, NSTUD, "ANDROID");
	snprintf(k->prefix, sizeof(k->prefix), "node-%s-%s-", tag, it_uniq());
	for (i = 0; i < NSTUD; i++)
		cr_assert_eq(
		    it_sql("UPDATE device SET push_token = CONCAT(?, ?) "
			   "WHERE device_id = ?",
			"siI", k->prefix, i, k->c.devices[i]),
		    DB_OK);
	cr_assert_eq(it_sql("UPDATE device SET push_token = NULL WHERE "
			    "device_id = ?",
			 "I", k->c.teacher_dev),
	    DB_OK);
}

static struct ws *
connect_to(const struct node *nd, const char *token, const char *last)
{
	char path[512], offer[4200];
	struct ws *w = NULL;
	int status = 0, tries;

	snprintf(path, sizeof(path), "/ws%s%s", last ? "?last_event_id=" : "",
	    last ? last : "");
	snprintf(offer, sizeof(offer), "ws+meta.nchan, bearer.%s", token);
	/* nchan answers 503 while it reaches Redis: an app retries */
	for (tries = 0; tries < 50 && w == NULL; tries++) {
		w = ws_connect(nd->port, path, offer, 5000, &status);
		if (w == NULL && status != 503)
			break;
		if (w == NULL)
			usleep(100000);
	}
	cr_assert_not_null(w, "WebSocket on %s refused (%d)", nd->url, status);
	return w;
}

static void
submit(struct klass *k, int i, long long sid, const char *otp)
{
	struct it_resp r;
	char body[96];

	snprintf(body, sizeof(body), "{\"session_id\":%lld,\"otp\":\"%s\"}",
	    sid, otp);
	cr_assert_eq(it_post_json("/attendance/submit", k->c.tokens[i], body,
			 &r),
	    0);
	cr_assert_eq(r.status, 200, "%s", r.body);
	it_resp_free(&r);
}

/* The next message of type on w; its student_email or session id. */
static void
expect_submission(struct ws *w, const char *student)
{
	json_t *m = ws_expect_type(w, "attendance.submission", 5000);

	cr_assert_not_null(m, "the teacher got %s's submission", student);
	cr_assert_str_eq(json_string_value(json_object_get(m, "student_email")),
	    student);
	json_decref(m);
}

static void
expect_session(struct ws *w, const char *type, long long sid, int ms)
{
	json_t *m = ws_expect_type(w, type, ms);

	cr_assert_not_null(m, "%s of session %lld", type, sid);
	cr_assert_eq(json_integer_value(json_object_get(m, "session_id")), sid);
	json_decref(m);
}

Test(nodes, a_student_on_one_node_hears_an_initiate_made_on_another)
{
	struct klass k;
	struct ws *teacher, *student;
	long long sid;
	char otp[5];

	IT_REQUIRE_STACK();
	make_class(&k, "x");
	teacher = connect_to(&node_a, k.c.teacher_tok, NULL);
	student = connect_to(&node_b, k.c.tokens[0], NULL);
	use(&node_a);
	sid = it_class_initiate(&k.c, otp);
	expect_session(student, "attendance.started", sid, 5000);
	use(&node_b);
	submit(&k, 0, sid, otp);
	expect_submission(teacher, k.c.students[0]);
	ws_close(teacher);
	ws_close(student);
}

/* Pushes the FCM stand-in got for tokens starting with prefix. */
static long long
pushes(const char *prefix)
{
	char url[512], *body = NULL;
	CURL *c = curl_easy_init();
	FILE *mem;
	size_t len = 0;
	json_t *j;
	long long n;

	snprintf(url, sizeof(url), "%s/control/messages?prefix=%s&brief=1",
	    getenv("EHAZIRA_FCM_ENDPOINT"), prefix);
	cr_assert_not_null(mem = open_memstream(&body, &len));
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, mem);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
	cr_assert_eq(curl_easy_perform(c), CURLE_OK);
	curl_easy_cleanup(c);
	fclose(mem);
	cr_assert_not_null(j = json_loads(body, 0, NULL), "%s", body);
	n = json_integer_value(json_object_get(j, "delivered"));
	json_decref(j);
	free(body);
	return n;
}

/* Waits (up to 20 s) until no push of the class is pending. */
static void
wait_outbox_settled(const struct klass *k)
{
	char like[80];
	int tries;

	snprintf(like, sizeof(like), "%s%%", k->prefix);
	for (tries = 0; tries < 200; tries++) {
		if (it_sql_int("SELECT COUNT(*) FROM outbox o JOIN device d "
			       "ON d.device_id = o.device_id WHERE "
			       "d.push_token LIKE ? AND o.state = 'PENDING'",
			"s", like) == 0)
			return;
		usleep(100000);
	}
	cr_assert_fail("the class's pushes are still pending after 20 s");
}

/* kill -9 of the process group of each of the node's daemons. */
static void
kill_node(int n)
{
	static const char *const names[] = { "nginx", "fcgi", "relay" };
	char path[4096];
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		FILE *fp;
		int pid = 0;

		snprintf(path, sizeof(path), "%s/node-%d/run/%s.pid",
		    getenv("EHAZIRA_STATE"), n, names[i]);
		cr_assert_not_null(fp = fopen(path, "r"), "%s", path);
		cr_assert_eq(fscanf(fp, "%d", &pid), 1);
		fclose(fp);
		/* each runs in a session (and process group) of its own */
		cr_assert_eq(kill(-pid, SIGKILL), 0, "kill -9 %s", names[i]);
	}
}

Test(nodes, a_node_killed_mid_window_loses_no_event_and_no_finalisation)
{
	struct klass k;
	struct ws *teacher, *student;
	long long sid;
	char otp[5], *last;

	IT_REQUIRE_STACK();
	if (getenv("EHAZIRA_FCM_ENDPOINT") == NULL)
		cr_skip_test("no FCM stand-in");
	make_class(&k, "k");
	teacher = connect_to(&node_a, k.c.teacher_tok, NULL);
	student = connect_to(&node_b, k.c.tokens[0], NULL);
	use(&node_a);
	sid = it_class_initiate(&k.c, otp);
	expect_session(teacher, "attendance.opened", sid, 5000);
	expect_session(student, "attendance.started", sid, 5000);
	use(&node_b);
	submit(&k, 0, sid, otp);
	expect_submission(teacher, k.c.students[0]);
	last = strdup(ws_last_id(teacher));
	wait_outbox_settled(&k);
	cr_assert_eq(pushes(k.prefix), NSTUD, "one start push a student");

	kill_node(2);
	ws_close(teacher);
	submit(&k, 1, sid, otp);
	teacher = connect_to(&node_b, k.c.teacher_tok, last);
	expect_submission(teacher, k.c.students[1]);
	/* the window ends (OTP_TTL + grace) and a surviving relay closes it */
	expect_session(teacher, "attendance.closed", sid, 20000);
	expect_session(student, "attendance.closed", sid, 5000);

	cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM attendance_window WHERE "
				"session_id = ? AND finalized_at IS NULL",
			 "I", sid),
	    0);
	cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM attendance WHERE "
				"session_id = ? AND status = 'P'",
			 "I", sid),
	    2);
	cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM attendance WHERE "
				"session_id = ? AND status = 'A'",
			 "I", sid),
	    1);
	wait_outbox_settled(&k);
	cr_assert_eq(pushes(k.prefix), NSTUD + 1,
	    "start pushes and one absence notice, none twice");
	ws_close(teacher);
	ws_close(student);
	free(last);
}

/*
 * The address node n's access log has for a request of our own (a path
 * nobody else asks for: the log keeps no query string, and the stack's
 * own health checks are in the same log).
 */
static void
logged_addr(int n, const char *xff, char *out, size_t len)
{
	char path[4096], line[1024], hdr[256], probe[96], want[128];
	struct it_resp r;
	const char *hdrs[] = { hdr, NULL };
	FILE *fp;
	int tries;

	snprintf(hdr, sizeof(hdr), "X-Forwarded-For: %s", xff);
	snprintf(probe, sizeof(probe), "/probe-%s-%d-%d", it_uniq(), n, rand());
	cr_assert_eq(it_request("GET", probe, NULL, 0, hdrs, &r), 0);
	it_resp_free(&r);
	snprintf(want, sizeof(want), "\"GET %s\"", probe);
	snprintf(path, sizeof(path), "%s/node-%d/log/nginx-access.log",
	    getenv("EHAZIRA_STATE"), n);
	out[0] = '\0';
	/* nginx writes the line as the request ends: it may trail */
	for (tries = 0; tries < 50 && out[0] == '\0'; tries++) {
		cr_assert_not_null(fp = fopen(path, "r"), "%s", path);
		while (fgets(line, sizeof(line), fp))
			if (strstr(line, want))
				snprintf(out, len, "%.*s",
				    (int)strcspn(line, " "), line);
		fclose(fp);
		if (out[0] == '\0')
			usleep(100000);
	}
	cr_assert_neq(out[0], '\0', "no log line for %s", probe);
}

Test(nodes, a_node_behind_a_trusted_balancer_sees_the_clients_address)
{
	char addr[64];

	IT_REQUIRE_STACK();
	use(&node_b);
	logged_addr(3, "203.0.113.7", addr, sizeof(addr));
	cr_assert_str_eq(addr, "203.0.113.7");
	use(&node_a);
	logged_addr(2, "203.0.113.7", addr, sizeof(addr));
	cr_assert_str_eq(addr, "127.0.0.1", "an untrusted header is ignored");
}

Test(nodes, trusted_proxies_that_are_not_addresses_stop_start_up)
{
	char cmd[8192], out[4096] = "";
	FILE *fp;
	size_t n;
	int rc;

	IT_REQUIRE_STACK();
	snprintf(cmd, sizeof(cmd),
	    "cd %s && EHAZIRA_TRUSTED_PROXIES='10.0.0.0/8, x;y' "
	    "scripts/stack up --node 4 2>&1",
	    getenv("EHAZIRA_TEST_ROOT"));
	cr_assert_not_null(fp = popen(cmd, "r"));
	n = fread(out, 1, sizeof(out) - 1, fp);
	out[n] = '\0';
	rc = pclose(fp);
	cr_assert_neq(rc, 0, "start-up refused: %s", out);
	cr_assert_not_null(strstr(out, "TRUSTED_PROXIES: 'x;y'"), "%s", out);
	snprintf(cmd, sizeof(cmd), "%s/node-4/run/nginx.pid",
	    getenv("EHAZIRA_STATE"));
	cr_assert_neq(access(cmd, F_OK), 0, "nothing of node 4 started");
}
