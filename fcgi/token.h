/*
 * token.h - app access tokens (HS256 JWT) and the small crypto helpers that
 * workers, relay and CLI share.
 */
#ifndef EHZ_TOKEN_H
#define EHZ_TOKEN_H

#include <stddef.h>

#include "arena.h"
#include "http.h"

enum token_rc {
	TOKEN_OK = 0,
	TOKEN_MALFORMED = -1, /* not a JWT, bad signature, wrong alg */
	TOKEN_EXPIRED = -2,
	TOKEN_CLAIMS = -3, /* missing or ill-typed claims */
};

/* A signed access token for a; NULL on failure.  Arena memory. */
char *token_issue(const char *secret, const struct auth *a, long ttl,
    struct arena *ar);
/* Verifies signature (HS256 only), exp and claims into *out (arena). */
int token_verify(const char *secret, const char *tok, long long now,
    struct auth *out, struct arena *ar);
const char *token_role_name(enum role r);
/* "s" or "t", and back (ROLE_NONE when unknown). */
const char *token_role_name_short(enum role r);
enum role token_role_from_short(const char *s);

/* Random bytes from the OS CSPRNG; 0 or -1. */
int token_random(void *buf, size_t n);
/* n random bytes as 2n lowercase hex characters. */
char *token_random_hex(size_t n, struct arena *ar);
/* SHA-256 of s as 64 hex characters. */
char *token_sha256_hex(const char *s, size_t len, struct arena *ar);
/* HMAC-SHA256(key, s) truncated to n hex characters. */
char *
token_hmac_hex(const char *key, const char *s, size_t n, struct arena *ar);
/* Constant-time comparison of two equal-length byte strings. */
int token_equal(const void *a, const void *b, size_t n);
/* base64url (no padding) of buf; arena memory. */
char *token_b64url(const void *buf, size_t n, struct arena *ar);
/* Decodes base64url (padding optional); NULL on bad input. */
unsigned char *token_b64url_decode(const char *s, size_t *n, struct arena *ar);

#endif
