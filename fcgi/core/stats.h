/*
 * stats.h - the workers' counters for GET /metrics, shared by every
 * process and thread of ehazira-fcgi.
 *
 * One block of 64-bit atomic counters in a shared anonymous mapping that
 * the parent makes before it forks (stats_init): each child adds to it
 * with relaxed atomic adds, the parent adds worker restarts, and whichever
 * child answers /metrics reads the totals of all of them.  A restarted
 * child keeps adding to the same block, so counters only reset when the
 * whole service restarts.  A program that never calls stats_init (relay,
 * CLI, unit tests) counts into a private block of its own.
 */
#ifndef EHZ_STATS_H
#define EHZ_STATS_H

#include <stdatomic.h>
#include <stdint.h>

#define STATS_MAX_ROUTES 63 /* + one row for "no route" */
#define STATS_NLAT 13       /* latency buckets, the last is +Inf */
#define STATS_NBATCH 8      /* batch size buckets, the last is +Inf */

enum stats_counter {
	STATS_DB_ERRORS,        /* statements that failed, not conflicts */
	STATS_DB_CONNECT_FAILS, /* connection attempts that failed */
	STATS_DB_RECONNECTS,    /* new connections after a lost one */
	STATS_WORKER_RESTARTS,  /* children the parent had to respawn */
	STATS_NCOUNTERS
};

/* The status codes counted apart; the last row is every other code. */
extern const int stats_codes[];
extern const unsigned stats_ncodes;
/* The submit verdicts counted apart; the last is "other". */
extern const char *const stats_verdicts[];
extern const unsigned stats_nverdicts;
/* Upper bounds of the latency (seconds) and batch size buckets. */
extern const double stats_lat_le[STATS_NLAT - 1];
extern const unsigned stats_batch_le[STATS_NBATCH - 1];

struct stats_block {
	_Atomic uint64_t counters[STATS_NCOUNTERS];
	_Atomic uint64_t requests[STATS_MAX_ROUTES + 1][24];
	_Atomic uint64_t lat[STATS_MAX_ROUTES + 1][STATS_NLAT];
	_Atomic uint64_t lat_sum_us[STATS_MAX_ROUTES + 1];
	_Atomic uint64_t verdicts[16];
	_Atomic uint64_t batch[STATS_NBATCH];
	_Atomic uint64_t batch_sum;
};

/* Makes the shared block; call once, before fork.  0, or -1. */
int stats_init(void);
void stats_count(enum stats_counter c);
/* One request: route is the row of the route table (-1: none matched). */
void stats_request(int route, int status, long long micros);
/* One submit's verdict: "accepted", an error code ... */
void stats_submit(const char *verdict);
/* One submit batch of n submits. */
void stats_batch(unsigned n);
/* The block to read (every field with atomic_load). */
const struct stats_block *stats_read(void);

#endif
