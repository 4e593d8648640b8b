/*
 * main.c - the FastCGI worker: socket, processes, threads, accept loop.
 *
 * The parent opens the listening unix socket, forks FCGI_PROCESSES children
 * and respawns one that dies.  Each child runs FCGI_THREADS threads; each
 * thread owns a database connection and an arena and loops accept ->
 * dispatch -> reply -> reset.  Accepts are serialised per process with a
 * mutex (libfcgi's threaded.c pattern), which is safe because nginx talks
 * to us without fastcgi_keep_conn (see docs/tech-notes.md,
 * "fastcgi_keep_conn and the accept mutex").
 *
 * libfcgi's own SIGTERM handling cannot wake a thread blocked in accept(),
 * so shutdown is ours: the listening socket is non-blocking and the thread
 * holding the accept lock waits in poll() with a short timeout, so when
 * SIGTERM sets the stop flag no thread accepts again; the child waits for
 * requests in flight, joins its threads, frees what they own and leaves
 * through exit() (so gcov and LeakSanitizer see it).  An accept that keeps
 * failing backs off and, past ACCEPT_GIVE_UP_MS, stops the child with a log
 * line.  The parent respawns a child that dies after a delay that doubles
 * with each quick death (capped), counts every restart in the shared
 * metrics counters (stats.h), and on SIGTERM stops the children and removes the
 * socket.  SIGHUP reopens the log file (log_reopen) in the parent and
 * each child.
 */
#include <errno.h>
#include <fcntl.h>
#include <fcgiapp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "config.h"
#include "db.h"
#include "http.h"
#include "log.h"
#include "router.h"
#include "stats.h"
#include "websocket.h"

#define ARENA_CAP (64u * 1024 * 1024)
#define MAX_CHILDREN 64
#define MAX_THREADS 1024
#define POLL_MS 200 /* how soon a waiting accept sees a stop */
#define ACCEPT_BACKOFF_MAX_MS 1000
#define ACCEPT_GIVE_UP_MS 30000 /* failing accepts for this long: leave */
#define RESPAWN_MIN_MS 100
#define RESPAWN_MAX_MS 30000
#define RESPAWN_STABLE_MS 60000 /* a child that lived this long was fine */
#define LISTEN_BACKLOG 4096     /* waiting connects from nginx: listen_socket */

static struct config cfg;
static int listen_fd = -1;
static pthread_mutex_t accept_lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_int busy;
static atomic_int stopping;
static atomic_int child_rc;

/* Reads the body unless it is over the cap; 413 then, else 0. */
static int
read_body(struct http_req *r, FCGX_Request *req)
{
	const char *cl = http_env(r, "CONTENT_LENGTH");
	long long n = cl && *cl ? strtoll(cl, NULL, 10) : 0;
	char *buf;
	int got;

	if (n <= 0)
		return 0;
	if (n > cfg.body_max && r->internal &&
	    strcmp(r->path, "/ws/message") == 0)
		return websocket_too_large(r); /* a 413 would end the socket */
	if (n > cfg.body_max)
		return http_reply_error(r, 413, "payload_too_large",
		    "the body is larger than %ld bytes", cfg.body_max);
	if ((buf = arena_alloc(r->arena, (size_t)n + 1)) == NULL)
		return http_reply_error(r, 413, "payload_too_large",
		    "the body is too large");
	got = FCGX_GetStr(buf, (int)n, req->in);
	if (got != n)
		return http_reply_error(r, 400, "bad_request",
		    "the body ended early");
	r->body = buf;
	r->body_len = (size_t)n;
	return 0;
}

static void
serve(FCGX_Request *req, struct arena *a, struct db *db)
{
	struct http_req r;
	long long t0 = clock_mono_us();
	char *out;
	size_t len;
	int status;

	http_req_init(&r, a, &cfg, req->envp);
	r.db = db;
	log_set_request(r.id);
	if ((status = read_body(&r, req)) != 0)
		http_finish(&r, status);
	else
		router_dispatch(&r);
	if (db_in_tx(db)) {
		log_error("handler left a transaction open; rolled back");
		db_rollback(db);
	}
	out = http_render(&r, &len);
	if (out && strcmp(r.method, "HEAD") == 0)
		len -= r.resp_len;
	if (out)
		FCGX_PutStr(out, (int)len, req->out);
	if (r.after) {
		/* closing both writers sends the end of the request: nginx
		 * has the whole reply before the work that follows it */
		FCGX_FClose(req->err);
		FCGX_FClose(req->out);
	}
	log_info("access %s %s %d %.1fms %s", r.method, r.path, r.status,
	    (double)(clock_mono_us() - t0) / 1e3, r.remote_addr);
	if (r.after)
		r.after(&r, r.after_arg);
	log_set_request(NULL);
}

/*
 * Waits (holding the accept lock) for a connection or a stop: 1 to accept,
 * 0 to look again.  With a non-blocking socket, an accept that another
 * process won just returns EAGAIN.
 */
static int
wait_readable(void)
{
	struct pollfd pfd = { .fd = listen_fd, .events = POLLIN };

	return !atomic_load(&stopping) && poll(&pfd, 1, POLL_MS) > 0 &&
	    !atomic_load(&stopping);
}

