/*
 * test_replica.c - the MariaDB replica (`scripts/stack replica-up`, GTID,
 * semi-synchronous) and its promotion (`scripts/stack promote`).
 *
 * On the test stack: a row written on the primary appears on the
 * replica; reports (here `ehazira-admin list departments`, the dashboard's
 * departments view through db_reader) read the replica when DB_REPLICA
 * names it, and the primary when the replica's SQL thread is stopped
 * (its lag is then unknown) or the replica is down.  The replica is
 * stopped again at the end, so later tests run as before.
 *
 * The promotion runs on a second private stack (its own state directory
 * and ports, the test stack's config and secrets) with a front node
 * (`scripts/stack up --node 2`), never on the test stack: mid-window the
 * primary is killed with kill -9, the replica is promoted and the workers
 * and relays of the stack and of its node repointed, and every submit
 * that was answered 200 (before and after, on either node) is on the new
 * primary; with the stack's own relay stopped, the node's relay finalises
 * the window on the new primary, once.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "it.h"

/* the last student never submits: the finalisation marks it absent */
#define NSTUD 7

static char root[2048];

/* A port nothing listens on, below the ephemeral range. */
static int
free_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	int p, fd, taken, tries;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (tries = 0; tries < 1000; tries++) {
		p = 20000 + rand() % 12000;
		a.sin_port = htons((unsigned short)p);
		if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
			return 0;
		taken = connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
		close(fd);
		if (!taken)
			return p;
	}
	return 0;
}

/* An integer from a file (a port the stack chose). */
static int
read_int(const char *path)
{
	FILE *fp = fopen(path, "r");
	int v = 0;

	if (fp) {
		if (fscanf(fp, "%d", &v) != 1)
			v = 0;
		fclose(fp);
	}
	return v;
}

