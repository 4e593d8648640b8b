/*
 * stats.c - the counters of stats.h in one block that outlives fork.
 *
 * Why a shared mapping and not per-process counters the parent collects:
 * a scrape reaches one child at random, and that child can read every
 * other process's adds in the block directly, without a message to the
 * parent or to its siblings; relaxed atomic adds on shared memory are
 * exact across processes (they are the same cache lines), cheap enough
 * for every request, and need no lock a dying child could leave held.
 */
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>

#include "stats.h"

const int stats_codes[] = { 200, 201, 204, 304, 400, 401, 403, 404, 405, 409,
	410, 413, 415, 422, 429, 500, 502, 503, 504, 0 };
const unsigned stats_ncodes = sizeof(stats_codes) / sizeof(stats_codes[0]);

const char *const stats_verdicts[] = { "accepted", "flagged", "already_marked",
	"wrong_otp", "window_closed", "no_window", "not_enrolled", "off_campus",
	"no_tries_left", "rate_limited", "db_unavailable", "bad_request",
	"uv_refused", "other" };
const unsigned stats_nverdicts =
    sizeof(stats_verdicts) / sizeof(stats_verdicts[0]);

const double stats_lat_le[STATS_NLAT - 1] = { 0.001, 0.0025, 0.005, 0.01, 0.025,
	0.05, 0.1, 0.25, 0.5, 1, 2.5, 5 };
const unsigned stats_batch_le[STATS_NBATCH - 1] = { 1, 2, 4, 8, 16, 32, 64 };

_Static_assert(sizeof(stats_codes) / sizeof(stats_codes[0]) <= 24,
    "stats_block.requests has 24 columns");
_Static_assert(sizeof(stats_verdicts) / sizeof(stats_verdicts[0]) <= 16,
    "stats_block.verdicts has 16 slots");

static struct stats_block local;
static struct stats_block *blk = &local;

int
stats_init(void)
{
	void *p = mmap(NULL, sizeof(struct stats_block), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return -1;
	memset(p, 0, sizeof(struct stats_block));
	blk = p;
	return 0;
}

static void
add(_Atomic uint64_t *c, uint64_t n)
{
	atomic_fetch_add_explicit(c, n, memory_order_relaxed);
}

void
stats_count(enum stats_counter c)
{
	add(&blk->counters[c], 1);
}

void
stats_request(int route, int status, long long micros)
{
	unsigned row = route < 0 || route >= STATS_MAX_ROUTES ? STATS_MAX_ROUTES
							      : (unsigned)route;
	unsigned i;

	for (i = 0; i + 1 < stats_ncodes && stats_codes[i] != status; i++)
		;
	add(&blk->requests[row][i], 1);
	for (i = 0; i < STATS_NLAT - 1 && micros > stats_lat_le[i] * 1e6; i++)
		;
	add(&blk->lat[row][i], 1);
	add(&blk->lat_sum_us[row], micros > 0 ? (uint64_t)micros : 0);
}

void
stats_submit(const char *verdict)
{
	unsigned i;

	for (i = 0; i + 1 < stats_nverdicts &&
	     strcmp(stats_verdicts[i], verdict ? verdict : "") != 0;
	     i++)
		;
	add(&blk->verdicts[i], 1);
}

void
stats_batch(unsigned n)
{
	unsigned i;

	for (i = 0; i < STATS_NBATCH - 1 && n > stats_batch_le[i]; i++)
		;
	add(&blk->batch[i], 1);
	add(&blk->batch_sum, n);
}

const struct stats_block *
stats_read(void)
{
	return blk;
}
