/*
 * test_dbrestart.c - with MariaDB stopped /healthz is a JSON 503, and
 * 200 again once it is back, without restarting the workers.  tests/run
 * runs it after every other integration binary (LAST_INTEGRATION).
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "it.h"

/* Lines of the relay's log containing what. */
static int
relay_log_count(const char *what)
{
	char path[4096], line[2048];
	FILE *fp;
	int n = 0;

	snprintf(path, sizeof(path), "%s/log/relay.log",
	    getenv("EHAZIRA_STATE"));
	if ((fp = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), fp))
		if (strstr(line, what))
			n++;
	fclose(fp);
	return n;
}

static long
health(void)
{
	struct it_resp r;
	long s;

	if (it_get("/healthz", NULL, &r) != 0)
		return -1;
	s = r.status;
	if (s == 503)
		cr_assert_str_eq(it_error_code(&r), "db_unavailable");
	it_resp_free(&r);
	return s;
}

Test(dbrestart, healthz_follows_the_database_without_a_worker_restart,
    .timeout = 120)
{
	int before, i, ok = 0, relay_pid, ups, downs;

	IT_REQUIRE_STACK();
	before = it_pid("fcgi");
	relay_pid = it_pid("relay");
	ups = relay_log_count("database up");
	downs = relay_log_count("database down");
	cr_assert_gt(before, 0);
	cr_assert_eq(health(), 200);
	cr_assert_eq(it_stack("db-stop"), 0);
	/* every worker thread notices, whichever answers */
	for (i = 0; i < 8; i++)
		cr_assert_eq(health(), 503);
	cr_assert_eq(it_stack("db-start"), 0);
	for (i = 0; i < 50 && !ok; i++) {
		ok = health() == 200;
		if (!ok)
			usleep(200000);
	}
	cr_assert(ok, "healthy again after the restart");
	for (i = 0; i < 16; i++)
		cr_assert_eq(health(), 200);
	cr_assert_eq(it_pid("fcgi"), before, "the workers were not restarted");
	/* the relay noticed both, and carried on as the same process */
	for (i = 0; i < 50 && relay_log_count("database up") <= ups; i++)
		usleep(100000);
	cr_assert_gt(relay_log_count("database down"), downs);
	cr_assert_gt(relay_log_count("database up"), ups);
	cr_assert_eq(it_pid("relay"), relay_pid);
	cr_assert_eq(kill(relay_pid, 0), 0, "the relay is still running");
}
