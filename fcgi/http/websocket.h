/*
 * websocket.h - the workers' side of the WebSocket (nginx + nchan).
 */
#ifndef EHZ_WEBSOCKET_H
#define EHZ_WEBSOCKET_H

#include "http.h"

int websocket_authorize(struct http_req *r);
int websocket_message(struct http_req *r);
/* The error frame for a client message too large to read (413 inside). */
int websocket_too_large(struct http_req *r);

#endif
