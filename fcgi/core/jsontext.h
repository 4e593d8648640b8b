/*
 * jsontext.h - JSON text written straight into a struct buf, with the
 * bytes jansson's json_dumps(JSON_COMPACT | JSON_REAL_PRECISION(10)) writes
 * for the same values, without a jansson tree.
 */
#ifndef EHZ_JSONTEXT_H
#define EHZ_JSONTEXT_H

#include <jansson.h>

#include "buf.h"

/* The dumps' flags: the API's answers (see http_reply_json). */
#define JSONTEXT_FLAGS (JSON_COMPACT | JSON_REAL_PRECISION(10))

/* A json_dump_callback writer appending to the struct buf at data. */
int jsontext_write(const char *p, size_t n, void *data);
/* 1 when jansson dumps s as it is between quotes (printable ASCII but the
 * quote and the backslash), else 0. */
int jsontext_is_plain(const char *s);
/* v (any kind) dumped with JSONTEXT_FLAGS; 0 or -1. */
int jsontext_value(struct buf *b, json_t *v);
/*
 * s as a JSON string, through scratch (a jansson string reused) unless it
 * is plain: 0; 1 when jansson would hold no string (s NULL or not UTF-8:
 * json_string() is NULL), nothing written; -1 on OOM.
 */
int jsontext_string(struct buf *b, json_t *scratch, const char *s);
/* p as a JSON real through scratch (a jansson real reused): 0; 1 when
 * jansson would hold no real (NaN, infinite), nothing written; -1. */
int jsontext_real(struct buf *b, json_t *scratch, double p);

#endif
