/*
 * itadmin.c - ehazira-admin as a child process of a test (itadmin.h).
 * fork + exec with an argv array: no shell between the test and the tool.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "itadmin.h"

static void
child(int fd, long fsize_limit, const char *const *args)
{
	const char *bin = getenv("EHAZIRA_BIN"),
		   *root = getenv("EHAZIRA_TEST_ROOT");
	char path[4096];
	const char *argv[32];
	int i;

	dup2(fd, 1);
	dup2(fd, 2);
	if (root && chdir(root) < 0)
		_exit(126);
	if (fsize_limit > 0) {
		struct rlimit rl = { (rlim_t)fsize_limit, (rlim_t)fsize_limit };
		setrlimit(RLIMIT_FSIZE, &rl);
	}
	snprintf(path, sizeof(path), "%s/ehazira-admin", bin ? bin : "build");
	argv[0] = path;
	for (i = 0; args[i] && i < 30; i++)
		argv[i + 1] = args[i];
	argv[i + 1] = NULL;
	execv(path, (char *const *)argv);
	fprintf(stderr, "cannot run %s: %s\n", path, strerror(errno));
	_exit(127);
}

int
it_admin(char *out, size_t n, long fsize_limit, const char *const *args)
{
	size_t got = 0;
	ssize_t r;
	int p[2], st;
	pid_t pid;

	if (pipe(p) < 0 || (pid = fork()) < 0)
		return -1;
	if (pid == 0) {
		close(p[0]);
		child(p[1], fsize_limit, args);
	}
	close(p[1]);
	while ((r = read(p[0], out + got, n - 1 - got)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			break;
		got += (size_t)r;
		if (got ==
		    n - 1) { /* keep draining so the child never blocks */
			char sink[512];
			while (read(p[0], sink, sizeof(sink)) > 0)
				;
			break;
		}
	}
	out[got] = '\0';
	close(p[0]);
	if (waitpid(pid, &st, 0) < 0)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int
it_admin_sh(char *out, size_t n, const char *fmt, ...)
{
	char args[1024], cmd[2048];
	const char *bin = getenv("EHAZIRA_BIN"),
		   *root = getenv("EHAZIRA_TEST_ROOT");
	va_list ap;
	FILE *p;
	size_t got;
	int st;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof(cmd), "cd %s && %s/ehazira-admin %s 2>&1",
	    root ? root : ".", bin ? bin : "build", args);
	if ((p = popen(cmd, "r")) == NULL)
		return -1;
	got = fread(out, 1, n - 1, p);
	out[got] = '\0';
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static char tmpdir[64];

const char *
it_tmpdir(const char *prefix)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/ehz-%s.XXXXXX", prefix);
	if (mkdtemp(tmpdir) == NULL) {
		perror("itadmin: mkdtemp");
		abort();
	}
	return tmpdir;
}

void
it_tmpdir_remove(void)
{
	char cmd[128];

	if (tmpdir[0] == '\0')
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", tmpdir);
	tmpdir[0] = '\0';
}

char *
it_tmpfile(const char *name, const char *fmt, ...)
{
	static char path[8][160];
	static int k;
	char *p = path[k++ % 8];
	va_list ap;
	FILE *fp;

	snprintf(p, sizeof(path[0]), "%s/%s", tmpdir, name);
	if ((fp = fopen(p, "w")) == NULL) {
		perror(p);
		abort();
	}
	va_start(ap, fmt);
	vfprintf(fp, fmt, ap);
	va_end(ap);
	fclose(fp);
	return p;
}
