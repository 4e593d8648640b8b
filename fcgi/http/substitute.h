/*
 * substitute.h - a class taken by another teacher over HTTP (who may take
 * what: scope.h).
 */
#ifndef EHZ_SUBSTITUTE_H
#define EHZ_SUBSTITUTE_H

#include "http.h"

/* POST /substitutes {period_id, date, teacher_email, reason?} */
int substitute_create(struct http_req *r);
/* GET /substitutes?from=&to= */
int substitute_list(struct http_req *r);
/* DELETE /substitutes/:id */
int substitute_delete(struct http_req *r);

#endif
