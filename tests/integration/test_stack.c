/*
 * test_stack.c - a second stack, in its own state directory on its own
 * ports, runs beside the test stack; `down` leaves no process of it.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "it.h"

static int
free_port(int seed)
{
	/* below the ephemeral range, away from tests/run's picks */
	return 14000 + (getpid() * 7 + seed * 131) % 5000;
}

/* Processes whose command line mentions dir. */
static int
processes_using(const char *dir)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	char path[300], buf[4096];
	int n = 0;
	FILE *fp;
	size_t len, i;

	while (d && (e = readdir(d)) != NULL) {
		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/cmdline", e->d_name);
		if ((fp = fopen(path, "r")) == NULL)
			continue;
		len = fread(buf, 1, sizeof(buf) - 1, fp);
		fclose(fp);
		for (i = 0; i < len; i++)
			if (buf[i] == '\0')
				buf[i] = ' ';
		buf[len] = '\0';
		if (strstr(buf, dir))
			n++;
	}
	if (d)
		closedir(d);
	return n;
}

Test(stack, a_second_stack_runs_beside_and_stops_without_leftovers,
    .timeout = 120)
{
	char dir[] = "/tmp/ehz-second.XXXXXX", cmd[8192], url[128];
	int http = free_port(1), dbp = free_port(2);
	struct it_resp r;

	IT_REQUIRE_STACK();
	cr_assert_not_null(mkdtemp(dir));
	snprintf(cmd, sizeof(cmd),
	    "cd %s && EHAZIRA_STATE=%s EHAZIRA_HTTP_PORT=%d "
	    "EHAZIRA_DB_PORT=%d scripts/stack up >%s/up.log 2>&1",
	    getenv("EHAZIRA_TEST_ROOT"), dir, http, dbp, dir);
	cr_assert_eq(system(cmd), 0, "second stack up (see %s/up.log)", dir);
	cr_assert_gt(processes_using(dir), 0);

	snprintf(url, sizeof(url),
	    "curl -fsS -o /dev/null "
	    "http://127.0.0.1:%d/healthz",
	    http);
	cr_assert_eq(system(url), 0, "the second stack answers");
	cr_assert_eq(it_get("/healthz", NULL, &r), 0);
	cr_assert_eq(r.status, 200, "the test stack still answers");
	it_resp_free(&r);

	snprintf(cmd, sizeof(cmd),
	    "cd %s && EHAZIRA_STATE=%s EHAZIRA_HTTP_PORT=%d "
	    "EHAZIRA_DB_PORT=%d scripts/stack down >%s/down.log 2>&1",
	    getenv("EHAZIRA_TEST_ROOT"), dir, http, dbp, dir);
	cr_assert_eq(system(cmd), 0);
	cr_assert_eq(processes_using(dir), 0, "no process of it is left");
	cr_assert_eq(it_get("/healthz", NULL, &r), 0);
	cr_assert_eq(r.status, 200, "the test stack was not touched");
	it_resp_free(&r);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}

/* Children of pid, from /proc. */
static int
children_of(int pid, int *out, int max)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	char path[300], buf[512], *p;
	int n = 0, ppid;
	FILE *fp;

	while (d && (e = readdir(d)) != NULL && n < max) {
		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
		if ((fp = fopen(path, "r")) == NULL)
			continue;
		if (fgets(buf, sizeof(buf), fp) && (p = strrchr(buf, ')')) &&
		    sscanf(p + 2, "%*c %d", &ppid) == 1 && ppid == pid)
			out[n++] = atoi(e->d_name);
		fclose(fp);
	}
	if (d)
		closedir(d);
	return n;
}

Test(stack, a_crashed_worker_process_is_replaced, .timeout = 30)
{
	int parent, kids[64], after[64], n, m = 0, i, ok = 0;
	struct it_resp r;

	IT_REQUIRE_STACK();
	parent = it_pid("fcgi");
	cr_assert_gt(parent, 0);
	n = children_of(parent, kids, 64);
	cr_assert_gt(n, 0, "the workers run as children of the supervisor");
	cr_assert_eq(kill(kids[0], SIGKILL), 0);
	for (i = 0; i < 50 && !ok; i++) {
		usleep(100000);
		m = children_of(parent, after, 64);
		ok = m == n;
		for (int j = 0; j < m && ok; j++)
			ok = after[j] != kids[0];
	}
	cr_assert(ok, "%d of %d workers back, the dead one gone", m, n);
	for (i = 0; i < 20; i++) {
		cr_assert_eq(it_get("/healthz", NULL, &r), 0);
		cr_assert_eq(r.status, 200);
		it_resp_free(&r);
	}
}
