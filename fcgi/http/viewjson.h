/*
 * viewjson.h - a dashboard view's answer as JSON text, written row by row.
 */
#ifndef EHZ_VIEWJSON_H
#define EHZ_VIEWJSON_H

#include <stddef.h>

#include <jansson.h>

#include "reporttable.h"

/*
 * head (an object whose last member is "rows": [], consumed) with t's rows
 * as objects in "rows"; the text json_dumps would give (JSON_COMPACT |
 * JSON_REAL_PRECISION(10)) for the same objects.  Malloc'd, NULL on
 * failure; *len gets its length.
 */
char *viewjson_dump(json_t *head, const struct report_table *t, size_t *len);

#endif
