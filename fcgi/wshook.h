/*
 * wshook.h - the workers' side of the WebSocket (nginx + nchan).
 */
#ifndef EHZ_WSHOOK_H
#define EHZ_WSHOOK_H

#include "http.h"

int wshook_authorize(struct http_req *r);
int wshook_message(struct http_req *r);

#endif
