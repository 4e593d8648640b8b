/*
 * gauth.h - verification of Google Sign-In ID tokens.
 */
#ifndef EHZ_GAUTH_H
#define EHZ_GAUTH_H

#include "arena.h"

struct config;

enum gauth_rc {
	GAUTH_OK = 0,
	GAUTH_MALFORMED = -1, /* not a JWT, bad header or claims JSON */
	GAUTH_ALG = -2,       /* anything but RS256 (none, HS256, ...) */
	GAUTH_KID = -3,       /* no signing key with the token's kid */
	GAUTH_SIGNATURE = -4, /* the signature does not verify */
	GAUTH_ISS = -5,       /* not issued by accounts.google.com */
	GAUTH_AUD = -6,       /* not for one of our client ids */
	GAUTH_EXPIRED = -7,   /* exp in the past (beyond the skew) */
	GAUTH_IAT = -8,       /* issued in the future */
	GAUTH_EMAIL = -9,     /* no e-mail, or email_verified not true */
	GAUTH_HD = -10,       /* hosted domain does not match */
	GAUTH_KEYS = -11,     /* the JWKS cannot be fetched or parsed */
};

/* The identity an ID token vouches for; arena memory. */
struct gauth_id {
	const char *email;
	const char *name; /* may be NULL */
	const char *sub;
	const char *hd; /* may be NULL */
	long long exp;
};

/*
 * Verifies an ID token against the JWKS named by cfg->google_jwks (URL or
 * file; cached process-wide, thread-safe) and the claim policy of cfg.
 * GAUTH_OK and *out filled, or a gauth_rc.
 */
int gauth_verify(const struct config *cfg, const char *token, long long now,
    struct gauth_id *out, struct arena *ar);
/* A short reason for people (never library text). */
const char *gauth_reason(int rc);
/*
 * A PEM "PUBLIC KEY" for the RSA key with base64url modulus n and exponent
 * e (a JWK); NULL on bad input.  Arena memory.
 */
char *gauth_jwk_pem(const char *n, const char *e, struct arena *ar);
/* Forgets the cached keys (tests, key rotation by hand). */
void gauth_forget(void);

#endif
