/*
 * idtoken.h - verification of Google Sign-In ID tokens.
 */
#ifndef EHZ_GAUTH_H
#define EHZ_GAUTH_H

#include "arena.h"

struct config;

enum idtoken_rc {
	IDTOKEN_OK = 0,
	IDTOKEN_MALFORMED = -1, /* not a JWT, bad header or claims JSON */
	IDTOKEN_ALG = -2,       /* anything but RS256 (none, HS256, ...) */
	IDTOKEN_KID = -3,       /* no signing key with the token's kid */
	IDTOKEN_SIGNATURE = -4, /* the signature does not verify */
	IDTOKEN_ISS = -5,       /* not issued by accounts.google.com */
	IDTOKEN_AUD = -6,       /* not for one of our client ids */
	IDTOKEN_EXPIRED = -7,   /* exp in the past (beyond the skew) */
	IDTOKEN_IAT = -8,       /* issued in the future */
	IDTOKEN_EMAIL = -9,     /* no e-mail, or email_verified not true */
	IDTOKEN_HD = -10,       /* hosted domain does not match */
	IDTOKEN_KEYS = -11,     /* the JWKS cannot be fetched or parsed */
};

/* The identity an ID token vouches for; arena memory. */
struct idtoken_id {
	const char *email;
	const char *name; /* may be NULL */
	const char *sub;
	const char *hd; /* may be NULL */
	long long exp;
};

/*
 * Verifies an ID token against the JWKS named by cfg->google_jwks (URL or
 * file; cached process-wide, thread-safe) and the claim policy of cfg.
 * IDTOKEN_OK and *out filled, or a idtoken_rc.
 */
int idtoken_verify(const struct config *cfg, const char *token, long long now,
    struct idtoken_id *out, struct arena *ar);
/* A short reason for people (never library text). */
const char *idtoken_reason(int rc);
/*
 * A PEM "PUBLIC KEY" for the RSA key with base64url modulus n and exponent
 * e (a JWK); NULL on bad input.  Arena memory.
 */
char *idtoken_jwk_pem(const char *n, const char *e, struct arena *ar);
/* Forgets the cached keys (tests, key rotation by hand). */
void idtoken_forget(void);

#endif