/*
 * After a failed accept: 0 to go on (after a back-off when the failure is
 * real), -1 when accepts have failed for too long and the child stops.
 */
static int
accept_failed(int rc, double *failing_since, long *backoff_ms)
{
	double now = clock_mono_ms();

	if (rc == -EAGAIN || rc == -EWOULDBLOCK || rc == -EINTR)
		return 0;
	if (*failing_since == 0) {
		*failing_since = now;
		log_warn("accept failed (%s); backing off", strerror(-rc));
	}
	if (now - *failing_since > ACCEPT_GIVE_UP_MS) {
		log_error("accept has failed for %d s (%s); stopping this "
			  "worker process",
		    ACCEPT_GIVE_UP_MS / 1000, strerror(-rc));
		atomic_store(&child_rc, 1);
		kill(getpid(), SIGTERM);
		return -1;
	}
	*backoff_ms = *backoff_ms ? *backoff_ms * 2 : 10;
	if (*backoff_ms > ACCEPT_BACKOFF_MAX_MS)
		*backoff_ms = ACCEPT_BACKOFF_MAX_MS;
	usleep((useconds_t)*backoff_ms * 1000);
	return 0;
}

static void *
worker_thread(void *arg)
{
	FCGX_Request req;
	struct arena *a = arena_new(ARENA_CAP);
	struct db *db = db_new(&cfg);
	double failing_since = 0;
	long backoff_ms = 0;
	int rc;

	(void)arg;
	if (a == NULL || db == NULL || FCGX_InitRequest(&req, listen_fd, 0)) {
		log_error("worker thread: out of memory");
		exit(1);
	}
	while (!atomic_load(&stopping)) {
		pthread_mutex_lock(&accept_lock);
		rc = wait_readable() ? FCGX_Accept_r(&req) : -EAGAIN;
		if (rc >= 0)
			atomic_fetch_add(&busy, 1);
		pthread_mutex_unlock(&accept_lock);
		if (rc < 0) {
			/* the lock is free, so the back-off stalls no one */
			if (accept_failed(rc, &failing_since, &backoff_ms))
				break;
			continue;
		}
		failing_since = 0;
		backoff_ms = 0;
		serve(&req, a, db);
		FCGX_Finish_r(&req);
		arena_reset(a);
		atomic_fetch_sub(&busy, 1);
	}
	FCGX_Free(&req, 0);
	arena_free(a);
	db_free(db);
	db_thread_end();
	return NULL;
}

/*
 * Joins the threads when they finish within the drain deadline; 0 when
 * they all did, -1 when a request outlived it (then nothing is freed).
 */
static int
join_threads(pthread_t *tids, int n)
{
	double deadline = clock_mono_ms() + 10000;
	int i;

	/* busy counts threads between accept and reset; none accept now */
	while (atomic_load(&busy) > 0 && clock_mono_ms() < deadline)
		usleep(5000);
	if (atomic_load(&busy) > 0) {
		log_warn("%d requests still running at the deadline",
		    atomic_load(&busy));
		return -1;
	}
	for (i = 0; i < n; i++)
		pthread_join(tids[i], NULL);
	return 0;
}

static void
child_main(void)
{
	static pthread_t tids[MAX_THREADS];
	pthread_attr_t attr;
	sigset_t set;
	int sig, i, n;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 1024 * 1024);
	n = (int)(cfg.fcgi_threads > MAX_THREADS ? MAX_THREADS
						 : cfg.fcgi_threads);
	for (i = 0; i < n; i++) {
		if (pthread_create(&tids[i], &attr, worker_thread, NULL) != 0) {
			log_error("cannot start worker thread %d", i);
			exit(1);
		}
	}
	pthread_attr_destroy(&attr);
	/* SIGHUP: logrotate moved the log file (the parent passes it on) */
	while (sigwait(&set, &sig) == 0 && sig == SIGHUP)
		if (log_reopen() == 0)
			log_info("log reopened");
	/* From here no thread accepts; requests in flight finish (<= 10 s). */
	atomic_store(&stopping, 1);
	if (join_threads(tids, n) != 0)
		_exit(1);
	/* cfg's strings stay reachable from the global: nothing to free */
	exit(atomic_load(&child_rc));
}

static pid_t
spawn(void)
{
	pid_t pid = fork();

	if (pid == 0)
		child_main();
	if (pid < 0)
		log_error("cannot fork a worker process: %s", strerror(errno));
	return pid;
}

/* One slot per child: its pid (0: waiting to be respawned). */
struct kid {
	pid_t pid;
	double born_ms;    /* when it was started */
	double respawn_ms; /* when pid is 0: when to start it again */
	long delay_ms;     /* the back-off its next quick death gets */
};

/* One more restart for GET /metrics (the shared counters, stats.h). */
static void
count_restart(void)
{
	stats_count(STATS_WORKER_RESTARTS);
}

