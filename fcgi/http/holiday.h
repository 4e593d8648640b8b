/*
 * holiday.h - holidays and cancelled classes over HTTP (rules: calendar.c).
 */
#ifndef EHZ_HOLIDAY_H
#define EHZ_HOLIDAY_H

#include "http.h"

/* POST /holidays {date, class_id? | period_id?, reason?} */
int holiday_create(struct http_req *r);
/* GET /holidays?from=&to= */
int holiday_list(struct http_req *r);
/* DELETE /holidays/:id */
int holiday_delete(struct http_req *r);

#endif
