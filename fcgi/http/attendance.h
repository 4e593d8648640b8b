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
int attendance_telemetry(struct http_req *r);

/* Stores anti-proxy evidence (focus_lost, app_switch, copy ...). */
int attendance_evidence_core(struct http_req *r, json_t *msg, json_t **result);

#endif
