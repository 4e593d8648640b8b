/*
 * relay.c - the relay's list of jobs, run in order on every loop pass.
 * Each job lives in its own file with an _init, a _run that returns the
 * wall-clock ms at which it next wants to run, and a _release; adding a
 * job is one line in each function below.  Also the relay's clock.
 */
#include <time.h>

#include "expiry.h"
#include "mail.h"
#include "push.h"
#include "relay.h"

static long long
sooner(long long a, long long b)
{
	return a < b ? a : b;
}

int
relay_init(struct relay *rl)
{
	if (push_init(rl) < 0)
		return -1;
	if (mail_init(rl) < 0)
		return -1;
	return 0;
}

long long
relay_run(struct relay *rl, long long next)
{
	next = sooner(next, expiry_run(rl, next));
	next = sooner(next, push_run(rl, next));
	next = sooner(next, mail_run(rl, next));
	return next;
}

void
relay_release(struct relay *rl)
{
	push_release(rl);
	mail_release(rl);
}
