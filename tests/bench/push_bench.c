/*
 * push_bench.c - how the push path grows: 1,000, 3,000 and 10,000 pushes
 * timed from the first queuing transaction to the last arrival at the FCM
 * stand-in.  Budget: 10,000 in 1 s, and a push's cost (CPU) at 10,000
 * within 1.5x its cost at 1,000 (linear growth).
 *
 * Two shapes of the same numbers:
 *   wave  - classes of 50, each queued by its own transaction as a
 *           teacher's initiate queues it (pushqueue_started, then the
 *           wake-up datagram), eight at a time as the workers' threads
 *           take them: what a 9 o'clock wave looks like.  The budgets
 *           apply to this shape.
 *   class - one class of them all in one transaction (one statement):
 *           the largest single initiate, reported alongside.
 * Each size is printed next to a bare libcurl multi client sending as
 * many messages straight to the stand-in with the same parallelism in
 * the same run, so every figure also reads as a ratio on any machine,
 * and with the CPU time the relay and MariaDB spent on them (/proc): the
 * cost of a push, which a shared machine disturbs far less than the
 * clock, and what the growth budget is read from; each one's share is
 * printed too, with the stand-in's (on a 2-core machine the three share
 * the cores, so their sum bounds the wall time).
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "it.h"
#include "outbox.h"
#include "pushqueue.h"

#define PER_CLASS 50
#define PRODUCERS 8 /* initiates committing at once */
#define BUDGET_MS 1000
#define BUDGET_GROWTH 1.5
#define NSIZES 3

static const int sizes[NSIZES] = { 1000, 3000, 10000 };
static char prefix[64];

/* Whose CPU time a run reads (STATE/<pidfile>). */
enum { CPU_RELAY, CPU_DB, CPU_STANDIN, NCPU };
static const char *const cpu_pidfile[NCPU] = { "run/relay.pid",
	"run/mariadb.pid", "standin-fcm.pid" };

struct run {
	long long queue_ms, total_ms;
	long long cpu_ms;    /* the relay's and MariaDB's, over the same time */
	long long cpu[NCPU]; /* each one's, the stand-in's too */
};

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static size_t
on_data(char *d, size_t sz, size_t nm, void *u)
{
	char **b = u;
	size_t old = *b ? strlen(*b) : 0, n = sz * nm;

	*b = realloc(*b, old + n + 1);
	memcpy(*b + old, d, n);
	(*b)[old + n] = '\0';
	return n;
}

static size_t
discard(char *d, size_t sz, size_t nm, void *u)
{
	(void)d;
	(void)u;
	return sz * nm;
}

