/*
 * buf.h - a growable byte buffer, its libcurl write callback, and reading
 * a whole file.  Memory is malloc'd and owned by the caller.  The buffer
 * grows by doubling: JSON answers of megabytes are written into it in
 * pieces of a few bytes.
 */
#ifndef EHZ_BUF_H
#define EHZ_BUF_H

#include <stddef.h>

struct buf {
	char *p;    /* NUL-terminated contents, NULL while empty */
	size_t n;   /* bytes held */
	size_t max; /* refuse to grow past this many bytes; 0: no limit */
	size_t cap; /* bytes allocated at p (kept by the functions below) */
};

/* Appends n bytes; 0, or -1 past max or on OOM (b is unchanged). */
int buf_append(struct buf *b, const void *data, size_t n);
/*
 * Room for n more bytes without growing again (a known size allocated
 * once instead of doubled into); 0, or -1 on OOM (b is unchanged).
 */
int buf_reserve(struct buf *b, size_t n);
/*
 * A CURLOPT_WRITEFUNCTION/HEADERFUNCTION with a struct buf as userdata:
 * stops the transfer (returns 0) past max.
 */
size_t buf_curl_write(char *data, size_t size, size_t nmemb, void *userdata);
void buf_release(struct buf *b);
/*
 * The whole file at path, NUL-terminated; *len (may be NULL) gets its
 * size.  NULL when it cannot be read.
 */
char *buf_read_file(const char *path, size_t *len);

#endif
