/*
 * log.c - timestamped, levelled log lines shared by workers, relay and CLI.
 *
 * Each line is written with one write(2) so lines from several threads never
 * interleave.  A thread-local request id ties the SQL or library detail that
 * is never sent to a client to the access-log line of its request.
 *
 * A daemon started with EHAZIRA_LOG_FILE (the packaged systemd units) puts
 * that file on its stderr itself, so it can open it again after logrotate
 * has moved it: log_reopen() on SIGHUP.  dup2() swaps the descriptor in one
 * step, so a line written meanwhile lands whole in the old or the new file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static const char *prog = "ehazira";
static enum log_level min_level = LOG_INFO;
static _Thread_local const char *req_id;
static const char *names[] = { "debug", "info", "warn", "error" };

void
log_init(const char *program, const char *level)
{
	size_t i;

	prog = program;
	for (i = 0; level && i < sizeof(names) / sizeof(names[0]); i++)
		if (strcasecmp(level, names[i]) == 0)
			min_level = (enum log_level)i;
}

int
log_reopen(void)
{
	const char *path = getenv("EHAZIRA_LOG_FILE");
	int fd;

	if (path == NULL || *path == '\0')
		return 0;
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (fd < 0) {
		log_error("cannot open log file '%s': %s", path,
		    strerror(errno));
		return -1;
	}
	if (fd != STDERR_FILENO) {
		dup2(fd, STDERR_FILENO);
		close(fd);
	}
	return 0;
}

void
log_set_request(const char *id)
{
	req_id = id;
}

void
log_msg(enum log_level lv, const char *fmt, ...)
{
	char line[2048];
	struct timeval tv;
	struct tm tm;
	va_list ap;
	int n, m;

	if (lv < min_level)
		return;
	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	n = snprintf(line, sizeof(line),
	    "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ %s[%d] %s%s%s: ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
	    tm.tm_sec, (int)(tv.tv_usec / 1000), prog, (int)getpid(), names[lv],
	    req_id ? " req=" : "", req_id ? req_id : "");
	va_start(ap, fmt);
	m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (m < 0)
		m = 0;
	n += m;
	if ((size_t)n > sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	if (write(STDERR_FILENO, line, (size_t)n) < 0) {
		/* nowhere left to report it */
	}
}
