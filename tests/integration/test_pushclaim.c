/*
 * test_pushclaim.c - the relay's outbox claims (fcgi/domain/outbox.c) called
 * directly against the stack's database, with the stack's relay stopped
 * so only the test claims: disjoint claims, lease expiry, the sweep, the
 * settle, and several processes claiming at once.
 *
 * The rows made here are due since 2000, so they come first in claim
 * order (not_before, id) ahead of anything other tests left behind.
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "outbox.h"
#include "it.h"

static pid_t
relay_pid(void)
{
	char path[1024];
	FILE *fp;
	int pid = -1;

	snprintf(path, sizeof(path), "%s/run/relay.pid", it_config()->state);
	if ((fp = fopen(path, "r")) != NULL) {
		if (fscanf(fp, "%d", &pid) != 1)
			pid = -1;
		fclose(fp);
	}
	return pid;
}

static void
stop_relay(void)
{
	pid_t pid = relay_pid();
	int t;

	if (pid <= 0 || kill(pid, SIGTERM) != 0)
		return;
	for (t = 0; t < 500 && kill(pid, 0) == 0; t++)
		usleep(10000);
}

static void
start_relay(void)
{
	char cmd[2048];
	const char *root = getenv("EHAZIRA_TEST_ROOT");

	snprintf(cmd, sizeof(cmd), "cd '%s' && scripts/stack up >/dev/null",
	    root ? root : ".");
	cr_assert_eq(system(cmd), 0);
}

/* n old due rows; the first id (they are consecutive in one session). */
static long long
old_rows(int n)
{
	long long first = 0, id;
	int i;

	for (i = 0; i < n; i++) {
		cr_assert_eq(it_sql("INSERT INTO outbox (kind, payload, "
				    "not_before, collapse_key) VALUES "
				    "('push.test', '{}', '2000-01-01', ?)",
				 "s", it_uniq()),
		    DB_OK);
		id = db_insert_id(it_db());
		if (i == 0)
			first = id;
	}
	return first;
}

static void
setup(void)
{
	if (it_url())
		stop_relay();
}

static void
teardown(void)
{
	if (it_url()) {
		/* our leftovers must not reach the real relay */
		it_sql("UPDATE outbox SET state = 'DROPPED' WHERE kind = "
		       "'push.test' AND state = 'PENDING'",
		    "");
		start_relay();
	}
}

TestSuite(pushclaim, .init = setup, .fini = teardown);

Test(pushclaim, claims_are_disjoint_and_an_expired_lease_is_claimed_again)
{
	struct outbox_row *a, *b, *c;
	int na, nb, nc, i, j;
	long long first, dropped, failed;

	IT_REQUIRE_STACK();
	first = old_rows(6);
	cr_assert_eq(outbox_claim(it_db(), it_arena(), "test-A", 1, 3, &a, &na),
	    DB_OK);
	cr_assert_eq(outbox_claim(it_db(), it_arena(), "test-B", 60, 3, &b,
			 &nb),
	    DB_OK);
	cr_assert_eq(na, 3);
	cr_assert_eq(nb, 3);
	for (i = 0; i < 3; i++) {
		cr_assert_eq(a[i].id, first + i, "oldest first");
		cr_assert_eq(b[i].id, first + 3 + i);
		cr_assert_eq(a[i].tries, 1, "a claim counts a try");
		for (j = 0; j < 3; j++)
			cr_assert_neq(a[i].id, b[j].id);
	}
	cr_assert_null(a[0].push_token, "no device, no token");
	usleep(1200000); /* A's one-second lease runs out, B's does not */
	cr_assert_eq(outbox_claim(it_db(), it_arena(), "test-C", 60, 6, &c,
			 &nc),
	    DB_OK);
	cr_assert_geq(nc, 3);
	for (i = 0; i < 3; i++) {
		cr_assert_eq(c[i].id, first + i, "A's rows come back");
		cr_assert_eq(c[i].tries, 2);
	}
	for (i = 0; i < nc; i++)
		for (j = 0; j < 3; j++)
			cr_assert_neq(c[i].id, b[j].id, "B's lease holds");
	/* a dead relay on the last try: the sweep fails the row */
	cr_assert_eq(it_sql("UPDATE outbox SET lease_until = NOW(3) - "
			    "INTERVAL 1 SECOND WHERE outbox_id = ?",
			 "I", first),
	    DB_OK);
	cr_assert_eq(outbox_sweep(it_db(), 2, &dropped, &failed), DB_OK);
	cr_assert_geq(failed, 1);
	cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM outbox WHERE "
				"outbox_id = ? AND state = 'FAILED'",
			 "I", first),
	    1);
}

static long long
rnd_next(void)
{
	return it_sql_int("SELECT VARIABLE_VALUE FROM "
			  "information_schema.SESSION_STATUS WHERE "
			  "VARIABLE_NAME = 'HANDLER_READ_RND_NEXT'",
	    "");
}

/*
 * The sweep runs while a burst is PENDING; read by the whole table (as
 * the optimizer chose when most rows were PENDING) it read and locked
 * the sent history too.  It follows ix_outbox_due: a full scan shows as
 * Handler_read_rnd_next counting every row of the table.
 */
