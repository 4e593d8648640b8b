/*
 * arena.c - the per-request memory pool.
 *
 * Every worker thread owns one arena; the accept loop resets it after each
 * request, so handlers never free anything themselves.  Objects from
 * libraries with their own allocators are released through arena_defer(),
 * like nginx's pool cleanups.  A hard cap stops one request from eating the
 * machine.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"

#define CHUNK_MIN (16 * 1024)

struct chunk {
	struct chunk *next;
	size_t size, used;
	unsigned char data[];
};

struct cleanup {
	struct cleanup *next;
	void (*fn)(void *);
	void *arg;
	int heap; /* malloc'd: the arena was at its cap */
};

struct arena {
	struct chunk *head;
	struct cleanup *cleanups;
	size_t cap, total;
};

struct arena *
arena_new(size_t cap)
{
	struct arena *a = calloc(1, sizeof(*a));

	if (a)
		a->cap = cap;
	return a;
}

void
arena_reset(struct arena *a)
{
	struct cleanup *c;
	struct chunk *ch, *next, *keep;

	while ((c = a->cleanups) != NULL) {
		a->cleanups = c->next;
		c->fn(c->arg);
		if (c->heap)
			free(c);
	}
	/*
	 * Keep one normal-sized chunk, which most requests fit in; a large
	 * one (a big first allocation) goes, or it would be pinned for the
	 * thread's life.
	 */
	keep = NULL;
	for (ch = a->head; ch; ch = next) {
		next = ch->next;
		if (keep == NULL && ch->size == CHUNK_MIN) {
			keep = ch;
			continue;
		}
		free(ch);
	}
	a->head = keep;
	a->total = 0;
	if (keep) {
		keep->next = NULL;
		keep->used = 0;
		a->total = keep->size;
	}
}

size_t
arena_held(const struct arena *a)
{
	return a->total;
}

void
arena_free(struct arena *a)
{
	if (a == NULL)
		return;
	arena_reset(a);
	free(a->head);
	free(a);
}

void *
arena_alloc(struct arena *a, size_t n)
{
	struct chunk *ch = a->head;
	size_t need = (n + 15) & ~(size_t)15, size;
	void *p;

	if (n == 0)
		need = 16;
	if (ch == NULL || ch->size - ch->used < need) {
		size = need > CHUNK_MIN ? need : CHUNK_MIN;
		if (a->total + size > a->cap)
			return NULL;
		ch = malloc(sizeof(*ch) + size);
		if (ch == NULL)
			return NULL;
		ch->size = size;
		ch->used = 0;
		ch->next = a->head;
		a->head = ch;
		a->total += size;
	}
	p = ch->data + ch->used;
	ch->used += need;
	memset(p, 0, need);
	return p;
}

char *
arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);

	if (p)
		memcpy(p, s, n);
	return p;
}

char *
arena_strdup(struct arena *a, const char *s)
{
	return s ? arena_strndup(a, s, strlen(s)) : NULL;
}

char *
arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	int n;
	char *p;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || (p = arena_alloc(a, (size_t)n + 1)) == NULL)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

int
arena_defer(struct arena *a, void (*fn)(void *), void *arg)
{
	struct cleanup *c = arena_alloc(a, sizeof(*c));

	/*
	 * A full arena must not free arg now: the caller goes on using it
	 * (a reply body, a parsed request).  The record goes on the heap;
	 * only a failed malloc runs fn at once.
	 */
	if (c == NULL && (c = calloc(1, sizeof(*c))) != NULL)
		c->heap = 1;
	if (c == NULL) {
		fn(arg);
		return -1;
	}
	c->fn = fn;
	c->arg = arg;
	c->next = a->cleanups;
	a->cleanups = c;
	return 0;
}

int
arena_own(struct arena *a, void *p)
{
	return arena_defer(a, free, p);
}
