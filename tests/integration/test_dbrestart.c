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
	ups = it_log_lines(NULL, "relay.log", "database up");
	downs = it_log_lines(NULL, "relay.log", "database down");
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
	for (i = 0;
	     i < 50 && it_log_lines(NULL, "relay.log", "database up") <= ups;
	     i++)
		usleep(100000);
	cr_assert_gt(it_log_lines(NULL, "relay.log", "database down"), downs);
	cr_assert_gt(it_log_lines(NULL, "relay.log", "database up"), ups);
	cr_assert_eq(it_pid("relay"), relay_pid);
	cr_assert_eq(kill(relay_pid, 0), 0, "the relay is still running");
}
