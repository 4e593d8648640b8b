/*
 * leave.h - leave and duty records over HTTP (the rules are calendar.c).
 */
#ifndef EHZ_LEAVE_H
#define EHZ_LEAVE_H

#include "http.h"

/* POST /leave {student_email?, kind, from, to, reason?} */
int leave_create(struct http_req *r);
/* GET /leave?class_id=&state= */
int leave_list(struct http_req *r);
/* POST /leave/:id/approve, POST /leave/:id/reject */
int leave_approve(struct http_req *r);
int leave_reject(struct http_req *r);

#endif