Test(pushclaim, the_sweep_reads_the_pending_rows_by_index_not_the_table)
{
	long long before, overhead, during, dropped, failed, rows;

	IT_REQUIRE_STACK();
	/* a burst (not yet due) and as much sent history */
	cr_assert_eq(it_sql("INSERT INTO outbox (kind, payload, not_before, "
			    "state) SELECT 'push.test', '{}', NOW(3) + "
			    "INTERVAL 1 HOUR, IF(seq % 2, 'PENDING', 'SENT') "
			    "FROM seq_1_to_6000",
			 ""),
	    DB_OK);
	it_sql_int("ANALYZE TABLE outbox", ""); /* the optimizer sees it */
	rows = it_sql_int("SELECT COUNT(*) FROM outbox", "");
	before = rnd_next();
	overhead = rnd_next() - before; /* what reading the counter costs */
	before = rnd_next();
	cr_assert_eq(outbox_sweep(it_db(), 1000, &dropped, &failed), DB_OK);
	during = rnd_next() - before - overhead;
	cr_assert_lt(during, rows / 10, "%lld rows read by a scan of %lld",
	    during, rows);
}

Test(pushclaim, settling_writes_each_fate_and_the_counters_at_once)
{
	struct outbox_row *rows;
	struct outbox_result res[4] = { 0 };
	const char *names[] = { "push.test_counter" };
	long long values[] = { 3 }, first, before;
	int n;

	IT_REQUIRE_STACK();
	first = old_rows(4);
	before = it_sql_int("SELECT COALESCE(MAX(value), 0) FROM relay_stat "
			    "WHERE name = 'push.test_counter'",
	    "");
	cr_assert_eq(outbox_claim(it_db(), it_arena(), "test-S", 60, 4, &rows,
			 &n),
	    DB_OK);
	cr_assert_eq(n, 4);
	res[0] = (struct outbox_result){ first, OUTBOX_SENT, 0, NULL, 0, NULL };
	res[1] = (struct outbox_result){ first + 1, OUTBOX_RETRY, 60000,
		"UNAVAILABLE", 0, NULL };
	res[2] = (struct outbox_result){ first + 2, OUTBOX_DROPPED, 0,
		"INVALID_ARGUMENT", 0, NULL };
	res[3] = (struct outbox_result){ first + 3, OUTBOX_RELEASE, 0, NULL, 0,
		NULL };
	cr_assert_eq(outbox_settle(it_db(), it_arena(), "test-S", res, 4, names,
			 values, 1),
	    DB_OK);
	cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM outbox WHERE outbox_id "
				"= ? AND state = 'SENT' AND sent_at IS NOT "
				"NULL AND lease_until IS NULL AND lease_owner "
				"= 'test-S'",
			 "I", first),
	    1, "sent: the claim that sent it is kept");
	cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM outbox WHERE outbox_id "
				"= ? AND state = 'PENDING' AND not_before > "
				"NOW(3) + INTERVAL 50 SECOND AND last_error = "
				"'UNAVAILABLE' AND lease_owner IS NULL",
			 "I", first + 1),
	    1, "retry: back to PENDING, not before the delay");
	cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM outbox WHERE outbox_id "
				"= ? AND state = 'DROPPED'",
			 "I", first + 2),
	    1);
	cr_assert_eq(it_sql_int("SELECT tries FROM outbox WHERE outbox_id = ? "
				"AND state = 'PENDING' AND lease_owner IS "
				"NULL",
			 "I", first + 3),
	    0, "released: the try is given back");
	cr_assert_eq(it_sql_int("SELECT value FROM relay_stat WHERE name = "
				"'push.test_counter'",
			 ""),
	    before + 3);
}

Test(pushclaim, four_processes_claiming_at_once_never_share_a_row)
{
	enum { N = 400, P = 4 };
	int pipes[P][2], i, n, k, *seen;
	long long first, id;
	pid_t kids[P];
	FILE *fp;

	IT_REQUIRE_STACK();
	first = old_rows(N);
	for (i = 0; i < P; i++) {
		cr_assert_eq(pipe(pipes[i]), 0);
		if ((kids[i] = fork()) == 0) {
			struct db *db = db_new(it_config());
			struct arena *a = arena_new(16u << 20);
			struct outbox_row *rows;
			char owner[32];
			int round = 0;

			close(pipes[i][0]);
			fp = fdopen(pipes[i][1], "w");
			do {
				snprintf(owner, sizeof(owner), "test-P%d-%d", i,
				    round++);
				if (outbox_claim(db, a, owner, 60, 7, &rows,
					&n) != DB_OK)
					_exit(1);
				for (k = 0; k < n; k++)
					fprintf(fp, "%lld\n", rows[k].id);
				arena_reset(a);
			} while (n > 0);
			fclose(fp);
			_exit(0);
		}
		close(pipes[i][1]);
	}
	seen = calloc(N, sizeof(int));
	for (i = 0; i < P; i++) {
		fp = fdopen(pipes[i][0], "r");
		while (fscanf(fp, "%lld", &id) == 1)
			if (id >= first && id < first + N)
				seen[id - first]++;
		fclose(fp);
		waitpid(kids[i], &k, 0);
		cr_assert(WIFEXITED(k) && WEXITSTATUS(k) == 0);
	}
	for (i = 0; i < N; i++)
		cr_assert_eq(seen[i], 1, "row %lld claimed %d times", first + i,
		    seen[i]);
	free(seen);
}
