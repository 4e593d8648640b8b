/*
 * wave_bench.c - the 9 o'clock wave: every class of a college starts at
 * once.  C classes x M students (default 400 x 50, env
 * EHAZIRA_WAVE_CLASSES / EHAZIRA_WAVE_STUDENTS) hold a WebSocket each,
 * and so does every teacher; the teachers initiate within 30 s (evenly
 * spread); each student submits over the socket 1-8 s after its start
 * event, 3% with a wrong code first.  Reported: submits/s at the peak
 * second, student ack p50/p99/max (submit frame sent -> submit.result),
 * teacher event p50/p99 (submit sent -> the teacher's
 * attendance.submission), lost and failed submits (and those sent again
 * on the hook's retryable error, as the app does), every student's row
 * in the database, and the CPU each part of the stack used.  Then the
 * same wave again over two front nodes (`scripts/stack up --node 2`):
 * students and teachers alternate between the nodes.
 *
 * Latencies are also given as ratios to GET /healthz's p50 of the same
 * run (the machine's speed drifts).  The run fails on a lost or failed
 * submit or a missing row; the millisecond budgets of docs/benchmarks.md
 * are printed as met or not (on a shared 2-core machine they say more
 * about the machine than about the code).
 */
#include <curl/curl.h>
#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "it.h"
#include "ws.h"

#define SPREAD_MS 30000.0
#define SPARE_FDS 128
#define STALL_MS 15000.0 /* no ack for this long: the rest are lost */

enum { IDLE, WAITING, SENT, DONE };

struct stud {
	struct ws *w;
	char *tok, last[64]; /* last: the last event's id, to resume */
	int cls, state, wrong_first;
	double due, sent, acked, seen;
};

struct klass {
	long long period_id, sid; /* sid: set (atomically) last */
	char *tok, otp[5], last[64];
	struct ws *w;
};

static int nclass, nstud, nnodes = 1, ports[2];
static struct stud *studs;
static struct klass *classes;
static char tag[32];
static double t_start, last_ack;
static int failures, epfd, reconnects, resends;

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int
env_int(const char *name, int def)
{
	const char *v = getenv(name);

	return v && atoi(v) > 0 ? atoi(v) : def;
}