static json_t *
fcm_get(const char *path)
{
	char url[1024], *body = NULL;
	CURL *c = curl_easy_init();
	json_t *j;

	snprintf(url, sizeof(url), "%s%s", getenv("EHAZIRA_FCM_ENDPOINT"),
	    path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
	curl_easy_perform(c);
	curl_easy_cleanup(c);
	j = json_loads(body ? body : "", 0, NULL);
	free(body);
	return j;
}

/* Polls the stand-in until n pushes for pfx arrived; the last arrival. */
static long long
wait_last(const char *pfx, long long n, int timeout_ms)
{
	long long end = now_ms() + timeout_ms, got, last;
	char path[256];
	json_t *m;

	snprintf(path, sizeof(path), "/control/messages?prefix=%s&brief=1",
	    pfx);
	for (;;) {
		m = fcm_get(path);
		got = json_integer_value(json_object_get(m, "delivered"));
		last = json_integer_value(json_object_get(m, "last_ms"));
		json_decref(m);
		if (got >= n)
			return last;
		if (now_ms() > end) {
			fprintf(stderr,
			    "push_bench: only %lld of %lld arrived\n", got, n);
			return -1;
		}
		usleep(20000); /* "last" is the stand-in's clock: no loss */
	}
}

/*
 * CPU ms the process of pidfile (under STATE) has used so far, from
 * /proc; 0 when it cannot be read (a database outside the stack).
 * CPU time is what a push costs; on a shared machine it moves far less
 * than the wall clock, so the growth budget is read from it.
 */
static long long
cpu_ms(const char *pidfile)
{
	char path[1024], buf[1024], *p;
	unsigned long long ut = 0, st = 0;
	FILE *fp;
	int pid = -1;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", it_config()->state, pidfile);
	if ((fp = fopen(path, "r")) == NULL)
		return 0;
	if (fscanf(fp, "%d", &pid) != 1)
		pid = -1;
	fclose(fp);
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (pid <= 0 || (fp = fopen(path, "r")) == NULL)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	/* fields 14 and 15 (utime, stime), counted after the ") " */
	if ((p = strrchr(buf, ')')) == NULL ||
	    sscanf(p + 2,
		"%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut,
		&st) != 2)
		return 0;
	return (long long)((ut + st) * 1000 /
	    (unsigned long long)sysconf(_SC_CLK_TCK));
}

static void
cpu_read(long long *cpu)
{
	int i;

	for (i = 0; i < NCPU; i++)
		cpu[i] = cpu_ms(cpu_pidfile[i]);
}

static void
must(int rc, const char *what)
{
	if (rc != DB_OK) {
		fprintf(stderr, "push_bench: cannot write the %s\n", what);
		exit(1);
	}
}

/*
 * n students in classes of per (the last one may be smaller), each with
 * an active Android device whose token starts with pfx; written in bulk
 * from the Sequence engine's seq_0_to_99999.  The class ids, in order.
 */
static long long *
fixture(const char *pfx, int n, int per, int *nclasses)
{
	long long dept, *ids;
	struct db_rows r;
	int i;

	*nclasses = (n + per - 1) / per;
	must(it_sql("INSERT INTO department (department_name) VALUES (?)", "s",
		 pfx),
	    "department");
	dept = db_insert_id(it_db());
	must(it_sql("INSERT INTO class (department_id, batch, semester, "
		    "section) SELECT ?, '2025', 1, CONCAT('S', seq) "
		    "FROM seq_0_to_99999 WHERE seq < ?",
		 "Ii", dept, *nclasses),
	    "classes");
	must(it_sql("INSERT INTO student (student_email, name, roll_no, "
		    "class_id, verified) SELECT CONCAT(?, LPAD(s.seq, 6, '0'), "
		    "'@bench.edu'), 'Bench', CONCAT('R', s.seq), c.class_id, 1 "
		    "FROM seq_0_to_99999 s JOIN class c ON c.department_id = ? "
		    "AND c.section = CONCAT('S', s.seq DIV ?) WHERE s.seq < ?",
		 "sIii", pfx, dept, per, n),
	    "students");
	must(it_sql(
		 "INSERT INTO device (user_email, role, device_uuid, "
		 "fingerprint_hash, platform, active, approval, push_token) "
		 "SELECT s.student_email, 'student', s.student_email, 'fp', "
		 "'ANDROID', 1, 'ACTIVE', CONCAT(?, LPAD(SUBSTRING(s.roll_no, "
		 "2), 6, '0'), '-registration-token') FROM student s JOIN "
		 "class c USING (class_id) WHERE c.department_id = ?",
		 "sI", pfx, dept),
	    "devices");
	if (db_query(it_db(), it_arena(), &r,
		"SELECT class_id FROM class WHERE department_id = ? "
		"ORDER BY class_id",
		"I", dept) != DB_OK ||
	    r.nrows != *nclasses)
		must(DB_ERR, "class list");
	ids = calloc((size_t)*nclasses, sizeof(*ids));
	for (i = 0; i < *nclasses; i++)
		ids[i] = db_get_int(&r, i, 0);
	return ids;
}

/* Classes k, k + PRODUCERS, ...: one transaction each, then the wake-up. */
static void
produce(struct db *db, const long long *ids, int nclasses, int k)
{
	const char *payload =
	    "{\"data\":{\"expires_at\":\"1795294500\",\"session_id\":\"1\","
	    "\"subject\":\"Maths\",\"type\":\"attendance.started\"},"
	    "\"notification\":{\"body\":\"Open eHazira and enter the code "
	    "on the board\",\"title\":\"Attendance is open\"}}";
	long long queued;
	char collapse[48];
	int i;

	for (i = k; i < nclasses; i += PRODUCERS) {
		snprintf(collapse, sizeof(collapse), "session-%d", i + 1);
		must(db_begin(db), "transaction");
		must(pushqueue_started(db, ids[i], 0, collapse, payload,
			 now_ms() + 120000, &queued),
		    "pushes");
		must(db_commit(db), "pushes");
		outbox_wake(it_config());
	}
}

/*
 * Every class's initiate, from PRODUCERS processes with a connection
 * each, as the workers' threads take the teachers' initiates at once.
 */
static void
queue_classes(const long long *ids, int nclasses, struct run *out)
{
	long long t0 = now_ms();
	pid_t kids[PRODUCERS];
	int k, st;

	for (k = 0; k < PRODUCERS && k < nclasses; k++)
		if ((kids[k] = fork()) == 0) {
			struct db *db = db_new(it_config());

			produce(db, ids, nclasses, k);
			db_free(db);
			_exit(0);
		}
	while (k-- > 0)
		if (waitpid(kids[k], &st, 0) < 0 || !WIFEXITED(st) ||
		    WEXITSTATUS(st) != 0)
			must(DB_ERR, "pushes (a producer failed)");
	out->queue_ms = now_ms() - t0;
	out->total_ms = t0; /* the start, until the last arrival is known */
}

/* n pushes in classes of per: queued, then waited for at the stand-in. */
static int
measure(const char *shape, int n, int per, struct run *out)
{
	char pfx[96];
	long long *ids, last, cpu0[NCPU];
	int nclasses, i;

	snprintf(pfx, sizeof(pfx), "%s-%s%d-", prefix, shape, n);
	ids = fixture(pfx, n, per, &nclasses);
	usleep(300000); /* the relay idle again, the fixture's I/O settled */
	cpu_read(cpu0);
	queue_classes(ids, nclasses, out);
	free(ids);
	if ((last = wait_last(pfx, n, 60000)) < 0)
		return -1;
	cpu_read(out->cpu);
	for (i = 0; i < NCPU; i++)
		out->cpu[i] -= cpu0[i];
	out->cpu_ms = out->cpu[CPU_RELAY] + out->cpu[CPU_DB];
	out->total_ms = last - out->total_ms;
	return 0;
}

/* The bare client's easy handles: one per slot, the same request. */
static CURL **
raw_handles(long parallel, struct curl_slist **h, char *body, size_t bodylen)
{
	json_t *t = fcm_get("/control/token");
	char url[512], auth[256];
	CURL **e = calloc((size_t)parallel, sizeof(*e));
	int i;

	snprintf(url, sizeof(url), "%s/v1/projects/%s/messages:send",
	    getenv("EHAZIRA_FCM_ENDPOINT"), getenv("EHAZIRA_FCM_PROJECT_ID"));
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s",
	    json_string_value(json_object_get(t, "access_token")));
	json_decref(t);
	*h = curl_slist_append(NULL, auth);
	*h = curl_slist_append(*h, "Content-Type: application/json");
	*h = curl_slist_append(*h, "Expect:");
	snprintf(body, bodylen,
	    "{\"message\":{\"token\":\"raw-%s\",\"android\":{\"priority\":"
	    "\"high\",\"ttl\":\"60s\",\"collapse_key\":\"c\"},\"notification\":"
	    "{\"title\":\"t\",\"body\":\"b\"},\"data\":{\"k\":\"v\"}}}",
	    prefix);
	for (i = 0; i < parallel; i++) {
		e[i] = curl_easy_init();
		curl_easy_setopt(e[i], CURLOPT_URL, url);
		curl_easy_setopt(e[i], CURLOPT_HTTPHEADER, *h);
		curl_easy_setopt(e[i], CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(e[i], CURLOPT_WRITEFUNCTION, discard);
	}
	return e;
}

/* A bare client: n sends with parallel in flight, in ms. */
static long long
raw_multi(int n, long parallel)
{
	struct curl_slist *h = NULL;
	CURLM *m = curl_multi_init();
	char body[512];
	CURL **e = raw_handles(parallel, &h, body, sizeof(body));
	long long t0 = now_ms();
	int started = 0, done = 0, running, left, i;
	CURLMsg *msg;

	for (i = 0; i < parallel && started < n; i++, started++)
		curl_multi_add_handle(m, e[i]);
	while (done < n) {
		curl_multi_perform(m, &running);
		while ((msg = curl_multi_info_read(m, &left)) != NULL) {
			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_multi_remove_handle(m, msg->easy_handle);
			done++;
			if (started < n) {
				curl_multi_add_handle(m, msg->easy_handle);
				started++;
			}
		}
		if (done < n)
			curl_multi_poll(m, NULL, 0, 100, NULL);
	}
	t0 = now_ms() - t0;
	for (i = 0; i < parallel; i++)
		curl_easy_cleanup(e[i]);
	curl_multi_cleanup(m);
	curl_slist_free_all(h);
	free(e);
	return t0;
}

/*
 * The bare client's run of n, in ms, and the CPU a send cost it and the
 * stand-in, in us: what the relay's own CPU a push compares with.
 */
static long long
bare_run(int n, long parallel, double *self_us, double *standin_us)
{
	struct rusage r0, r1;
	long long s0 = cpu_ms(cpu_pidfile[CPU_STANDIN]), ms;

	getrusage(RUSAGE_SELF, &r0);
	ms = raw_multi(n, parallel);
	getrusage(RUSAGE_SELF, &r1);
	*self_us = ((double)(r1.ru_utime.tv_sec - r0.ru_utime.tv_sec +
			r1.ru_stime.tv_sec - r0.ru_stime.tv_sec) *
			   1e6 +
		       (double)(r1.ru_utime.tv_usec - r0.ru_utime.tv_usec +
			   r1.ru_stime.tv_usec - r0.ru_stime.tv_usec)) /
	    n;
	*standin_us =
	    (double)(cpu_ms(cpu_pidfile[CPU_STANDIN]) - s0) * 1000 / n;
	return ms;
}

/* One line per size; 1 when the wave's budgets hold. */
static int
report(const char *shape, const struct run *r, const long long *bare,
    int budgeted)
{
	double cpu0 = (double)r[0].cpu_ms / sizes[0], cpu, growth = 0;
	int i, ok = 1;

	for (i = 0; i < NSIZES; i++) {
		cpu = (double)r[i].cpu_ms / sizes[i];
		growth = cpu0 > 0 ? cpu / cpu0 : 0;
		printf(
		    "push_bench: %-5s %5d pushes: %5lld ms (queuing %4lld ms)"
		    ", bare client %4lld ms, relay/bare %.2f; relay+MariaDB "
		    "CPU %.0f us a push, x%.2f that at %d (relay %.0f, "
		    "MariaDB %.0f, stand-in %.0f)\n",
		    shape, sizes[i], r[i].total_ms, r[i].queue_ms, bare[i],
		    bare[i] > 0 ? (double)r[i].total_ms / (double)bare[i] : 0,
		    cpu * 1000, growth, sizes[0],
		    (double)r[i].cpu[CPU_RELAY] * 1000 / sizes[i],
		    (double)r[i].cpu[CPU_DB] * 1000 / sizes[i],
		    (double)r[i].cpu[CPU_STANDIN] * 1000 / sizes[i]);
	}
	if (budgeted) {
		ok = r[NSIZES - 1].total_ms <= BUDGET_MS &&
		    growth <= BUDGET_GROWTH;
		printf("push_bench: budget %d pushes in %d ms, CPU a push "
		       "growing <= x%.1f: %s\n",
		    sizes[NSIZES - 1], BUDGET_MS, BUDGET_GROWTH,
		    ok ? "OK" : "OVER BUDGET");
	}
	return ok;
}

int
main(void)
{
	struct run one, wave[NSIZES], big[NSIZES];
	long long bare[NSIZES];
	double bare_self[NSIZES], bare_standin[NSIZES];
	long parallel;
	int i, ok;

	if (it_url() == NULL || getenv("EHAZIRA_FCM_ENDPOINT") == NULL) {
		fprintf(stderr,
		    "push_bench: needs a stack with the FCM "
		    "stand-in (tests/bench/run)\n");
		return 2;
	}
	parallel = it_config()->fcm_parallel;
	snprintf(prefix, sizeof(prefix), "b%s", it_uniq());
	/* Warm-up (token, connections), then the one-push floor. */
	if (measure("warm", 1, 1, &one) < 0 || measure("one", 1, 1, &one) < 0)
		return 1;
	for (i = 0; i < NSIZES; i++) {
		if (measure("wave", sizes[i], PER_CLASS, &wave[i]) < 0 ||
		    measure("class", sizes[i], sizes[i], &big[i]) < 0)
			return 1;
		bare[i] = bare_run(sizes[i], parallel, &bare_self[i],
		    &bare_standin[i]);
	}
	ok = report("wave", wave, bare, 1);
	report("class", big, bare, 0);
	for (i = 0; i < NSIZES; i++)
		printf("push_bench: bare  %5d sends: CPU %.0f us a send (the "
		       "stand-in %.0f)\n",
		    sizes[i], bare_self[i], bare_standin[i]);
	printf("push_bench: one push queued to arrival: %lld ms; %ld in "
	       "flight\n",
	    one.total_ms, parallel);
	return ok ? 0 : 1;
}
