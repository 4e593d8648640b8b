/*
 * batch.c - the queue and the leadership of the submit group commit
 * (batch.h); the work itself is the caller's.
 *
 * A leader marks its batch done and wakes the first item still waiting,
 * who leads next, and then each owner in its batch: the next batch is
 * what the class waits for, the answered ones only have their replies to
 * write.  The wakeups go out after the queue's lock is released, so a
 * woken owner does not go back to sleep on it, and each thread is woken
 * alone (a broadcast would wake every waiter for nothing).
 *
 * A waiter's sleep is bounded.  Running out of time is safe only for an
 * item no leader has taken: it leaves the queue under the lock, so no
 * leader will ever see it, nothing was read or written for it, and its
 * owner answers a retryable error (the client has no acknowledgement to
 * lose).  An item already taken stays until its batch is done: its
 * leader writes into it, and its answer depends on the batch's commit
 * (a leader's statements have their own bounds, db.c's timeouts).
 */
#include <errno.h>
#include <time.h>

#include "batch.h"

/*
 * Each worker thread's wakeup, alive as long as the thread: a leader may
 * post it after its owner has already gone (a stale post only makes the
 * next wait go round once more), which a semaphore in the item could not
 * survive.
 */
static _Thread_local sem_t t_wake;
static _Thread_local int t_wake_ready;

/* Takes up to max items off the head of the queue; lock held. */
static struct batch_item *
take(struct batch_queue *q, int max)
{
	struct batch_item *batch = q->head, *last = q->head;
	int n;

	last->taken = 1;
	for (n = 1; n < max && last->next; n++) {
		last = last->next;
		last->taken = 1;
	}
	q->head = last->next;
	if (q->head == NULL)
		q->tail = &q->head;
	last->next = NULL;
	return batch;
}

/* Removes an item no leader has taken; lock held. */
static void
unlink_item(struct batch_queue *q, struct batch_item *it)
{
	struct batch_item **pp;

	for (pp = &q->head; *pp != it; pp = &(*pp)->next)
		;
	*pp = it->next;
	if (q->tail == &it->next)
		q->tail = pp;
}

/*
 * Marks the batch done and wakes the next leader, then the batch's other
 * owners; 1 when mine was in the batch.
 */
static int
finish(struct batch_queue *q, struct batch_item *batch, struct batch_item *mine)
{
	sem_t *wakes[BATCH_MAX_ITEMS + 1];
	struct batch_item *next;
	int nw = 0, n, in = 0;

	pthread_mutex_lock(&q->lock);
	if (q->head)
		wakes[nw++] = q->head->wake;
	for (; batch; batch = next) {
		next = batch->next;
		if (batch != mine)
			wakes[nw++] = batch->wake;
		in |= batch == mine;
		/* its owner may leave from here on */
		atomic_store(&batch->done, 1);
	}
	q->leading = 0;
	pthread_mutex_unlock(&q->lock);
	for (n = 0; n < nw; n++)
		sem_post(wakes[n]);
	return in;
}

/*
 * Sleeps until posted, or the deadline when one is given; 0 when posted,
 * else ETIMEDOUT.
 */
static int
sleep_until(sem_t *s, const struct timespec *deadline)
{
	while ((deadline ? sem_timedwait(s, deadline) : sem_wait(s)) != 0)
		if (errno != EINTR)
			return errno;
	return 0;
}

int
batch_join(struct batch_queue *q, struct batch_item *it,
    const struct batch_ops *ops, void *arg, long wait_ms)
{
	struct batch_item *batch;
	struct timespec deadline;
	int timed_out = 0;

	if (ops->max < 1 || ops->max > BATCH_MAX_ITEMS)
		return BATCH_TIMEOUT;
	if (!t_wake_ready) {
		sem_init(&t_wake, 0, 0);
		t_wake_ready = 1;
	}
	it->wake = &t_wake;
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += wait_ms / 1000;
	deadline.tv_nsec += (wait_ms % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&q->lock);
	*q->tail = it;
	q->tail = &it->next;
	while (!atomic_load(&it->done)) {
		if (q->leading) {
			int taken = it->taken;

			if (timed_out && !taken) {
				unlink_item(q, it);
				pthread_mutex_unlock(&q->lock);
				return BATCH_TIMEOUT;
			}
			pthread_mutex_unlock(&q->lock);
			/* once taken, the batch's end is bounded by its
			 * statements' timeouts: wait for it */
			timed_out = sleep_until(it->wake,
					taken ? NULL : &deadline) != 0;
			if (atomic_load(&it->done))
				return BATCH_DONE;
			pthread_mutex_lock(&q->lock);
			continue;
		}
		q->leading = 1;
		batch = take(q, ops->max);
		pthread_mutex_unlock(&q->lock);
		ops->run(batch, arg);
		ops->ran(finish(q, batch, it), arg);
		pthread_mutex_lock(&q->lock);
	}
	pthread_mutex_unlock(&q->lock);
	return BATCH_DONE;
}