/* One statement over the whole fixture; exits on failure. */
#define SQL(...)                                                        \
	do {                                                            \
		if (it_sql(__VA_ARGS__) != DB_OK) {                     \
			fprintf(stderr, "wave: fixture failed at %s\n", \
			    #__VA_ARGS__);                              \
			exit(1);                                        \
		}                                                       \
	} while (0)

#define N_CTE(lim)                                                        \
	"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n " \
	"WHERE i < " lim ") "

/* Classes, teachers, courses, subjects, periods, students, devices. */
static long long
fixture_rows(void)
{
	char dept[64];
	long long dep;

	snprintf(dept, sizeof(dept), "Wave %s", tag);
	SQL("INSERT INTO department (department_name) VALUES (?)", "s", dept);
	dep = it_sql_int("SELECT LAST_INSERT_ID()", "");
	SQL("INSERT INTO class (department_id, batch, semester, section) " N_CTE(
		"?") "SELECT ?, ?, 1, i FROM n",
	    "iIs", nclass, dep, tag);
	SQL("INSERT INTO teacher (teacher_email, name, department_id, "
	    "verified) " N_CTE(
		"?") "SELECT CONCAT('wt', i, '-', ?, "
		     "'@bench.edu'), CONCAT('Teacher ', i), ?, 1 "
		     "FROM n",
	    "isI", nclass, tag, dep);
	SQL("INSERT INTO course (course_id, course_name) " N_CTE(
		"?") "SELECT CONCAT('W', ?, '-', i), 'Wave' FROM n",
	    "is", nclass, tag);
	SQL("INSERT INTO subject (course_id, class_id, teacher_email) SELECT "
	    "CONCAT('W', ?, '-', section), class_id, CONCAT('wt', section, "
	    "'-', ?, '@bench.edu') FROM class WHERE department_id = ?",
	    "ssI", tag, tag, dep);
	SQL("INSERT INTO period (subject_id, day_of_week, period_no) SELECT "
	    "s.subject_id, 1, 1 FROM subject s JOIN class c USING (class_id) "
	    "WHERE c.department_id = ?",
	    "I", dep);
	SQL("INSERT INTO student (student_email, name, roll_no, class_id, "
	    "verified) " N_CTE("?") "SELECT CONCAT('w', c.section, '-', i, "
				    "'-', ?, '@bench.edu'), CONCAT('Student ', "
				    "i), LPAD(i, 3, '0'), c.class_id, 1 FROM "
				    "class c JOIN n WHERE c.department_id = ?",
	    "isI", nstud, tag, dep);
	SQL("INSERT INTO device (user_email, role, device_uuid, "
	    "fingerprint_hash, platform, active, approval) SELECT "
	    "s.student_email, 'student', UUID(), SHA2(s.student_email, 256), "
	    "'ANDROID', 1, 'ACTIVE' FROM student s JOIN class c USING "
	    "(class_id) WHERE c.department_id = ?",
	    "I", dep);
	SQL("INSERT INTO device (user_email, role, device_uuid, "
	    "fingerprint_hash, platform, active, approval) SELECT "
	    "teacher_email, 'teacher', UUID(), SHA2(teacher_email, 256), "
	    "'ANDROID', 1, 'ACTIVE' FROM teacher WHERE department_id = ?",
	    "I", dep);
	return dep;
}

/* Tokens and period ids into studs[] and classes[]. */
static void
fixture_tokens(long long dep)
{
	struct db_rows rows;
	int r, c, j;

	db_query(it_db(), it_arena(), &rows,
	    "SELECT c.section, p.period_id, d.user_email, d.device_id FROM "
	    "class c JOIN subject s USING (class_id) JOIN period p USING "
	    "(subject_id) JOIN device d ON d.user_email = s.teacher_email "
	    "WHERE c.department_id = ?",
	    "I", dep);
	for (r = 0; r < rows.nrows; r++) {
		c = atoi(db_get(&rows, r, 0)) - 1;
		classes[c].period_id = db_get_int(&rows, r, 1);
		classes[c].tok = strdup(it_token(db_get(&rows, r, 2), "teacher",
		    db_get_int(&rows, r, 3), 7200));
	}
	db_query(it_db(), it_arena(), &rows,
	    "SELECT c.section, CAST(s.roll_no AS UNSIGNED), s.student_email, "
	    "d.device_id FROM student s JOIN class c USING (class_id) JOIN "
	    "device d ON d.user_email = s.student_email WHERE "
	    "c.department_id = ?",
	    "I", dep);
	for (r = 0; r < rows.nrows; r++) {
		c = atoi(db_get(&rows, r, 0)) - 1;
		j = atoi(db_get(&rows, r, 1)) - 1;
		studs[c * nstud + j].cls = c;
		studs[c * nstud + j].tok = strdup(it_token(db_get(&rows, r, 2),
		    "student", db_get_int(&rows, r, 3), 7200));
	}
	arena_reset(it_arena());
}

static void drain(int i);

/* Handles what has arrived within timeout_ms; returns the sockets seen. */
static int
poll_once(int timeout_ms)
{
	struct epoll_event evs[256];
	int n, i;

	n = epoll_wait(epfd, evs, 256, timeout_ms);
	for (i = 0; i < n; i++)
		drain((int)evs[i].data.u32);
	return n;
}

/*
 * Every socket with something waiting, without waiting.  nchan closes a
 * WebSocket that has not answered its ping (every 20 s) by the next one,
 * so the client must keep up with all of them while it connects: with
 * 256 events every 200 connects it fell behind at ~14,000 sockets, and
 * the thousands of sockets nchan closed and the client connected again
 * are what aborted nchan (docs/benchmarks.md).
 */
static void
poll_ready(void)
{
	while (poll_once(0) == 256)
		;
}

/*
 * A socket that has seen no event yet resumes from the second before it
 * connected, as the app resumes from its own state: the events published
 * while it was away (its start event) come from nchan's buffer.  A
 * student subscribes to two channels (its class's and its own).
 */
static void
resume_from_now(char *last, int student)
{
	snprintf(last, 64, "%lld:%s", (long long)time(NULL) - 1,
	    student ? "0,0" : "0");
}

/*
 * Student or teacher socket i, to node i % nnodes; after last (an event
 * id) when it reconnects.
 */
static struct ws *
connect_one(const char *tok, int i, const char *last)
{
	char offer[4200], path[128];
	struct ws *w = NULL;
	int status = 0, tries;

	snprintf(offer, sizeof(offer), "ws+meta.nchan, bearer.%s", tok);
	snprintf(path, sizeof(path), "/ws%s%s",
	    last && *last ? "?last_event_id=" : "", last ? last : "");
	for (tries = 0; tries < 100 && w == NULL; tries++)
		if ((w = ws_connect(ports[i % nnodes], path, offer, 10000,
			 &status)) == NULL)
			usleep(100000);
	if (w == NULL) {
		fprintf(stderr, "wave: socket %d refused (%d)\n", i, status);
		exit(1);
	}
	return w;
}

static void
connect_all(int ep)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int i, n = nclass * nstud;

	for (i = 0; i < n + nclass; i++) {
		struct ws *w = i < n ? connect_one(studs[i].tok, i, NULL)
				     : connect_one(classes[i - n].tok, i, NULL);

		if (i < n)
			studs[i].w = w;
		else
			classes[i - n].w = w;
		resume_from_now(i < n ? studs[i].last : classes[i - n].last,
		    i < n);
		ev.data.u32 = (unsigned)i;
		epoll_ctl(ep, EPOLL_CTL_ADD, ws_fd(w), &ev);
		poll_ready();
	}
}