/* Schedules a dead child's restart: quick deaths double the delay. */
static void
schedule_respawn(struct kid *k, int status)
{
	double now = clock_mono_ms();

	if (now - k->born_ms > RESPAWN_STABLE_MS)
		k->delay_ms = RESPAWN_MIN_MS;
	log_warn("worker %d died (status %d); restarting in %ld ms",
	    (int)k->pid, status, k->delay_ms);
	k->pid = 0;
	k->respawn_ms = now + (double)k->delay_ms;
	k->delay_ms *= 2;
	if (k->delay_ms > RESPAWN_MAX_MS)
		k->delay_ms = RESPAWN_MAX_MS;
}

/* Starts the children whose time has come; ms until the next one, or -1. */
static long
respawn_due(struct kid *kids, int n)
{
	double now = clock_mono_ms(), next = -1;
	int i;

	for (i = 0; i < n; i++) {
		if (kids[i].pid != 0)
			continue;
		if (kids[i].respawn_ms <= now) {
			kids[i].born_ms = now;
			if ((kids[i].pid = spawn()) > 0) {
				count_restart();
				continue;
			}
			kids[i].pid = 0;
			kids[i].respawn_ms = now + RESPAWN_MAX_MS;
		}
		if (next < 0 || kids[i].respawn_ms - now < next)
			next = kids[i].respawn_ms - now;
	}
	return (long)next;
}

/* Waits for a signal, or until a child is due; the signal or 0. */
static int
wait_signal(const sigset_t *set, long ms)
{
	struct timespec ts;
	int sig;

	if (ms < 0)
		return sigwait(set, &sig) == 0 ? sig : 0;
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	sig = sigtimedwait(set, NULL, &ts);
	return sig > 0 ? sig : 0;
}

static void
supervise(struct kid *kids, int nkids, const sigset_t *set)
{
	pid_t pid;
	int i, status, sig;

	for (;;) {
		sig = wait_signal(set, respawn_due(kids, nkids));
		if (sig == SIGTERM || sig == SIGINT)
			return;
		if (sig == SIGHUP) {
			if (log_reopen() == 0)
				log_info("log reopened");
			for (i = 0; i < nkids; i++)
				if (kids[i].pid > 0)
					kill(kids[i].pid, SIGHUP);
			continue;
		}
		while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
			for (i = 0; i < nkids; i++)
				if (kids[i].pid == pid)
					schedule_respawn(&kids[i], status);
	}
}

static int
listen_socket(void)
{
	int flags;

	unlink(cfg.fcgi_socket);
	/* nginx connects once a request: at the 9 o'clock wave's peak
	 * (20,000 sockets' frames while the threads wait on the database)
	 * 1,024 waiting connects overflowed, and nginx answered 503 to
	 * submits (docs/benchmarks.md).  The kernel caps this at
	 * net.core.somaxconn (4096 on Debian 12). */
	listen_fd = FCGX_OpenSocket(cfg.fcgi_socket, LISTEN_BACKLOG);
	if (listen_fd < 0) {
		log_error("cannot listen on '%s'", cfg.fcgi_socket);
		return -1;
	}
	chmod(cfg.fcgi_socket, 0660);
	/* accepted sockets do not inherit O_NONBLOCK on Linux */
	flags = fcntl(listen_fd, F_GETFL);
	if (flags < 0 || fcntl(listen_fd, F_SETFL, flags | O_NONBLOCK) < 0) {
		log_error("cannot make the socket non-blocking");
		return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	char err[512];
	struct kid kids[MAX_CHILDREN] = { 0 };
	int nkids, i, status;
	sigset_t set;
	const char *cmd = argc > 1 ? argv[1] : "serve";

	if (config_load(&cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "ehazira-fcgi: %s\n", err);
		return 2;
	}
	if (strcmp(cmd, "check-config") == 0)
		return 0;
	log_init("ehazira-fcgi", cfg.log_level);
	if (log_reopen() < 0)
		return 1;
	setenv("TZ", cfg.timezone, 1);
	tzset();
	db_library_init();
	if (FCGX_Init() != 0) {
		log_error("FCGX_Init failed");
		return 1;
	}
	if (listen_socket() != 0)
		return 1;

	/* before the fork: every child counts into the one block */
	if (stats_init() < 0) {
		log_error("cannot map the metrics counters");
		return 1;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);

	nkids = (int)(cfg.fcgi_processes > MAX_CHILDREN ? MAX_CHILDREN
							: cfg.fcgi_processes);
	for (i = 0; i < nkids; i++) {
		kids[i].born_ms = clock_mono_ms();
		kids[i].delay_ms = RESPAWN_MIN_MS;
		kids[i].pid = spawn();
		if (kids[i].pid < 0)
			kids[i].pid = 0;
	}
	log_info("listening on %s: %d processes x %ld threads", cfg.fcgi_socket,
	    nkids, cfg.fcgi_threads);
	supervise(kids, nkids, &set);
	log_info("stopping");
	for (i = 0; i < nkids; i++)
		if (kids[i].pid > 0)
			kill(kids[i].pid, SIGTERM);
	for (i = 0; i < nkids; i++)
		if (kids[i].pid > 0)
			waitpid(kids[i].pid, &status, 0);
	unlink(cfg.fcgi_socket);
	log_info("stopped");
	return 0;
}
