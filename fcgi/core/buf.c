/*
 * buf.c - the one growable buffer: HTTP answers collected by libcurl
 * (JWKS, OAuth tokens, the tests' client) and files read whole (SQL
 * migrations, CSV imports, keys).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

int
buf_append(struct buf *b, const void *data, size_t n)
{
	char *np;

	if (b->max && b->n + n > b->max)
		return -1;
	if ((np = realloc(b->p, b->n + n + 1)) == NULL)
		return -1;
	memcpy(np + b->n, data, n);
	b->n += n;
	np[b->n] = '\0';
	b->p = np;
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