/* The teachers initiate, evenly over SPREAD_MS. */
static void *
initiator(void *arg)
{
	int c;

	(void)arg;
	for (c = 0; c < nclass; c++) {
		double at = t_start + SPREAD_MS * c / nclass;
		struct it_resp r;
		char body[64];

		while (now_ms() < at)
			usleep(1000);
		snprintf(body, sizeof(body), "{\"period_id\":%lld}",
		    classes[c].period_id);
		if (it_post_json("/attendance/initiate", classes[c].tok, body,
			&r) != 0 ||
		    r.status != 201) {
			fprintf(stderr, "wave: initiate %d: %ld\n", c,
			    r.status);
			__atomic_add_fetch(&failures, 1, __ATOMIC_RELAXED);
			it_resp_free(&r);
			continue;
		}
		snprintf(classes[c].otp, sizeof(classes[c].otp), "%s",
		    json_string_value(json_object_get(r.json, "otp")));
		__atomic_store_n(&classes[c].sid,
		    json_integer_value(json_object_get(r.json, "session_id")),
		    __ATOMIC_RELEASE);
		it_resp_free(&r);
	}
	return NULL;
}

static void
send_submit(struct stud *s, int wrong)
{
	struct klass *k = &classes[s->cls];
	char frame[128], otp[5];

	snprintf(otp, sizeof(otp), "%s", k->otp);
	if (wrong)
		otp[3] = otp[3] == '9' ? '0' : (char)(otp[3] + 1);
	snprintf(frame, sizeof(frame),
	    "{\"type\":\"submit\",\"session_id\":%lld,\"otp\":\"%s\"}",
	    __atomic_load_n(&k->sid, __ATOMIC_ACQUIRE), otp);
	s->sent = now_ms();
	s->state = SENT;
	if (ws_send_text(s->w, frame) != 0)
		failures++;
}

/* Due submits: those whose start event came 1-8 s ago. */
static void
send_due(void)
{
	int i, n = nclass * nstud;
	double t = now_ms();

	for (i = 0; i < n; i++) {
		struct stud *s = &studs[i];

		if (s->state != WAITING || t < s->due ||
		    __atomic_load_n(&classes[s->cls].sid, __ATOMIC_ACQUIRE) ==
			0)
			continue;
		send_submit(s, s->wrong_first);
	}
}

/* "w<class>-<roll>-<tag>@bench.edu" -> its index in studs[], or -1. */
static int
student_index(const char *email)
{
	int c, j;

	if (email == NULL || sscanf(email, "w%d-%d-", &c, &j) != 2 || c < 1 ||
	    c > nclass || j < 1 || j > nstud)
		return -1;
	return (c - 1) * nstud + (j - 1);
}

