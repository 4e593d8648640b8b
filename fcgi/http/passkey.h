/*
 * passkey.h - biometric presence over HTTP: passkey registration, the
 * window's challenge, and the check a submit goes through (passkey.c).
 */
#ifndef EHZ_PASSKEY_H
#define EHZ_PASSKEY_H

#include <jansson.h>

#include "http.h"

/* GET /webauthn/status: {require_uv, registered, rp_id} */
int passkey_status(struct http_req *r);
/* POST /webauthn/register/options: what navigator.credentials.create
 * needs, with a fresh registration challenge */
int passkey_options(struct http_req *r);
/* POST /webauthn/register {attestation_object, client_data_json} */
int passkey_register(struct http_req *r);
/* GET /webauthn/challenge?session_id=N: the open window's challenge */
int passkey_challenge(struct http_req *r);
/*
 * A submit to a window whose class requires UV (submit.c reads the
 * policy with the rest) must carry uv (the submit's "uv" member:
 * {credential_id, authenticator_data, client_data_json, signature}), an
 * assertion of this device's passkey over the window's challenge.  0
 * when the submit may go on; else the HTTP status with *result the
 * refusal (uv_required, uv_malformed, uv_invalid, uv_not_verified,
 * uv_replayed, uv_unknown_credential).
 */
int passkey_check(struct http_req *r, json_t *uv, long long session_id,
    long long window_id, json_t **result);

#endif
