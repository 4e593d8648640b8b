/*
 * attendance.h - live attendance: teacher endpoints and the one submit
 * path shared by HTTP and the WebSocket.
 */
#ifndef EHZ_ATTENDANCE_H
#define EHZ_ATTENDANCE_H

#include <jansson.h>

#include "http.h"

int attendance_initiate(struct http_req *r);
int attendance_close(struct http_req *r);
int attendance_live_status(struct http_req *r);
int attendance_manual_mark(struct http_req *r);
int attendance_qr(struct http_req *r);
int attendance_submit(struct http_req *r);
int attendance_telemetry(struct http_req *r);

/*
 * The submit rules for r->auth (a student): window open by the database
 * clock, enrolled, campus network, tries left, constant-time OTP compare.
 * Returns the HTTP status; *result gets the reply object (an error object
 * for 4xx), which the caller owns.
 */
int attendance_submit_core(struct http_req *r, json_t *msg, json_t **result);
/* Stores anti-proxy evidence (focus_lost, app_switch, copy ...). */
int attendance_evidence_core(struct http_req *r, json_t *msg, json_t **result);

#endif