static void
on_student(struct stud *s, json_t *m)
{
	const char *type = json_string_value(json_object_get(m, "type"));
	long code = (long)json_integer_value(json_object_get(m, "status_code"));

	if (type == NULL)
		return;
	if (strcmp(type, "attendance.started") == 0 && s->state == IDLE) {
		s->state = WAITING;
		s->due = now_ms() + 1000 + rand() % 7000;
		s->wrong_first = rand() % 100 < 3;
	} else if (strcmp(type, "error") == 0 && s->state == SENT &&
	    json_is_true(json_object_get(m, "retryable"))) {
		/* the hook's "send again" (its worker was busy or away): as
		 * the app does, the same submit once more */
		resends++;
		send_submit(s, s->wrong_first);
	} else if (strcmp(type, "submit.result") == 0 && s->state == SENT) {
		if (code == 200) {
			s->acked = last_ack = now_ms();
			s->state = DONE;
		} else if (code == 422 && s->wrong_first) {
			s->wrong_first = 0;
			send_submit(s, 0);
		} else {
			fprintf(stderr, "wave: submit answered %ld\n", code);
			failures++;
			s->state = DONE;
		}
	}
}

static void
on_teacher(json_t *m)
{
	const char *type = json_string_value(json_object_get(m, "type"));
	json_t *items = json_object_get(m, "items");
	size_t k;
	int i;

	/* a batch's submissions in one message (attendance.submissions) */
	if (json_is_array(items)) {
		for (k = 0; k < json_array_size(items); k++)
			on_teacher(json_array_get(items, k));
		return;
	}
	if (type == NULL || strcmp(type, "attendance.submission") != 0)
		return;
	i = student_index(
	    json_string_value(json_object_get(m, "student_email")));
	if (i >= 0 && studs[i].seen == 0 && !studs[i].wrong_first)
		studs[i].seen = now_ms();
}

/*
 * As the app does when its socket closes (nginx restarted): connect again
 * after the last event seen, and send a submit again whose answer the
 * old socket did not bring.
 */
static void
reconnect(int i)
{
	int n = nclass * nstud;
	struct ws **w = i < n ? &studs[i].w : &classes[i - n].w;
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = (unsigned)i };

	epoll_ctl(epfd, EPOLL_CTL_DEL, ws_fd(*w), NULL);
	ws_close(*w);
	*w = i < n ? connect_one(studs[i].tok, i, studs[i].last)
		   : connect_one(classes[i - n].tok, i, classes[i - n].last);
	epoll_ctl(epfd, EPOLL_CTL_ADD, ws_fd(*w), &ev);
	reconnects++;
	if (i < n && studs[i].state == SENT)
		send_submit(&studs[i], studs[i].wrong_first);
}

/* Every message waiting on socket i. */
static void
drain(int i)
{
	int n = nclass * nstud;
	struct ws *w = i < n ? studs[i].w : classes[i - n].w;
	char *last = i < n ? studs[i].last : classes[i - n].last, *msg, *id;

	while ((msg = ws_recv(w, 0)) != NULL) {
		json_t *m = json_loads(ws_meta_split(msg, &id), 0, NULL);

		if (id != NULL)
			snprintf(last, 64, "%s", id);
		free(id);
		if (m != NULL) {
			if (i < n)
				on_student(&studs[i], m);
			else
				on_teacher(m);
			json_decref(m);
		}
		free(msg);
	}
	if (ws_closed(w))
		reconnect(i);
}

static int
all_done(void)
{
	int i;

	for (i = 0; i < nclass * nstud; i++)
		if (studs[i].state != DONE)
			return 0;
	return 1;
}

/* The wave itself: initiates over 30 s, submits as starts arrive. */
static void
run_wave(void)
{
	pthread_t th;
	double end;

	t_start = now_ms() + 500;
	end = t_start + SPREAD_MS + 8000 + 60000;
	last_ack = t_start;
	pthread_create(&th, NULL, initiator, NULL);
	/* past the nominal end, on while acks still come: on a machine
	 * other work starves, a slow submit is slow, not lost */
	while ((now_ms() < end || now_ms() - last_ack < STALL_MS) &&
	    now_ms() < end + 240000 && !all_done()) {
		poll_once(2);
		send_due();
	}
	/* the teachers' last events trail the last acks a little */
	end = now_ms() + 1000;
	while (now_ms() < end)
		poll_once(10);
	pthread_join(th, NULL);
}

static int
cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double
pct(double *v, int n, double p)
{
	int i = (int)(p * (n - 1) + 0.5);

	return n ? v[i < n ? i : n - 1] : 0;
}

/* GET /healthz p50 over 200 requests: this run's unit of speed. */
static double
healthz_p50(void)
{
	double v[200];
	int i;

	for (i = 0; i < 200; i++) {
		struct it_resp r;
		double t0 = now_ms();

		it_get("/healthz", NULL, &r);
		v[i] = now_ms() - t0;
		it_resp_free(&r);
	}
	qsort(v, 200, sizeof(v[0]), cmp_d);
	return v[100];
}

