/*
 * timetable.h - the caller's day: periods and what happened in them.
 */
#ifndef EHZ_TIMETABLE_H
#define EHZ_TIMETABLE_H

#include "http.h"

int timetable_get(struct http_req *r);
int timetable_open_windows(struct http_req *r);

#endif
