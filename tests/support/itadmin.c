/*
 * itadmin.c - ehazira-admin as a child process of a test (itadmin.h).
 * fork + exec with an argv array: no shell between the test and the tool.
 */
#include <errno.h>
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
