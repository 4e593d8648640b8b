/*
 * metrics.h - GET /metrics: Prometheus text for operators' scrapers.
 */
#ifndef EHZ_METRICS_H
#define EHZ_METRICS_H

#include "http.h"

/* GET /metrics (ROUTE_LOCAL: the router admits only local peers). */
int metrics_get(struct http_req *r);

#endif
