/*
 * dbtool.c - the option file and child processes behind backup and
 * restore.  Values from the config reach the child only through the
 * option file (mode 0600 in a mkdtemp directory) and argv entries built
 * here, never through a shell, so no quoting of config values matters
 * except the option file's own, done by opt_value below.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "dbtool.h"

/*
 * One option-file line, name="value": inside double quotes the option
 * parser of MariaDB's clients turns \\ and \" back into \ and ".  Control
 * characters cannot be written safely, so they are refused.
 */
static int
opt_value(FILE *fp, const char *name, const char *v)
{
	const char *s;

	for (s = v; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f) {
			fprintf(stderr,
			    "ehazira-admin: %s holds a control "
			    "character; the client tools cannot "
			    "take it\n",
			    name);
			return -1;
		}
	fprintf(fp, "%s=\"", name);
	for (s = v; *s; s++) {
		if (*s == '\\' || *s == '"')
			fputc('\\', fp);
		fputc(*s, fp);
	}
	fputs("\"\n", fp);
	return 0;
}

static int
write_options(FILE *fp, const struct config *c)
{
	int local = strcmp(c->db_host, "localhost") == 0;

	fputs("[client]\n", fp);
	if (opt_value(fp, "user", c->db_user) < 0 ||
	    opt_value(fp, "password", c->db_password) < 0)
		return -1;
	if (local)
		return opt_value(fp, "socket", c->db_socket);
	if (opt_value(fp, "host", c->db_host) < 0)
		return -1;
	fprintf(fp, "port=%ld\nprotocol=TCP\n", c->db_port);
	return 0;
}

int
dbtool_open(struct dbtool *t, const struct config *cfg)
{
	const char *tmp = getenv("TMPDIR");
	FILE *fp;
	int fd, rc;

	t->file[0] = '\0';
	snprintf(t->dir, sizeof(t->dir), "%s/ehazira-admin.XXXXXX",
	    tmp && *tmp && strlen(tmp) < 30 ? tmp : "/tmp");
	if (mkdtemp(t->dir) == NULL) {
		fprintf(stderr,
		    "ehazira-admin: cannot make a temp directory: "
		    "%s\n",
		    strerror(errno));
		t->dir[0] = '\0';
		return -1;
	}
	snprintf(t->file, sizeof(t->file), "%s/client.cnf", t->dir);
	fd = open(t->file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || (fp = fdopen(fd, "w")) == NULL) {
		fprintf(stderr, "ehazira-admin: cannot write %s: %s\n", t->file,
		    strerror(errno));
		if (fd >= 0)
			close(fd);
		dbtool_close(t);
		return -1;
	}
	rc = write_options(fp, cfg);
	if (fclose(fp) != 0 || rc < 0) {
		dbtool_close(t);
		return -1;
	}
	return 0;
}

void
dbtool_close(struct dbtool *t)
{
	if (t->file[0])
		unlink(t->file);
	if (t->dir[0])
		rmdir(t->dir);
	t->file[0] = t->dir[0] = '\0';
}

pid_t
dbtool_spawn(const struct dbtool *t, char *argv[], int want_stdout, int *fd)
{
	char opt[160];
	int p[2];
	pid_t pid;

	snprintf(opt, sizeof(opt), "--defaults-file=%s", t->file);
	argv[1] = opt;
	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	if ((pid = fork()) < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		/* the child's stdout (dump) or stdin (load) is the pipe */
		dup2(want_stdout ? p[1] : p[0], want_stdout ? 1 : 0);
		execvp(argv[0], argv);
		fprintf(stderr, "ehazira-admin: cannot run %s: %s\n", argv[0],
		    strerror(errno));
		_exit(127);
	}
	close(want_stdout ? p[1] : p[0]);
	*fd = want_stdout ? p[0] : p[1];
	return pid;
}

int
dbtool_wait(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}