/* CPU ticks of the processes in STATE/run/<name>.pid and their children. */
static long long
ticks_of(const char *state, const char *name)
{
	char path[4200], buf[1024];
	long long total = 0, ut, st;
	int root = 0, pid, ppid;
	DIR *d;
	struct dirent *e;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/run/%s.pid", state, name);
	if ((fp = fopen(path, "r")) == NULL)
		return 0;
	if (fscanf(fp, "%d", &root) != 1)
		root = 0;
	fclose(fp);
	if (root <= 0 || (d = opendir("/proc")) == NULL)
		return 0;
	while ((e = readdir(d)) != NULL) {
		if ((pid = atoi(e->d_name)) <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/stat", pid);
		if ((fp = fopen(path, "r")) == NULL)
			continue;
		if (fgets(buf, sizeof(buf), fp) && strrchr(buf, ')') &&
		    sscanf(strrchr(buf, ')') + 2,
			"%*c %d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lld %lld",
			&ppid, &ut, &st) == 3 &&
		    (pid == root || ppid == root))
			total += ut + st;
		fclose(fp);
	}
	closedir(d);
	return total;
}

static const char *const parts[] = { "nginx", "fcgi", "mariadb", "redis",
	"relay" };
#define NPARTS (sizeof(parts) / sizeof(parts[0]))

static void
cpu_sample(long long out[NPARTS + 1])
{
	char node[4200];
	size_t i;
	struct rusage ru;

	snprintf(node, sizeof(node), "%s/node-2", getenv("EHAZIRA_STATE"));
	for (i = 0; i < NPARTS; i++)
		out[i] = ticks_of(getenv("EHAZIRA_STATE"), parts[i]) +
		    (nnodes > 1 ? ticks_of(node, parts[i]) : 0);
	getrusage(RUSAGE_SELF, &ru);
	out[NPARTS] =
	    (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * sysconf(_SC_CLK_TCK) +
	    (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * sysconf(_SC_CLK_TCK) /
		1000000;
}

/* Every student's row, P, in the database. */
static long long
rows_present(long long dep)
{
	return it_sql_int("SELECT COUNT(*) FROM attendance a JOIN student s "
			  "USING (student_email) JOIN class c USING (class_id) "
			  "WHERE c.department_id = ? AND a.status = 'P'",
	    "I", dep);
}

static void
report(double wall, const long long cpu0[], const long long cpu1[],
    long long rows, double base)
{
	int n = nclass * nstud, na = 0, nt = 0, i, peak = 0, at = 0;
	double *ack = calloc((size_t)n, sizeof(double));
	double *tev = calloc((size_t)n, sizeof(double));
	int *per_s = calloc(120, sizeof(int));
	size_t p;

	for (i = 0; i < n; i++) {
		if (studs[i].state == DONE && studs[i].acked > 0) {
			ack[na++] = studs[i].acked - studs[i].sent;
			int sec = (int)((studs[i].acked - t_start) / 1000);
			if (sec >= 0 && sec < 120 && ++per_s[sec] > peak)
				peak = per_s[sec], at = sec;
		}
		if (studs[i].seen > 0)
			tev[nt++] = studs[i].seen - studs[i].sent;
	}
	qsort(ack, (size_t)na, sizeof(double), cmp_d);
	qsort(tev, (size_t)nt, sizeof(double), cmp_d);
	printf("wave (%d node%s): %d classes x %d students, %d sockets, "
	       "%.0f s\n",
	    nnodes, nnodes > 1 ? "s" : "", nclass, nstud, n + nclass,
	    wall / 1000);
	printf("  peak          %d submits/s (second %d)\n", peak, at);
	printf("  student ack   p50 %.1f ms  p99 %.1f ms  max %.1f ms  "
	       "(p99 = %.0f x healthz p50 %.2f ms)\n",
	    pct(ack, na, .5), pct(ack, na, .99), na ? ack[na - 1] : 0,
	    pct(ack, na, .99) / base, base);
	printf("  teacher event p50 %.1f ms  p99 %.1f ms  (%d of %d seen)\n",
	    pct(tev, nt, .5), pct(tev, nt, .99), nt, n);
	printf("  lost %d, failed %d, rows P %lld of %d, reconnects %d, "
	       "sent again %d\n",
	    n - na, failures, rows, n, reconnects, resends);
	printf("  cpu (cores busy over the wave):");
	for (p = 0; p <= NPARTS; p++)
		printf(" %s %.2f", p < NPARTS ? parts[p] : "client",
		    (double)(cpu1[p] - cpu0[p]) / sysconf(_SC_CLK_TCK) /
			(wall / 1000));
	printf("\n  budgets: ack p99 <= 50 ms %s, teacher p99 <= 100 ms %s\n",
	    pct(ack, na, .99) <= 50 ? "met" : "NOT met",
	    pct(tev, nt, .99) <= 100 ? "met" : "NOT met");
	if (na != n || failures || rows != n || nt != n)
		failures = failures ? failures : 1;
	free(ack);
	free(tev);
	free(per_s);
}

/* Closes the sockets and ends the windows (the relay finalises them). */
static void
wave_end(long long dep)
{
	int i;

	for (i = 0; i < nclass * nstud; i++) {
		ws_close(studs[i].w);
		free(studs[i].tok);
	}
	for (i = 0; i < nclass; i++) {
		ws_close(classes[i].w);
		free(classes[i].tok);
	}
	it_sql("UPDATE attendance_window w JOIN session s USING (session_id) "
	       "JOIN period p USING (period_id) JOIN subject j USING "
	       "(subject_id) JOIN class c USING (class_id) SET w.expires_at = "
	       "NOW(3) WHERE c.department_id = ? AND w.finalized_at IS NULL",
	    "I", dep);
}

static int
wave(double base)
{
	long long cpu0[NPARTS + 1], cpu1[NPARTS + 1], dep;
	double t0;

	reconnects = resends = 0;
	studs = calloc((size_t)(nclass * nstud), sizeof(*studs));
	classes = calloc((size_t)nclass, sizeof(*classes));
	snprintf(tag, sizeof(tag), "%s%d", it_uniq(), nnodes);
	dep = fixture_rows();
	fixture_tokens(dep);
	epfd = epoll_create1(0);
	connect_all(epfd);
	cpu_sample(cpu0);
	t0 = now_ms();
	run_wave();
	cpu_sample(cpu1);
	report(now_ms() - t0, cpu0, cpu1, rows_present(dep), base);
	wave_end(dep);
	close(epfd);
	free(studs);
	free(classes);
	return failures == 0;
}

static int
node2_port(void)
{
	char cmd[4200], url[128] = "";
	FILE *fp;

	if (it_stack("up --node 2") != 0)
		return 0;
	snprintf(cmd, sizeof(cmd), "%s/scripts/stack url --node 2",
	    getenv("EHAZIRA_TEST_ROOT"));
	if ((fp = popen(cmd, "r")) == NULL)
		return 0;
	if (fgets(url, sizeof(url), fp) == NULL)
		url[0] = '\0';
	pclose(fp);
	return strrchr(url, ':') ? atoi(strrchr(url, ':') + 1) : 0;
}

int
main(void)
{
	struct rlimit rl;
	double base;
	int ok;

	nclass = env_int("EHAZIRA_WAVE_CLASSES", 400);
	nstud = env_int("EHAZIRA_WAVE_STUDENTS", 50);
	ports[0] = env_int("EHAZIRA_HTTP_PORT", 8080);
	/* a socket a student and a teacher, plus room for curl and the
	 * database (a few dozen: 128 lets 389 x 50 fit a 20,000 limit) */
	rl.rlim_cur = rl.rlim_max = (rlim_t)(nclass * (nstud + 1) + SPARE_FDS);
	if (setrlimit(RLIMIT_NOFILE, &rl) != 0) {
		getrlimit(RLIMIT_NOFILE, &rl);
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
		nclass = (int)((rl.rlim_cur - SPARE_FDS) / (nstud + 1));
		printf("wave: open files limited to %lu: %d classes\n",
		    (unsigned long)rl.rlim_cur, nclass);
	}
	srand(42);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	base = healthz_p50();
	ok = wave(base);
	if (env_int("EHAZIRA_WAVE_NODES", 2) > 1) {
		if ((ports[1] = node2_port()) == 0) {
			fprintf(stderr, "wave: node 2 did not start\n");
			return 1;
		}
		nnodes = 2;
		ok &= wave(base);
		it_stack("down --node 2");
	}
	return ok ? 0 : 1;
}
