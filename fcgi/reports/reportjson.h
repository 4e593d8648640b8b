/*
 * reportjson.h - the JSON body of the student report (the class
 * summary's: classjson.h).
 */
#ifndef EHZ_REPORTJSON_H
#define EHZ_REPORTJSON_H

#include <jansson.h>

#include "report.h"

/* The student report's body (a new reference; NULL on OOM). */
json_t *reportjson_student(const struct student_report *rep);

#endif
