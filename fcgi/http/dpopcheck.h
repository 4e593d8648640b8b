/*
 * dpopcheck.h - DPoP proofs on requests (the glue between http and
 * domain/dpop.c): verify, refuse replays, answer 401.
 */
#ifndef EHZ_DPOPCHECK_H
#define EHZ_DPOPCHECK_H

#include "dpop.h"
#include "http.h"

/*
 * Verifies the request's proof (in_uri: the WebSocket upgrade's
 * "dpop.<proof>" subprotocol entry)
 * for token (NULL at sign-in) and key jkt (NULL: any key) and records
 * its jti.  0 and *out, or a status already answered.
 */
int dpopcheck_request(struct http_req *r, int in_uri, const char *token,
    const char *jkt, struct dpop_proof *out);
/* 1 when the request carries a DPoP header. */
int dpopcheck_present(const struct http_req *r);

#endif
