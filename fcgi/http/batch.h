/*
 * batch.h - group commit inside one worker process: requests that arrive
 * together queue up, one of them leads and does the work of the whole
 * batch on its own connection while the others sleep, then wakes them.
 *
 * The queue knows nothing of what the work is: a caller embeds a struct
 * batch_item in its own request state and passes the work as callbacks.
 * While an item is queued or in a leader's batch its owner is parked in
 * batch_join; the leader may write into the item's request state (and
 * its arena: see arena.h) until it marks the item done.
 */
#ifndef EHZ_BATCH_H
#define EHZ_BATCH_H

#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>

struct batch_item {
	atomic_int done; /* a batch has dealt with it: its owner may leave */
	int taken;       /* in a leader's batch (under the queue's lock) */
	sem_t *wake;     /* its thread's: posted when done or first in line */
	struct batch_item *next;
};

/* The most items a batch may hold (ops.max). */
#define BATCH_MAX_ITEMS 255

struct batch_ops {
	int max; /* items per batch, 1..BATCH_MAX_ITEMS */
	/* The leader's work on a batch (linked by next, at most max). */
	void (*run)(struct batch_item *batch, void *arg);
	/*
	 * After the batch's owners are woken: what the leader still owes.
	 * mine says whether the leader's own item was in the batch.
	 */
	void (*ran)(int mine, void *arg);
};

struct batch_queue {
	pthread_mutex_t lock;
	struct batch_item *head, **tail;
	int leading;
};

#define BATCH_QUEUE_INIT(q)                                   \
	{                                                     \
		PTHREAD_MUTEX_INITIALIZER, NULL, &(q).head, 0 \
	}

enum { BATCH_DONE = 0, BATCH_TIMEOUT = -1 };

/*
 * Queues it and returns once a batch has dealt with it (BATCH_DONE), its
 * own thread leading when no one else does.  BATCH_TIMEOUT when it waited
 * wait_ms behind a busy leader without being taken into a batch: it has
 * left the queue and nothing was done for it.  arg goes to ops.
 */
int batch_join(struct batch_queue *q, struct batch_item *it,
    const struct batch_ops *ops, void *arg, long wait_ms);

#endif
