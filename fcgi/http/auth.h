/*
 * auth.h - sign-in with Google, app tokens, the student device policy.
 */
#ifndef EHZ_AUTH_H
#define EHZ_AUTH_H

#include "http.h"

/* POST /auth/google: ID token + device -> access and refresh tokens. */
int auth_google(struct http_req *r);
/* GET /auth/challenge: a single-use nonce for Play Integrity. */
int auth_challenge(struct http_req *r);
/* POST /auth/refresh: rotates a refresh token. */
int auth_refresh(struct http_req *r);
/* POST /auth/logout: revokes the device's refresh tokens. */
int auth_logout(struct http_req *r);

/*
 * 1 when s is RFC 4122 text of a random (version 4) UUID.  Version 1
 * UUIDs embed the MAC address and are refused.
 */
int auth_uuid_ok(const char *s);
/* 1 when s is 64 hex characters (a SHA-256). */
int auth_fingerprint_ok(const char *s);

#endif
