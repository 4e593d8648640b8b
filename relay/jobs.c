/*
 * jobs.c - the relay's list of jobs, run in order on every loop pass.
 * Each job returns the time it next wants to run.
 */
#include "expiry.h"
#include "relay.h"

int
relay_init(struct relay *rl)
{
	(void)rl;
	return 0;
}

long long
relay_run(struct relay *rl, long long next)
{
	next = expiry_run(rl, next);
	return next;
}

int
relay_poll_fd(struct relay *rl)
{
	(void)rl;
	return -1;
}

void
relay_release(struct relay *rl)
{
	(void)rl;
}
