/*
 * summary.h - the reporting endpoints.
 */
#ifndef EHZ_SUMMARY_H
#define EHZ_SUMMARY_H

#include "http.h"

/* GET /attendance/student-summary (ROUTE_AUTH) */
int summary_student(struct http_req *r);
/* GET /attendance/class-summary (ROUTE_TEACHER) */
int summary_class(struct http_req *r);

#endif
