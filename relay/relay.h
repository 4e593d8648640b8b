/*
 * relay.h - the relay's jobs and the state the loop hands them.
 */
#ifndef EHZ_RELAY_H
#define EHZ_RELAY_H

#include "arena.h"

struct config;
struct db;
struct push;
struct mail;

struct relay {
	const struct config *cfg;
	struct db *db;
	struct arena *arena; /* reset after every loop pass */
	struct push *push;   /* FCM sender state (push.c) */
	struct mail *mail;   /* SMTP sender state (mail.c) */
};
/* One-time setup of the jobs; -1 is fatal. */
int relay_init(struct relay *rl);
/*
 * Runs every job that is due and returns the wall-clock ms at which it
 * next wants to run (at most `next`).
 */
long long relay_run(struct relay *rl, long long next);
void relay_release(struct relay *rl);

#endif
