/*
 * pushdb.c - the push job's database work that need not wait for, nor
 * hold up, its sends (pushdb.h): the next batch's claim and the sent
 * rows' settle, on a thread and MariaDB connection of their own.
 *
 * The relay's connection blocks.  Claiming 1,024 rows (the SELECT ... FOR
 * UPDATE SKIP LOCKED, the lease UPDATE, its commit, the read-back) and
 * marking them SENT took longer together than sending them, and while
 * either ran nothing was in flight: a burst went claim, send, settle,
 * claim...  Here the claim of batch n + 1 and the settle of batch n - 1
 * run while batch n is in flight.  They are the same statements as
 * before (outbox_claim, outbox_settle), so the guarantees hold: rows are
 * leased before anything is sent and a lease keeps every other claim off
 * them; a row is marked SENT only after FCM accepted it, before this
 * thread's next claim; a relay that dies leaves leases that run out, and
 * its rows (sent or not) are claimed again.  What the push job decides
 * (retries, drops, failures, which batch to use or give back) stays on
 * its own thread and connection (push.c).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "db.h"
#include "log.h"
#include "pushdb.h"

#define ARENA_CAP (64u * 1024 * 1024) /* a cap, not an allocation */
#define SETTLE_TRIES 5                /* as the push job's own settle */
#define SETTLE_PAUSE_US 100000

enum claim_state { CL_IDLE, CL_RUNNING, CL_DONE };

struct pushdb {
	const struct config *cfg;
	const char *const *names;
	int nstats;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int quit;

	/* the claim asked for, and its result (in arena) */
	enum claim_state claim;
	char owner[64];
	int lease_s, limit;
	struct arena *arena;
	struct outbox_row *rows;
	int n, rc;

	/* sent rows queued, and the counters that go with them */
	long long *ids;
	int nids, cap;
	long long *values;
	int nvalues; /* nonzero counters queued */
};

/* Marks ids SENT and adds values, retried as the push job retries. */
static void
write_sent(struct pushdb *pd, struct db *db, struct arena *a,
    const long long *ids, int n, const long long *values)
{
	struct outbox_result *res = calloc((size_t)n + 1, sizeof(*res));
	int i, try, rc = DB_ERR;

	for (i = 0; res && i < n; i++) {
		res[i].id = ids[i];
		res[i].fate = OUTBOX_SENT;
	}
	for (try = 0; res && db && try < SETTLE_TRIES; try++) {
		if (try > 0)
			usleep(SETTLE_PAUSE_US);
		arena_reset(a);
		rc = outbox_settle(db, a, "", res, n, pd->names, values,
		    pd->nstats);
		if (rc == DB_OK)
			break;
	}
	if (rc != DB_OK)
		log_error("push: %d sent rows could not be marked SENT; "
			  "they are sent again when their leases run out",
		    n);
	free(res);
}

/* The queued sent rows, taken under the lock and written outside it. */
static void
settle_queued(struct pushdb *pd, struct db *db, struct arena *a)
{
	long long *ids = pd->ids, *values;
	int n = pd->nids;

	values = calloc((size_t)pd->nstats, sizeof(*values));
	if (values)
		memcpy(values, pd->values,
		    sizeof(*values) * (size_t)pd->nstats);
	memset(pd->values, 0, sizeof(*pd->values) * (size_t)pd->nstats);
	pd->nvalues = 0;
	pd->ids = NULL;
	pd->nids = pd->cap = 0;
	pthread_mutex_unlock(&pd->mu);
	if (values) /* else nothing: the rows go again at lease end */
		write_sent(pd, db, a, ids, n, values);
	else
		log_error("push: no memory for %d sent rows' counters", n);
	free(ids);
	free(values);
	pthread_mutex_lock(&pd->mu);
}

static void
claim(struct pushdb *pd, struct db *db)
{
	struct outbox_row *rows = NULL;
	int n = 0, rc = DB_ERR;

	pthread_mutex_unlock(&pd->mu);
	arena_reset(pd->arena);
	if (db)
		rc = outbox_claim(db, pd->arena, pd->owner, pd->lease_s,
		    pd->limit, &rows, &n);
	pthread_mutex_lock(&pd->mu);
	pd->rows = rows;
	pd->n = rc == DB_OK ? n : 0;
	pd->rc = rc;
	pd->claim = CL_DONE;
	pthread_cond_broadcast(&pd->cv);
}

