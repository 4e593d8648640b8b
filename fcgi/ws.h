/*
 * ws.h - the workers' side of the WebSocket (nginx + nchan).
 */
#ifndef EHZ_WS_H
#define EHZ_WS_H

#include "http.h"

int ws_authorize(struct http_req *r);
int ws_message(struct http_req *r);

#endif
