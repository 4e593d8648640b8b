/*
 * admin.h - the dashboard's endpoints (GET /admin/...) for heads of
 * department and administrators.
 */
#ifndef EHZ_ADMIN_H
#define EHZ_ADMIN_H

#include "http.h"

/* ROUTE_HEAD: each a view of dashboard.c in JSON, CSV or XLSX. */
int admin_attendance(struct http_req *r);
int admin_trend(struct http_req *r);
int admin_shortage(struct http_req *r);
int admin_not_marked(struct http_req *r);
int admin_accounts(struct http_req *r);
int admin_jobs(struct http_req *r);
int admin_departments(struct http_req *r);

#endif
