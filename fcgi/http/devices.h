/*
 * devices.h - the teacher's device endpoints.
 */
#ifndef EHZ_DEVICES_H
#define EHZ_DEVICES_H

#include "http.h"

/* GET /devices/pending: pending devices of the teacher's students. */
int devices_pending(struct http_req *r);
/* POST /devices/:id/approve */
int devices_approve(struct http_req *r);
/* POST /devices/:id/reject */
int devices_reject(struct http_req *r);

#endif
