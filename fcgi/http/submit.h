/*
 * submit.h - a student's code, over HTTP and over the WebSocket.
 */
#ifndef EHZ_SUBMIT_H
#define EHZ_SUBMIT_H

#include <jansson.h>

#include "http.h"

/* POST /attendance/submit {session_id, otp} */
int submit_post(struct http_req *r);
/*
 * The submit rules for r->auth (a student): window open by the database
 * clock, enrolled, campus network, tries left, constant-time OTP compare.
 * Returns the HTTP status; *result gets the reply object (an error object
 * for 4xx), which the caller owns.
 */
int submit_core(struct http_req *r, json_t *msg, json_t **result);

#endif
