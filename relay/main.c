/*
 * main.c - the relay daemon: a loop on one thread and database connection
 * that sleeps until the next deadline or a wake-up datagram from a worker
 * (the push job adds a thread and connection for its claims and settles:
 * pushdb.c).
 *
 * Everything it must remember is in MariaDB, so a crash loses nothing: on
 * start it reads what is due and carries on.  The jobs (window expiry,
 * push outbox) live in their own files and report when they next want to
 * run.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "config.h"
#include "db.h"
#include "log.h"
#include "relay.h"

static volatile sig_atomic_t stop, reopen;

static void
on_signal(int sig)
{
	if (sig == SIGHUP)
		reopen = 1; /* logrotate moved the log file */
	else
		stop = 1;
}

static int
open_wake_socket(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0 || strlen(path) >= sizeof(sa.sun_path))
		return -1;
	strcpy(sa.sun_path, path);
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * One round: the database state (logged when it changes), then the due
 * timers and pushes.  Returns the wall-clock ms of the next thing due.
 */
static long long
tick(struct relay *rl, int *db_up)
{
	long long next = clock_wall_ms() + 1000;
	int up = db_ping(rl->db) == DB_OK;

	if (up != *db_up) {
		if (up)
			log_info("database up");
		else
			log_warn("database down; retrying");
		*db_up = up;
	}
	if (up)
		next = relay_run(rl, next);
	arena_reset(rl->arena);
	return next;
}

/* Sleeps until next (at most 1 s) or a wake-up datagram, drained. */
static void
wait_wake(int fd, long long next)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	long long timeout = next - clock_wall_ms();
	char buf[64];

	if (timeout < 0)
		timeout = 0;
	if (timeout > 1000)
		timeout = 1000;
	if (poll(&pfd, 1, (int)timeout) > 0)
		while (recv(fd, buf, sizeof(buf), 0) > 0)
			;
}

int
main(int argc, char **argv)
{
	/* static: its strings stay reachable for LeakSanitizer at exit */
	static struct config cfg;
	struct relay rl = { 0 };
	struct sigaction sa = { .sa_handler = on_signal };
	char err[512];
	int wake_fd, db_up = -1;

	(void)argc;
	(void)argv;
	if (config_load(&cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "ehazira-relay: %s\n", err);
		return 2;
	}
	log_init("ehazira-relay", cfg.log_level);
	if (log_reopen() < 0)
		return 1;
	setenv("TZ", cfg.timezone, 1);
	tzset();
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	db_library_init();
	rl.cfg = &cfg;
	rl.db = db_new(&cfg);
	rl.arena = arena_new(64u * 1024 * 1024);
	if ((wake_fd = open_wake_socket(cfg.relay_socket)) < 0) {
		log_error("cannot bind wake-up socket '%s': %s",
		    cfg.relay_socket, strerror(errno));
		return 1;
	}
	if (relay_init(&rl) < 0)
		return 1;
	log_info("started");
	while (!stop) {
		if (reopen) {
			reopen = 0;
			if (log_reopen() == 0)
				log_info("log reopened");
		}
		wait_wake(wake_fd, tick(&rl, &db_up));
	}
	log_info("stopping");
	relay_release(&rl);
	db_free(rl.db);
	arena_free(rl.arena);
	close(wake_fd);
	unlink(cfg.relay_socket);
	db_thread_end();
	log_info("stopped");
	return 0;
}
