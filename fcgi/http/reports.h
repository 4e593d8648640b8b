/*
 * reports.h - the reporting endpoints.
 */
#ifndef EHZ_REPORTS_H
#define EHZ_REPORTS_H

#include "http.h"

/* GET /attendance/student-summary (ROUTE_AUTH) */
int reports_student(struct http_req *r);
/* GET /attendance/class-summary (ROUTE_TEACHER) */
int reports_class(struct http_req *r);

#endif
