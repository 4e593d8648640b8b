/*
 * lang.h - POST /me/lang: the language of this device's notices.
 */
#ifndef EHZ_LANG_H
#define EHZ_LANG_H

#include "http.h"

/* POST /me/lang {"lang": "en" | "hi" | "ur"} */
int lang_set(struct http_req *r);

#endif
