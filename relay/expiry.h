/*
 * expiry.h - the relay's attendance-window timer.
 */
#ifndef EHZ_EXPIRY_H
#define EHZ_EXPIRY_H

#include "relay.h"

/* Finalises every due window; returns when it next wants to run. */
long long expiry_run(struct relay *rl, long long next);

#endif
