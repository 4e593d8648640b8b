/*
 * policy.h - a class's anti-proxy policy on the teacher's screen:
 * GET and PUT /classes/:id/policy.
 */
#ifndef EHZ_POLICY_H
#define EHZ_POLICY_H

#include "http.h"

/* GET /classes/:id/policy: the policy, its bounds, an open window */
int policy_get(struct http_req *r);
/* PUT /classes/:id/policy {key: value, ...}: checked, audited, whole */
int policy_put(struct http_req *r);

#endif
