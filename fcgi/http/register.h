/*
 * register.h - the register a teacher keeps beyond the live flow: a
 * remark on a mark, "mark all remaining", the settings the dashboard
 * needs; and the checks the leave and holiday handlers share.
 */
#ifndef EHZ_REGISTER_H
#define EHZ_REGISTER_H

#include "http.h"

/* POST /attendance/mark-all {session_id, status, reason} */
int register_mark_all(struct http_req *r);
/* POST /attendance/remark {session_id, student_email, remark} */
int register_remark(struct http_req *r);
/* GET /register/day?date= */
int register_day(struct http_req *r);
/* GET /register/settings */
int register_settings(struct http_req *r);

/*
 * 0 when the caller teaches a subject of class_id, else the reply (403,
 * 503) is already in r.
 */
int register_teaches_class(struct http_req *r, long long class_id);
/* The reply for a calendar.c refusal; 0 for CAL_OK. */
int register_calendar_reply(struct http_req *r, int cal_rc);
/* A YYYY-MM-DD field of the body (required): 0, or the 400 in r. */
int register_date(struct http_req *r, const char *key, const char **out);

#endif
