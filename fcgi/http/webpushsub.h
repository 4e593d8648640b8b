/*
 * webpushsub.h - a web device's Web Push subscription (POST and DELETE
 * /devices/web-push).
 */
#ifndef EHZ_WEBPUSHSUB_H
#define EHZ_WEBPUSHSUB_H

#include "http.h"

/* POST /devices/web-push {"endpoint", "keys": {"p256dh", "auth"}} */
int webpushsub_set(struct http_req *r);

/* DELETE /devices/web-push: no more pushes to this browser. */
int webpushsub_delete(struct http_req *r);

#endif
