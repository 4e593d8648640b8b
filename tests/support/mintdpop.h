/*
 * mintdpop.h - test-only DPoP proofs (RFC 9449): device keys (P-256, or
 * another curve to be refused) and proofs signed with them, good or
 * broken on purpose.  Linked into tests, never the server.
 */
#ifndef EHZ_MINTDPOP_H
#define EHZ_MINTDPOP_H

struct mint_dpop_key;

/* A fresh EC key on "P-256" (or "P-384" ...); NULL on failure. */
struct mint_dpop_key *mint_dpop_key_new(const char *curve);
void mint_dpop_key_free(struct mint_dpop_key *k);
/* The key's RFC 7638 thumbprint (P-256 keys only; static per key). */
const char *mint_dpop_key_jkt(const struct mint_dpop_key *k);

struct mint_dpop {
	const struct mint_dpop_key *key;
	const char *htm;   /* "GET" ... */
	const char *htu;   /* the URL */
	const char *token; /* access token for ath, or NULL */
	const char *nonce; /* or NULL */
	const char *jti;   /* NULL: random */
	long iat_in;       /* iat = now + iat_in */
	const char *typ;   /* default "dpop+jwt" */
	const char *alg;   /* default "ES256" */
	const char *ath;   /* a literal ath instead of the token's hash */
	int with_private;  /* put "d" in the jwk */
	int no_jwk;
	int bad_signature; /* flip a bit of the signature */
	int no_iat;
};

/* Defaults: key, htm, htu; a random jti, iat now. */
void mint_dpop_init(struct mint_dpop *o, const struct mint_dpop_key *key,
    const char *htm, const char *htu);
/* A compact JWS (malloc'd) or NULL. */
char *mint_dpop(const struct mint_dpop *o);

#endif
