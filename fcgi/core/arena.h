/*
 * arena.h - per-request bump allocator with cleanups.
 *
 * An arena belongs to one thread and is not locked.  One exception, and
 * its rule: another thread may allocate in it only while its owner is
 * parked waiting for that thread and cannot touch the arena, and must
 * stop before it lets the owner go.  The submit group commit lives by it
 * (batch.h): a leader copies each batched submit's strings into that
 * submit's arena while the owner sleeps in batch_join, and marks the
 * submit done (releasing the owner) only after its last write.
 */
#ifndef EHZ_ARENA_H
#define EHZ_ARENA_H

#include <stddef.h>

struct arena;

/* A new arena that refuses to grow past cap bytes; NULL on OOM. */
struct arena *arena_new(size_t cap);
void arena_free(struct arena *a);
/* Runs the cleanups (newest first) and forgets every allocation. */
void arena_reset(struct arena *a);
/* Bytes of chunks the arena holds (what a reset keeps: one small chunk). */
size_t arena_held(const struct arena *a);
/* Zeroed memory owned by the arena; NULL when the cap is reached. */
void *arena_alloc(struct arena *a, size_t n);
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* fn(arg) runs at the next reset or free: library objects (json_t, ...). */
int arena_defer(struct arena *a, void (*fn)(void *), void *arg);

/* The arena owns p (from malloc): freed at the next reset or free. */
int arena_own(struct arena *a, void *p);

#endif
