/*
 * classjson.h - the class summary's JSON body as text.
 */
#ifndef EHZ_CLASSJSON_H
#define EHZ_CLASSJSON_H

#include <stddef.h>

#include "report.h"

/*
 * The class summary's body: the text json_dumps(JSON_COMPACT |
 * JSON_REAL_PRECISION(10)) gave for the jansson tree it was built as.
 * Malloc'd, NUL-terminated, *len its length; NULL on OOM or where the tree
 * was NULL (a subject's label or a total jansson would not hold).
 */
char *classjson_dump(const struct class_report *rep, size_t *len);

#endif
