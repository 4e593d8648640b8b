/*
 * main.c - the FastCGI worker: socket, processes, threads, accept loop.
 *
 * The parent opens the listening unix socket, forks FCGI_PROCESSES children
 * and respawns one that dies.  Each child runs FCGI_THREADS threads; each
 * thread owns a database connection and an arena and loops accept ->
 * dispatch -> reply -> reset.  Accepts are serialised per process with a
 * mutex (libfcgi's threaded.c pattern), which is safe because nginx talks
 * to us without fastcgi_keep_conn (see tech-notes §7).
 *
 * libfcgi's own SIGTERM handling cannot wake a thread blocked in accept(),
 * so shutdown is ours: SIGTERM sets a flag, a child waits for requests in
 * flight to finish and exits; the parent reaps the children and removes
 * the socket.
 */
#include <errno.h>
#include <fcgiapp.h>
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
#include "websocket.h"

#define ARENA_CAP (64u * 1024 * 1024)
#define MAX_CHILDREN 64

static struct config cfg;
static int listen_fd = -1;
static pthread_mutex_t accept_lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_int busy;

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

static void *
worker_thread(void *arg)
{
	FCGX_Request req;
	struct arena *a = arena_new(ARENA_CAP);
	struct db *db = db_new(&cfg);
	int rc;

	(void)arg;
	if (a == NULL || db == NULL || FCGX_InitRequest(&req, listen_fd, 0)) {
		log_error("worker thread: out of memory");
		exit(1);
	}
	for (;;) {
		pthread_mutex_lock(&accept_lock);
		rc = FCGX_Accept_r(&req);
		if (rc >= 0)
			atomic_fetch_add(&busy, 1);
		pthread_mutex_unlock(&accept_lock);
		if (rc < 0) {
			usleep(10000);
			continue;
		}
		serve(&req, a, db);
		FCGX_Finish_r(&req);
		arena_reset(a);
		atomic_fetch_sub(&busy, 1);
	}
	return NULL;
}

static void
child_main(void)
{
	pthread_t tid;
	pthread_attr_t attr;
	sigset_t set;
	int sig, i;
	double deadline;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 1024 * 1024);
	for (i = 0; i < cfg.fcgi_threads; i++) {
		if (pthread_create(&tid, &attr, worker_thread, NULL) != 0) {
			log_error("cannot start worker thread %d", i);
			exit(1);
		}
		pthread_detach(tid);
	}
	sigwait(&set, &sig);
	/*
	 * Let requests in flight finish (<= 10 s), then leave; threads still
	 * blocked in accept() hold no state worth saving.
	 */
	deadline = clock_mono_ms() + 10000;
	while (atomic_load(&busy) > 0 && clock_mono_ms() < deadline)
		usleep(5000);
	_exit(0);
}

static pid_t
spawn(void)
{
	pid_t pid = fork();

	if (pid == 0)
		child_main();
	return pid;
}

int
main(int argc, char **argv)
{
	char err[512];
	pid_t kids[MAX_CHILDREN] = { 0 }, pid;
	int nkids, i, status, sig, stopping = 0;
	sigset_t set;
	const char *cmd = argc > 1 ? argv[1] : "serve";

	if (config_load(&cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "ehazira-fcgi: %s\n", err);
		return 2;
	}
	if (strcmp(cmd, "check-config") == 0)
		return 0;
	log_init("ehazira-fcgi", cfg.log_level);
	setenv("TZ", cfg.timezone, 1);
	tzset();
	db_library_init();
	if (FCGX_Init() != 0) {
		log_error("FCGX_Init failed");
		return 1;
	}
	unlink(cfg.fcgi_socket);
	listen_fd = FCGX_OpenSocket(cfg.fcgi_socket, 1024);
	if (listen_fd < 0) {
		log_error("cannot listen on '%s'", cfg.fcgi_socket);
		return 1;
	}
	chmod(cfg.fcgi_socket, 0660);

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, NULL);

	nkids = (int)(cfg.fcgi_processes > MAX_CHILDREN ? MAX_CHILDREN
							: cfg.fcgi_processes);
	for (i = 0; i < nkids; i++)
		kids[i] = spawn();
	log_info("listening on %s: %d processes x %ld threads", cfg.fcgi_socket,
	    nkids, cfg.fcgi_threads);

	while (!stopping) {
		sigwait(&set, &sig);
		if (sig != SIGCHLD) {
			stopping = 1;
			break;
		}
		while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
			for (i = 0; i < nkids; i++) {
				if (kids[i] != pid)
					continue;
				log_warn("worker %d died (status %d); "
					 "restarting",
				    (int)pid, status);
				kids[i] = spawn();
			}
		}
	}
	log_info("stopping");
	for (i = 0; i < nkids; i++)
		if (kids[i] > 0)
			kill(kids[i], SIGTERM);
	for (i = 0; i < nkids; i++)
		if (kids[i] > 0)
			waitpid(kids[i], &status, 0);
	unlink(cfg.fcgi_socket);
	log_info("stopped");
	return 0;
}