/* Runs a shell command line, printf-style; its status. */
static int
sh(const char *fmt, ...)
{
	char cmd[8192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

/* SQL as root on the socket of the test stack's replica. */
static int
on_replica(const char *sql)
{
	return sh("mariadb --no-defaults -uroot -S %s/replica/mysqld.sock "
		  "%s -e \"%s\"",
	    it_config()->state, it_config()->db_name, sql);
}

/* A handle on another server of the test's config (host 127.0.0.1). */
static struct db *
db_at(struct config *c, int port, const char *replica)
{
	*c = *it_config();
	c->db_host = "127.0.0.1";
	c->db_port = port;
	c->db_replica = replica;
	c->db_replica_max_lag = 5;
	return db_new(c);
}

static long long
sql_int(struct db *db, const char *sql, const char *types, ...)
{
	struct db_rows rows;
	va_list ap;
	int rc;

	va_start(ap, types);
	rc = db_vquery(db, it_arena(), &rows, sql, types, ap);
	va_end(ap);
	if (rc != DB_OK || rows.nrows < 1 || db_get(&rows, 0, 0) == NULL)
		return -1;
	return db_get_int(&rows, 0, 0);
}

static int
sql_exec(struct db *db, const char *sql, const char *types, ...)
{
	va_list ap;
	int rc;

	va_start(ap, types);
	rc = db_vexec(db, sql, types, ap);
	va_end(ap);
	return rc;
}

/* `ehazira-admin list departments` with DB_REPLICA; whether it shows s. */
static int
departments_show(const char *replica, const char *s)
{
	return sh("EHAZIRA_DB_REPLICA=%s %s/ehazira-admin list departments "
		  "2>/dev/null | grep -qF '%s'",
	    replica, getenv("EHAZIRA_BIN"), s);
}

static void
replica_fini(void)
{
	if (it_url())
		it_stack("replica-down");
}

TestSuite(replica, .fini = replica_fini, .timeout = 180);

Test(replica, replicates_and_reports_read_it_unless_it_lags_or_is_down)
{
	char path[2300], rep[64], name[128], renamed[160], sql[512];
	struct config c;
	struct db *r;
	long long dep;
	int port, tries;

	IT_REQUIRE_STACK();
	cr_assert_eq(it_stack("replica-up"), 0, "scripts/stack replica-up");
	snprintf(path, sizeof(path), "%s/replica/port", it_config()->state);
	cr_assert_gt(port = read_int(path), 0);
	snprintf(rep, sizeof(rep), "127.0.0.1:%d", port);

	snprintf(name, sizeof(name), "Replica dept %s", it_uniq());
	cr_assert_eq(it_sql("INSERT INTO department (department_name) "
			    "VALUES (?)",
			 "s", name),
	    DB_OK);
	dep = it_sql_int("SELECT LAST_INSERT_ID()", "");
	cr_assert_not_null(r = db_at(&c, port, ""));
	for (tries = 0; tries < 100; tries++) {
		if (sql_int(r,
			"SELECT COUNT(*) FROM department WHERE "
			"department_id = ? AND department_name = ?",
			"Is", dep, name) == 1)
			break;
		usleep(100000);
	}
	cr_assert_lt(tries, 100, "the row reached the replica");
	cr_assert_eq(sql_int(r, "SELECT @@read_only", ""), 1);
	db_free(r);

	/* The replica's copy, renamed outside replication: a report that
	 * shows the new name was read from the replica. */
	snprintf(renamed, sizeof(renamed), "%s on the replica", name);
	snprintf(sql, sizeof(sql),
	    "SET sql_log_bin=0; UPDATE department SET department_name='%s' "
	    "WHERE department_id=%lld",
	    renamed, dep);
	cr_assert_eq(on_replica(sql), 0);
	cr_assert_eq(departments_show(rep, renamed), 0,
	    "a report read the replica");
	cr_assert_eq(departments_show("", renamed), 256,
	    "without DB_REPLICA it reads the primary");

	/* Lag unknown (SQL thread stopped) and writes piling up: primary. */
	cr_assert_eq(on_replica("STOP SLAVE SQL_THREAD"), 0);
	cr_assert_eq(it_sql("UPDATE department SET department_name = ? "
			    "WHERE department_id = ?",
			 "sI", name, dep),
	    DB_OK);
	cr_assert_eq(departments_show(rep, renamed), 256,
	    "a lagging replica is not read");
	cr_assert_eq(departments_show(rep, name), 0);
	cr_assert_eq(on_replica("START SLAVE SQL_THREAD"), 0);

	cr_assert_eq(it_stack("replica-down"), 0);
	cr_assert_eq(departments_show(rep, name), 0,
	    "with the replica down reports read the primary");
}

/* A second stack: `scripts/stack CMD` in dir with its ports. */
struct second {
	char dir[64];
	int http, dbp, rport;
};

static int
second_stack(const struct second *s, const char *cmd)
{
	return sh("cd %s && EHAZIRA_STATE=%s EHAZIRA_HTTP_PORT=%d "
		  "EHAZIRA_DB_PORT=%d EHAZIRA_OTP_TTL=120 "
		  "EHAZIRA_DB_REPLICA=127.0.0.1:%d scripts/stack %s "
		  ">>%s/stack.log 2>&1",
	    root, s->dir, s->http, s->dbp, s->rport, cmd, s->dir);
}

static long long
add_device(struct db *db, const char *email, const char *role)
{
	char uuid[64];

	snprintf(uuid, sizeof(uuid), "dev-%s-%d", it_uniq(), rand());
	cr_assert_eq(sql_exec(db,
			 "INSERT INTO device (user_email, role, device_uuid, "
			 "fingerprint_hash, platform, active, approval) VALUES "
			 "(?, ?, ?, SHA2(?, 256), 'ANDROID', 1, 'ACTIVE')",
			 "ssss", email, role, uuid, uuid),
	    DB_OK);
	return db_insert_id(db);
}

struct klass {
	long long period_id;
	char teacher[128], *teacher_tok;
	char students[NSTUD][128];
	char *tokens[NSTUD];
};

static void
make_class(struct db *db, struct klass *k)
{
	char course[24];
	long long dep, cls, subj;
	int i;

	memset(k, 0, sizeof(*k));
	cr_assert_eq(sql_exec(db,
			 "INSERT INTO department (department_name) "
			 "VALUES ('Promotion')",
			 ""),
	    DB_OK);
	dep = db_insert_id(db);
	cr_assert_eq(sql_exec(db,
			 "INSERT INTO class (department_id, batch, semester, "
			 "section) VALUES (?, '2025', 1, 'A')",
			 "I", dep),
	    DB_OK);
	cls = db_insert_id(db);
	snprintf(k->teacher, sizeof(k->teacher), "t-pro-%s@it.edu", it_uniq());
	cr_assert_eq(sql_exec(db,
			 "INSERT INTO teacher (teacher_email, name, "
			 "department_id, verified) VALUES (?, 'T', ?, 1)",
			 "sI", k->teacher, dep),
	    DB_OK);
	snprintf(course, sizeof(course), "PRO%s", it_uniq());
	course[16] = '\0';
	cr_assert_eq(sql_exec(db,
			 "INSERT INTO course (course_id, course_name) VALUES "
			 "(?, 'Promotion')",
			 "s", course),
	    DB_OK);
	cr_assert_eq(sql_exec(db,
			 "INSERT INTO subject (course_id, class_id, "
			 "teacher_email) VALUES (?, ?, ?)",
			 "sIs", course, cls, k->teacher),
	    DB_OK);
	subj = db_insert_id(db);
	cr_assert_eq(sql_exec(db,
			 "INSERT INTO period (subject_id, day_of_week, "
			 "period_no) VALUES (?, 1, 1)",
			 "I", subj),
	    DB_OK);
	k->period_id = db_insert_id(db);
	k->teacher_tok = it_token(k->teacher, "teacher",
	    add_device(db, k->teacher, "teacher"), 900);
	for (i = 0; i < NSTUD; i++) {
		char roll[8];

		snprintf(k->students[i], sizeof(k->students[i]),
		    "s%d-pro-%s@it.edu", i, it_uniq());
		snprintf(roll, sizeof(roll), "%02d", i + 1);
		cr_assert_eq(sql_exec(db,
				 "INSERT INTO student (student_email, name, "
				 "roll_no, class_id, verified) VALUES (?, "
				 "'S', ?, ?, 1)",
				 "ssI", k->students[i], roll, cls),
		    DB_OK);
		k->tokens[i] = it_token(k->students[i], "student",
		    add_device(db, k->students[i], "student"), 900);
	}
}

/* The status of student i's submit. */
static long
submit(struct klass *k, int i, long long sid, const char *otp)
{
	struct it_resp r;
	char body[96];
	long status;

	snprintf(body, sizeof(body), "{\"session_id\":%lld,\"otp\":\"%s\"}",
	    sid, otp);
	if (it_post_json("/attendance/submit", k->tokens[i], body, &r) != 0)
		return 0;
	status = r.status;
	it_resp_free(&r);
	return status;
}

static long long
initiate(struct klass *k, char otp[5])
{
	struct it_resp r;
	char body[64];
	long long sid;

	snprintf(body, sizeof(body), "{\"period_id\":%lld}", k->period_id);
	cr_assert_eq(it_post_json("/attendance/initiate", k->teacher_tok, body,
			 &r),
	    0);
	cr_assert_eq(r.status, 201, "%s", r.body);
	sid = json_integer_value(json_object_get(r.json, "session_id"));
	snprintf(otp, 5, "%s",
	    json_string_value(json_object_get(r.json, "otp")));
	it_resp_free(&r);
	return sid;
}

/* SQL as root on the second stack's replica. */
static int
second_replica(const struct second *s, const char *sql)
{
	return sh("mariadb --no-defaults -uroot -S %s/replica/mysqld.sock "
		  "%s -e \"%s\"",
	    s->dir, it_config()->db_name, sql);
}

/*
 * Waits (up to 10 s: each worker thread rechecks the replica after 1 s,
 * or 5 s after a failed check) until GET /admin/departments does (want
 * 1) or does not (0) show text.
 */
static int
dashboard_shows(const char *tok, const char *text, int want)
{
	struct it_resp r;
	int tries, seen = !want;

	for (tries = 0; tries < 100; tries++) {
		if (it_get("/admin/departments", tok, &r) == 0) {
			seen = r.status == 200 && strstr(r.body, text) != NULL;
			it_resp_free(&r);
		}
		if (seen == want)
			return 1;
		usleep(100000);
	}
	return 0;
}

/*
 * The second stack's workers have DB_REPLICA: the dashboard reads the
 * replica (a department renamed only there shows) until its SQL thread
 * stops, then the primary.  Replication is running again afterwards.
 */
static void
dashboard_reads_the_replica(const struct second *s, struct db *db)
{
	char email[128], tok_sql[400], *tok;
	struct config c;
	struct db *r;
	long long dev;
	int tries;

	snprintf(email, sizeof(email), "adm-pro-%s@it.edu", it_uniq());
	cr_assert_eq(sql_exec(db,
			 "INSERT INTO teacher (teacher_email, name, "
			 "department_id, verified, role) SELECT ?, 'A', "
			 "MAX(department_id), 1, 'admin' FROM department",
			 "s", email),
	    DB_OK);
	dev = add_device(db, email, "admin");
	tok = it_token(email, "admin", dev, 900);
	cr_assert_not_null(r = db_at(&c, s->rport, ""));
	for (tries = 0; tries < 100; tries++) {
		if (sql_int(r,
			"SELECT COUNT(*) FROM teacher WHERE "
			"teacher_email = ?",
			"s", email) == 1)
			break;
		usleep(100000);
	}
	db_free(r);
	cr_assert_lt(tries, 100, "the fixture reached the replica");
	snprintf(tok_sql, sizeof(tok_sql),
	    "SET sql_log_bin=0; UPDATE department SET department_name = "
	    "'Promotion on the replica' WHERE department_name = 'Promotion'");
	cr_assert_eq(second_replica(s, tok_sql), 0);
	cr_assert(dashboard_shows(tok, "Promotion on the replica", 1),
	    "GET /admin/departments read the replica");
	cr_assert_eq(second_replica(s, "STOP SLAVE SQL_THREAD"), 0);
	cr_assert(dashboard_shows(tok, "Promotion on the replica", 0),
	    "with the replica's SQL thread stopped it reads the primary");
	cr_assert_eq(second_replica(s, "START SLAVE SQL_THREAD"), 0);
}

/* Front node 2 of the second stack; its URL. */
static void
node_up(const struct second *s, char *url, size_t cap)
{
	char path[128];

	cr_assert_eq(second_stack(s, "up --node 2"), 0, "see %s/stack.log",
	    s->dir);
	snprintf(path, sizeof(path), "%s/node-2/ports", s->dir);
	snprintf(url, cap, "http://127.0.0.1:%d", read_int(path));
}

/* Submits of students [from, to) until each is acknowledged. */
static void
submit_until_acked(struct klass *k, int from, int to, long long sid,
    const char *otp, int *acked)
{
	int i, tries;

	for (i = from; i < to; i++) {
		for (tries = 0; tries < 50 && !acked[i]; tries++)
			if (!(acked[i] = submit(k, i, sid, otp) == 200))
				usleep(100000);
		cr_assert(acked[i], "student %d's submit after promotion (%s)",
		    i, it_url());
	}
}

/*
 * The window ends on the new primary with the stack's own relay stopped:
 * the node's relay, repointed too, must finalise it.  Its end is moved to
 * the past rather than waited for (OTP_TTL is 120 s here).
 */
static void
node_relay_finalises(const struct second *s, struct db *ndb, long long sid)
{
	char path[128];
	int pid, tries;

	snprintf(path, sizeof(path), "%s/run/relay.pid", s->dir);
	cr_assert_gt(pid = read_int(path), 0);
	cr_assert_eq(kill(pid, SIGTERM), 0);
	for (tries = 0; tries < 100 && kill(pid, 0) == 0; tries++)
		usleep(100000);
	cr_assert_eq(sql_exec(ndb,
			 "UPDATE attendance_window SET expires_at = NOW(3) - "
			 "INTERVAL 10 SECOND WHERE session_id = ?",
			 "I", sid),
	    DB_OK);
	for (tries = 0; tries < 200; tries++) {
		if (sql_int(ndb,
			"SELECT COUNT(*) FROM attendance_window WHERE "
			"session_id = ? AND finalized_at IS NOT NULL",
			"I", sid) == 1)
			break;
		usleep(100000);
	}
	cr_assert_lt(tries, 200, "the node's relay finalised the window");
}

/* Every acknowledged submit is a P on the new primary; the rest A, once. */
static void
all_on_the_new_primary(struct db *ndb, const struct klass *k, long long sid)
{
	char collapse[48];
	int i;

	cr_assert_eq(sql_int(ndb, "SELECT @@read_only", ""), 0);
	for (i = 0; i < NSTUD - 1; i++)
		cr_assert_eq(sql_int(ndb,
				 "SELECT COUNT(*) FROM attendance WHERE "
				 "session_id = ? AND student_email = ? AND "
				 "status = 'P'",
				 "Is", sid, k->students[i]),
		    1, "student %d's acknowledged submit is on the new primary",
		    i);
	cr_assert_eq(sql_int(ndb,
			 "SELECT COUNT(*) FROM attendance WHERE session_id = ? "
			 "AND student_email = ? AND status = 'A'",
			 "Is", sid, k->students[NSTUD - 1]),
	    1, "the student who never submitted is absent");
	/* finalised once: one absence notice, not one per relay */
	snprintf(collapse, sizeof(collapse), "session-%lld", sid);
	cr_assert_eq(sql_int(ndb,
			 "SELECT COUNT(*) FROM outbox WHERE kind = "
			 "'push.absent' AND collapse_key = ?",
			 "s", collapse),
	    1);
}

/* The second stack in s->dir, its replica and its node 2 (node's URL). */
static void
second_up(struct second *s, char *node, size_t cap)
{
	char path[128];

	cr_assert_not_null(mkdtemp(s->dir));
	s->http = free_port();
	s->dbp = free_port();
	s->rport = free_port();
	/* The replica's port, known before the stack starts: its workers
	 * have DB_REPLICA from the start (the replica comes later). */
	snprintf(path, sizeof(path), "%s/replica", s->dir);
	cr_assert_eq(mkdir(path, 0700), 0);
	sh("echo %d >%s/replica/port", s->rport, s->dir);
	cr_assert_eq(second_stack(s, "up"), 0, "see %s/stack.log", s->dir);
	cr_assert_eq(second_stack(s, "replica-up"), 0, "see %s/stack.log",
	    s->dir);
	node_up(s, node, cap);
}

Test(replica, a_promotion_mid_window_keeps_every_acknowledged_submit,
    .timeout = 300)
{
	struct second s = { .dir = "/tmp/ehz-promote.XXXXXX" };
	char path[2300], url[64], node[64], otp[5], saved[512];
	int acked[NSTUD] = { 0 }, i, pid;
	struct config c1, c2;
	struct db *db, *ndb;
	struct klass k;
	long long sid;

	IT_REQUIRE_STACK();
	snprintf(saved, sizeof(saved), "%s", it_url());
	second_up(&s, node, sizeof(node));
	snprintf(url, sizeof(url), "http://127.0.0.1:%d", s.http);
	setenv("EHAZIRA_TEST_URL", url, 1);

	cr_assert_not_null(db = db_at(&c1, s.dbp, ""));
	make_class(db, &k);
	dashboard_reads_the_replica(&s, db);
	sid = initiate(&k, otp);
	for (i = 0; i < 3; i++)
		acked[i] = submit(&k, i, sid, otp) == 200;
	cr_assert(acked[0] && acked[1] && acked[2], "submits before");

	/* The primary dies mid-window: a submit now is not acknowledged. */
	snprintf(path, sizeof(path), "%s/run/mariadb.pid", s.dir);
	cr_assert_gt(pid = read_int(path), 0);
	cr_assert_eq(kill(pid, SIGKILL), 0);
	acked[3] = submit(&k, 3, sid, otp) == 200;
	cr_assert_not(acked[3], "no submit is acknowledged without a primary");

	cr_assert_eq(second_stack(&s, "promote"), 0, "see %s/stack.log", s.dir);
	submit_until_acked(&k, 3, 5, sid, otp, acked);
	/* the node was repointed too: a submit there is stored */
	setenv("EHAZIRA_TEST_URL", node, 1);
	submit_until_acked(&k, 5, NSTUD - 1, sid, otp, acked);

	cr_assert_not_null(ndb = db_at(&c2, s.rport, ""));
	node_relay_finalises(&s, ndb, sid);
	all_on_the_new_primary(ndb, &k, sid);
	db_free(ndb);
	db_free(db);
	setenv("EHAZIRA_TEST_URL", saved, 1);
	cr_assert_eq(second_stack(&s, "down"), 0);
	/* [.]: the pattern does not match the shell that runs pgrep */
	cr_assert_eq(sh("! pgrep -f '/tmp/ehz-promote[.]%s' >/dev/null",
			 s.dir + strlen("/tmp/ehz-promote.")),
	    0, "no process of the second stack is left");
	sh("rm -rf %s", s.dir);
}

static void __attribute__((constructor)) init_root(void)
{
	const char *r = getenv("EHAZIRA_TEST_ROOT");

	snprintf(root, sizeof(root), "%s", r ? r : ".");
	srand((unsigned int)getpid());
}
