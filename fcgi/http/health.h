/*
 * health.h - liveness and readiness.
 */
#ifndef EHZ_HEALTH_H
#define EHZ_HEALTH_H

#include "http.h"

int health_get(struct http_req *r);

#endif
