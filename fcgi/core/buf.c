/*
 * buf.c - the one growable buffer: HTTP answers collected by libcurl
 * (JWKS, OAuth tokens, the tests' client), files read whole (SQL
 * migrations, CSV imports, keys) and JSON answers written as text (the
 * dashboard's views, the class summary).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

/* At least need bytes allocated: doubling from 4 KB, or exactly need. */
static int
grow(struct buf *b, size_t need, int exact)
{
	size_t cap = b->cap ? b->cap : 4096;
	char *np;

	while (!exact && cap < need)
		cap *= 2;
	if (exact)
		cap = need;
	if ((np = realloc(b->p, cap)) == NULL)
		return -1;
	b->p = np;
	b->cap = cap;
	return 0;
}

int
buf_reserve(struct buf *b, size_t n)
{
	if (b->n + n + 1 > b->cap && grow(b, b->n + n + 1, 1) < 0)
		return -1;
	b->p[b->n] = '\0';
	return 0;
}

int
buf_append(struct buf *b, const void *data, size_t n)
{
	if (b->max && b->n + n > b->max)
		return -1;
	if (b->n + n + 1 > b->cap && grow(b, b->n + n + 1, 0) < 0)
		return -1;
	memcpy(b->p + b->n, data, n);
	b->n += n;
	b->p[b->n] = '\0';
	return 0;
}

size_t
buf_curl_write(char *data, size_t size, size_t nmemb, void *userdata)
{
	size_t n = size * nmemb;

	return buf_append(userdata, data, n) == 0 ? n : 0;
}

void
buf_release(struct buf *b)
{
	free(b->p);
	b->p = NULL;
	b->n = 0;
	b->cap = 0;
}

char *
buf_read_file(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	struct buf b = { 0 };
	char chunk[8192];
	size_t got;

	if (fp == NULL)
		return NULL;
	while ((got = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		if (buf_append(&b, chunk, got) < 0)
			break;
	if (ferror(fp) || !feof(fp)) {
		buf_release(&b);
		fclose(fp);
		return NULL;
	}
	fclose(fp);
	if (b.p == NULL && (b.p = calloc(1, 1)) == NULL)
		return NULL;
	if (len)
		*len = b.n;
	return b.p;
}