static void *
run(void *arg)
{
	struct pushdb *pd = arg;
	struct db *db = db_new(pd->cfg);
	struct arena *a = arena_new(ARENA_CAP);

	pthread_mutex_lock(&pd->mu);
	for (;;) {
		while (!pd->quit && pd->nids == 0 && pd->nvalues == 0 &&
		    pd->claim != CL_RUNNING)
			pthread_cond_wait(&pd->cv, &pd->mu);
		/* Sent rows first: written before any later claim. */
		if (pd->nids > 0 || pd->nvalues > 0)
			settle_queued(pd, a ? db : NULL, a);
		else if (pd->claim == CL_RUNNING)
			claim(pd, db);
		else if (pd->quit)
			break;
	}
	pthread_mutex_unlock(&pd->mu);
	arena_free(a);
	db_free(db);
	db_thread_end();
	return NULL;
}

struct pushdb *
pushdb_new(const struct config *cfg, const char *const *names, int nstats)
{
	struct pushdb *pd = calloc(1, sizeof(*pd));

	if (pd == NULL)
		return NULL;
	pd->cfg = cfg;
	pd->names = names;
	pd->nstats = nstats;
	pthread_mutex_init(&pd->mu, NULL);
	pthread_cond_init(&pd->cv, NULL);
	pd->values = calloc((size_t)nstats + 1, sizeof(*pd->values));
	pd->arena = arena_new(ARENA_CAP);
	if (pd->values == NULL || pd->arena == NULL ||
	    pthread_create(&pd->thread, NULL, run, pd) != 0) {
		log_warn("push: no database thread; claims and settles wait "
			 "for the sends");
		free(pd->values);
		arena_free(pd->arena);
		pthread_cond_destroy(&pd->cv);
		pthread_mutex_destroy(&pd->mu);
		free(pd);
		return NULL;
	}
	return pd;
}

void
pushdb_free(struct pushdb *pd)
{
	if (pd == NULL)
		return;
	pthread_mutex_lock(&pd->mu);
	pd->quit = 1;
	pthread_cond_broadcast(&pd->cv);
	pthread_mutex_unlock(&pd->mu);
	pthread_join(pd->thread, NULL);
	free(pd->ids);
	free(pd->values);
	arena_free(pd->arena);
	pthread_cond_destroy(&pd->cv);
	pthread_mutex_destroy(&pd->mu);
	free(pd);
}

int
pushdb_claim_start(struct pushdb *pd, const char *owner, int lease_s, int limit)
{
	int rc = -1;

	pthread_mutex_lock(&pd->mu);
	if (pd->claim == CL_IDLE) {
		snprintf(pd->owner, sizeof(pd->owner), "%s", owner);
		pd->lease_s = lease_s;
		pd->limit = limit;
		pd->claim = CL_RUNNING;
		pthread_cond_broadcast(&pd->cv);
		rc = 0;
	}
	pthread_mutex_unlock(&pd->mu);
	return rc;
}

int
pushdb_claim_take(struct pushdb *pd, int wait, int *rc,
    struct outbox_row **rows, int *n)
{
	int got = -1;

	pthread_mutex_lock(&pd->mu);
	while (wait && pd->claim == CL_RUNNING)
		pthread_cond_wait(&pd->cv, &pd->mu);
	if (pd->claim == CL_RUNNING)
		got = 0;
	else if (pd->claim == CL_DONE) {
		*rc = pd->rc;
		*rows = pd->rows;
		*n = pd->n;
		pd->claim = CL_IDLE;
		got = 1;
	}
	pthread_mutex_unlock(&pd->mu);
	return got;
}

int
pushdb_sent(struct pushdb *pd, const long long *ids, int n,
    const long long *values)
{
	long long *np;
	int i, rc = 0;

	pthread_mutex_lock(&pd->mu);
	if (n > 0 && pd->nids + n > pd->cap) {
		np = realloc(pd->ids,
		    sizeof(*np) * (size_t)(pd->cap + n + 1024));
		if (np == NULL) {
			rc = -1;
			goto out;
		}
		pd->ids = np;
		pd->cap += n + 1024;
	}
	if (n > 0) /* or counters alone */
		memcpy(pd->ids + pd->nids, ids, sizeof(*ids) * (size_t)n);
	pd->nids += n;
	for (i = 0; i < pd->nstats; i++) {
		pd->values[i] += values[i];
		pd->nvalues += values[i] != 0;
	}
	pthread_cond_broadcast(&pd->cv);
out:
	pthread_mutex_unlock(&pd->mu);
	return rc;
}
