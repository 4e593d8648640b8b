/*
 * pushdb.h - the push job's database work that need not wait for, nor
 * hold up, its sends: the next batch's claim and the sent rows' settle,
 * on a thread and connection of their own.
 */
#ifndef EHZ_PUSHDB_H
#define EHZ_PUSHDB_H

#include "outbox.h"

struct config;
struct pushdb;

/*
 * Starts the thread (its connection opens at its first statement), which
 * adds the nstats counters names (relay_stat) with the sent rows.  NULL
 * on failure: the push job then does all of it on its own connection.
 */
struct pushdb *
pushdb_new(const struct config *cfg, const char *const *names, int nstats);
/*
 * Stops the thread once the queued sent rows are written; a claim still
 * running is waited for and its rows left to their lease.
 */
void pushdb_free(struct pushdb *pd);
/*
 * Claims up to limit due rows for owner (outbox_claim) on the thread.
 * 0, or -1 while a claim is running or its result has not been taken.
 */
int pushdb_claim_start(struct pushdb *pd, const char *owner, int lease_s,
    int limit);
/*
 * The claim's result: 1 with *rc, *rows and *n filled (the rows stay
 * valid until the next pushdb_claim_start), 0 while it is still running
 * (wait: until it ends), -1 when no claim was started.
 */
int pushdb_claim_take(struct pushdb *pd, int wait, int *rc,
    struct outbox_row **rows, int *n);
/*
 * Queues n rows that FCM accepted to be marked SENT, and the counters
 * values (nstats of them, added to relay_stat with them), written before
 * the thread's next claim.  0, or -1 (no memory: nothing was queued).
 */
int pushdb_sent(struct pushdb *pd, const long long *ids, int n,
    const long long *values);

#endif
