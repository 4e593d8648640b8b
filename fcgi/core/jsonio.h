/*
 * jsonio.h - validated getters over jansson objects for request bodies.
 *
 * Each getter returns 0 and sets *out, or -1 with a message for the client
 * in err (naming the field).  Absent optional fields leave *out untouched.
 */
#ifndef EHZ_JSONIO_H
#define EHZ_JSONIO_H

#include <jansson.h>
#include <stddef.h>

#include "arena.h"

#define JSONH_REQUIRED 1
#define JSONH_OPTIONAL 0

/* Parses an object body; -1 with err on malformed JSON or a non-object. */
json_t *
jsonio_parse_object(const char *body, size_t len, char *err, size_t errlen);
/* A string of 1..maxlen bytes (no NUL, valid UTF-8 by jansson). */
int jsonio_string(json_t *obj, const char *key, int required, size_t maxlen,
    const char **out, char *err, size_t errlen);
/* An integer in [min, max]; numeric strings are accepted too. */
int jsonio_int(json_t *obj, const char *key, int required, long long min,
    long long max, long long *out, char *err, size_t errlen);
/* A string that is one of a NULL-terminated list; *out gets the index. */
int jsonio_enum(json_t *obj, const char *key, int required,
    const char *const *allowed, int *out, char *err, size_t errlen);
/* The API's error object {"error":{"code","message"}}; NULL on OOM. */
json_t *jsonio_error(const char *code, const char *message);
/*
 * Sets *result to that error object and returns status: a refusal in one
 * expression, for code that answers through a result object.
 */
int jsonio_refuse(json_t **result, int status, const char *code,
    const char *message);
/* A nested object. */
int jsonio_object(json_t *obj, const char *key, int required, json_t **out,
    char *err, size_t errlen);

/* The arena owns j: one reference is dropped at its next reset. */
int jsonio_defer(struct arena *a, json_t *j);

#endif
