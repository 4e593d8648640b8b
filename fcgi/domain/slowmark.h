/*
 * slowmark.h - "slow - possibly relayed" kept as evidence at the end of a
 * window, and the optional policy that flags such submissions R.
 */
#ifndef EHZ_SLOWMARK_H
#define EHZ_SLOWMARK_H

#include "arena.h"

struct db;

/* Fewer submissions than this in a window are too few to compare. */
#define SLOWMARK_MIN 5

/*
 * Inside the finalising transaction of window_id (of session_id, opened
 * at opened_at, the database's text): each code submission of this
 * window slower than the window's 90th percentile of delays plus its
 * slow_margin_ms gets attendance.slow = 1, and, when the window's
 * flag_slow is set, a P among them becomes R.  DB_* code.
 */
int slowmark_window(struct db *db, struct arena *a, long long window_id,
    long long session_id, const char *opened_at);

#endif
