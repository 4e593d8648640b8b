/*
 * dpop.h - DPoP proofs (RFC 9449): verifying a proof's ES256 signature,
 * its public JWK (EC P-256, no private part), its claims (htm, htu, iat,
 * jti, ath, nonce), the key's RFC 7638 thumbprint, and the server nonce.
 */
#ifndef EHZ_DPOP_H
#define EHZ_DPOP_H

#include <jansson.h>

#include "arena.h"

/* Accepted proof age: iat at most this old, s ... */
#define DPOP_MAX_AGE 120
/* ... and at most this far in the future (phone clocks drift), s. */
#define DPOP_MAX_SKEW 30
/* How long a jti must be remembered to refuse every replay, s. */
#define DPOP_JTI_TTL (DPOP_MAX_AGE + DPOP_MAX_SKEW)
/* A server nonce lives one to two periods, s. */
#define DPOP_NONCE_PERIOD 300

enum dpop_rc {
	DPOP_OK = 0,
	DPOP_MISSING = -1,     /* no proof where one is required */
	DPOP_MALFORMED = -2,   /* not a compact JWS, bad base64url/JSON */
	DPOP_HEADER = -3,      /* typ is not dpop+jwt or alg is not ES256 */
	DPOP_JWK = -4,         /* jwk absent or not a valid EC point */
	DPOP_JWK_CURVE = -5,   /* kty/crv other than EC/P-256 */
	DPOP_JWK_PRIVATE = -6, /* the jwk carries a private key ("d") */
	DPOP_SIGNATURE = -7,
	DPOP_CLAIMS = -8, /* jti/htm/htu/iat missing or ill-typed */
	DPOP_HTM = -9,
	DPOP_HTU = -10,
	DPOP_IAT = -11,    /* too old or from the future */
	DPOP_ATH = -12,    /* not the hash of this access token */
	DPOP_KEY = -13,    /* signed by another key than the token's */
	DPOP_NONCE = -14,  /* a server nonce is demanded (use_dpop_nonce) */
	DPOP_REPLAY = -15, /* the jti was seen before (checked by callers) */
};

/* What the request is, to check the proof against. */
struct dpop_expect {
	const char *htm;       /* the request method */
	const char *host;      /* the request's host, no port */
	const char *path;      /* the request's path, no query */
	const char *token;     /* access token (ath is checked) or NULL */
	const char *jkt;       /* the token's cnf.jkt, or NULL: any key */
	const char *nonce_key; /* NULL: no nonce; else the nonce's HMAC key */
	long long now;
};

/* A verified proof. */
struct dpop_proof {
	const char *jkt; /* the key's thumbprint (base64url) */
	const char *jwk; /* the public JWK: RFC 7638's members only */
	const char *jti;
	long long iat;
};

/* Verifies proof against e; DPOP_OK and *out, or an enum dpop_rc. */
int dpop_verify(const char *proof, const struct dpop_expect *e,
    struct dpop_proof *out, struct arena *ar);
/* The error code sent to clients ("dpop_replayed", "use_dpop_nonce"...). */
const char *dpop_code(int rc);
/* A sentence for the client and the log. */
const char *dpop_reason(int rc);
/* RFC 7638 thumbprint of an EC P-256 public JWK; NULL if not one. */
const char *dpop_thumbprint(json_t *jwk, struct arena *ar);
/* The current server nonce under key (changes every DPOP_NONCE_PERIOD). */
const char *dpop_nonce(const char *key, long long now, struct arena *ar);
/* The key under which proof/jkt's jti is remembered: SHA-256 hex. */
const char *dpop_jti_key(const struct dpop_proof *p, struct arena *ar);

#endif
