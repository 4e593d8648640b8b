/*
 * appconfig.h - what the web app needs to know before anyone signs in.
 */
#ifndef EHZ_APPCONFIG_H
#define EHZ_APPCONFIG_H

#include "http.h"

int appconfig_get(struct http_req *r);

#endif
