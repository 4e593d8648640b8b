/*
 * reportjson.h - the JSON bodies of the report endpoints.
 */
#ifndef EHZ_REPORTJSON_H
#define EHZ_REPORTJSON_H

#include <jansson.h>

#include "report.h"

/* The JSON bodies of the two endpoints (new references; NULL on OOM). */
json_t *reportjson_class(const struct class_report *rep);
json_t *reportjson_student(const struct student_report *rep);

#endif
