/*
 * test_batch.c - the submit queue's leadership (fcgi/http/batch.c) on one
 * thread: items that stand in the queue ahead of the caller are the
 * waiting submits of other threads (their owners asleep, as a leader
 * finds them), so every order here is made, not hoped for.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <semaphore.h>
#include <string.h>

#include "batch.h"

#define MAXRUNS 8

/* What the leader did: each batch it ran, and whether its item was in. */
struct record {
	int runs;
	int size[MAXRUNS];
	struct batch_item *first[MAXRUNS];
	int mine[MAXRUNS];
	int rans;
};

static void
run(struct batch_item *batch, void *arg)
{
	struct record *rec = arg;
	struct batch_item *it;

	cr_assert_lt(rec->runs, MAXRUNS);
	rec->first[rec->runs] = batch;
	for (it = batch; it; it = it->next)
		rec->size[rec->runs]++;
	rec->runs++;
}

static void
ran(int mine, void *arg)
{
	struct record *rec = arg;

	rec->mine[rec->rans++] = mine;
}

/* n items already waiting, each with a wakeup of its own. */
static void
queue_waiting(struct batch_queue *q, struct batch_item *items, sem_t *wakes,
    int n)
{
	int i;

	for (i = 0; i < n; i++) {
		sem_init(&wakes[i], 0, 0);
		items[i].wake = &wakes[i];
		*q->tail = &items[i];
		q->tail = &items[i].next;
	}
}

Test(batch, a_lone_submit_leads_a_batch_of_itself)
{
	struct batch_queue q = BATCH_QUEUE_INIT(q);
	struct batch_ops ops = { 4, run, ran };
	struct batch_item mine = { 0 };
	struct record rec = { 0 };

	cr_assert_eq(batch_join(&q, &mine, &ops, &rec, 1000), BATCH_DONE);
	cr_assert_eq(rec.runs, 1);
	cr_assert_eq(rec.first[0], &mine);
	cr_assert_eq(rec.size[0], 1);
	cr_assert_eq(rec.mine[0], 1);
	cr_assert(atomic_load(&mine.done));
	cr_assert_null(q.head);
	cr_assert_eq(q.leading, 0);
}

/* Waiting items ahead, the batch size, and the batches the caller leads. */
struct lead_case {
	int waiting, max;
	int runs;
	int size[3], mine[3];
};

static struct lead_case lead_cases[] = {
	/* room for all: one batch with the caller in it */
	{ 2, 4, 1, { 3 }, { 1 } },
	/* the caller is behind a full batch: it runs that batch for the
	 * others first (its own item not in it), then its own */
	{ 1, 1, 2, { 1, 1 }, { 0, 1 } },
	{ 3, 2, 2, { 2, 2 }, { 0, 1 } },
	{ 4, 2, 3, { 2, 2, 1 }, { 0, 0, 1 } },
};

ParameterizedTestParameters(batch, the_caller_leads_batches_of_at_most_max)
{
	return cr_make_param_array(struct lead_case, lead_cases,
	    sizeof(lead_cases) / sizeof(lead_cases[0]));
}

ParameterizedTest(struct lead_case *c, batch,
    the_caller_leads_batches_of_at_most_max)
{
	struct batch_queue q = BATCH_QUEUE_INIT(q);
	struct batch_ops ops = { c->max, run, ran };
	struct batch_item items[4], mine = { 0 };
	sem_t wakes[4];
	struct record rec = { 0 };
	int i;

	memset(items, 0, sizeof(items));
	queue_waiting(&q, items, wakes, c->waiting);
	cr_assert_eq(batch_join(&q, &mine, &ops, &rec, 1000), BATCH_DONE);
	cr_assert_eq(rec.runs, c->runs);
	cr_assert_eq(rec.rans, c->runs);
	cr_assert_eq(rec.first[0], c->waiting ? &items[0] : &mine);
	for (i = 0; i < c->runs; i++) {
		cr_assert_eq(rec.size[i], c->size[i], "batch %d", i);
		cr_assert_eq(rec.mine[i], c->mine[i], "batch %d", i);
	}
	for (i = 0; i < c->waiting; i++) {
		/* done, and its owner woken exactly for that */
		cr_assert(atomic_load(&items[i].done), "item %d", i);
		cr_assert(items[i].taken, "item %d", i);
		cr_assert_eq(sem_trywait(&wakes[i]), 0, "item %d woken", i);
		sem_destroy(&wakes[i]);
	}
	cr_assert(atomic_load(&mine.done));
	cr_assert_null(q.head);
	cr_assert_eq(q.tail, &q.head);
}

Test(batch, a_submit_no_leader_takes_in_time_leaves_the_queue_untouched)
{
	struct batch_queue q = BATCH_QUEUE_INIT(q);
	struct batch_ops ops = { 4, run, ran };
	struct batch_item ahead = { 0 }, mine = { 0 };
	sem_t wake;
	struct record rec = { 0 };

	queue_waiting(&q, &ahead, &wake, 1);
	q.leading = 1; /* a leader busy with a batch that never ends */
	cr_assert_eq(batch_join(&q, &mine, &ops, &rec, 20), BATCH_TIMEOUT);
	cr_assert_eq(rec.runs, 0, "nothing was run for it");
	cr_assert(!atomic_load(&mine.done));
	cr_assert_eq(q.head, &ahead, "the one ahead still waits");
	cr_assert_null(ahead.next, "and the timed-out one is gone");
	cr_assert_eq(q.tail, &ahead.next);
	sem_destroy(&wake);
}

Test(batch, a_batch_size_out_of_range_is_refused)
{
	struct batch_queue q = BATCH_QUEUE_INIT(q);
	struct batch_ops zero = { 0, run, ran },
			 big = { BATCH_MAX_ITEMS + 1, run, ran };
	struct batch_item mine = { 0 };
	struct record rec = { 0 };

	cr_assert_eq(batch_join(&q, &mine, &zero, &rec, 10), BATCH_TIMEOUT);
	cr_assert_eq(batch_join(&q, &mine, &big, &rec, 10), BATCH_TIMEOUT);
	cr_assert_eq(rec.runs, 0);
	cr_assert_null(q.head);
}
