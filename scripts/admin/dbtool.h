/*
 * dbtool.h - running MariaDB's own client programs (mariadb-dump,
 * mariadb) for backup and restore, with the connection settings of the
 * config passed in a private option file: no shell, and the password
 * never on a command line.
 */
#ifndef EHZ_DBTOOL_H
#define EHZ_DBTOOL_H

#include <stddef.h>
#include <sys/types.h>

struct config;

struct dbtool {
	char dir[64];   /* private temp directory (0700) */
	char file[128]; /* its option file (0600), "" when not made */
};

/*
 * Writes a [client] option file with user, password and the socket or
 * host/port of cfg.  Returns 0, or -1 with a message on stderr.
 */
int dbtool_open(struct dbtool *t, const struct config *cfg);
/* Removes the option file and its directory. */
void dbtool_close(struct dbtool *t);
/*
 * Starts argv[0] (looked up in PATH) with argv[1] replaced by
 * --defaults-file=<option file>.  With want_stdout, *fd is the read end
 * of its stdout; otherwise the write end of its stdin.  The pid, or -1.
 */
pid_t
dbtool_spawn(const struct dbtool *t, char *argv[], int want_stdout, int *fd);
/* Waits for pid: its exit status, or -1 when it died of a signal. */
int dbtool_wait(pid_t pid);

#endif
