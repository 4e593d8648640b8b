/*
 * profile.h - who am I: the signed-in user's own record.
 */
#ifndef EHZ_PROFILE_H
#define EHZ_PROFILE_H

#include "http.h"

int profile_get(struct http_req *r);

#endif
