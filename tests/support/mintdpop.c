/*
 * mintdpop.c - test-only DPoP proofs with OpenSSL: the header carries the
 * public JWK, the signature is raw r||s (JWS ES256), see mintdpop.h.
 */
#include <jansson.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mint.h"
#include "mintdpop.h"

struct mint_dpop_key {
	EVP_PKEY *pk;
	char *x, *y, *d, *crv;
	char jkt[64];
	size_t clen; /* coordinate length */
};

struct mint_dpop_key *
mint_dpop_key_new(const char *curve)
{
	struct mint_dpop_key *k = calloc(1, sizeof(*k));
	const char *group = strcmp(curve, "P-256") == 0 ? "P-256" : curve;
	unsigned char pub[160], priv[80], md[32];
	size_t n = 0;
	BIGNUM *d = NULL;
	char canon[256];

	if (k == NULL || (k->pk = EVP_EC_gen(group)) == NULL ||
	    !EVP_PKEY_get_octet_string_param(k->pk, OSSL_PKEY_PARAM_PUB_KEY,
		pub, sizeof(pub), &n) ||
	    n < 65 || pub[0] != 0x04 ||
	    !EVP_PKEY_get_bn_param(k->pk, OSSL_PKEY_PARAM_PRIV_KEY, &d)) {
		mint_dpop_key_free(k);
		return NULL;
	}
	k->clen = (n - 1) / 2;
	BN_bn2binpad(d, priv, (int)k->clen);
	BN_free(d);
	k->x = mint_b64url(pub + 1, k->clen);
	k->y = mint_b64url(pub + 1 + k->clen, k->clen);
	k->d = mint_b64url(priv, k->clen);
	k->crv = strdup(curve);
	snprintf(canon, sizeof(canon),
	    "{\"crv\":\"%s\",\"kty\":\"EC\",\"x\":\"%s\",\"y\":\"%s\"}", curve,
	    k->x, k->y);
	SHA256((const unsigned char *)canon, strlen(canon), md);
	{
		char *t = mint_b64url(md, 32);

		snprintf(k->jkt, sizeof(k->jkt), "%s", t ? t : "");
		free(t);
	}
	return k;
}

void
mint_dpop_key_free(struct mint_dpop_key *k)
{
	if (k == NULL)
		return;
	EVP_PKEY_free(k->pk);
	free(k->x);
	free(k->y);
	free(k->d);
	free(k->crv);
	free(k);
}

const char *
mint_dpop_key_jkt(const struct mint_dpop_key *k)
{
	return k->jkt;
}

void
mint_dpop_init(struct mint_dpop *o, const struct mint_dpop_key *key,
    const char *htm, const char *htu)
{
	memset(o, 0, sizeof(*o));
	o->key = key;
	o->htm = htm;
	o->htu = htu;
}

/* ECDSA over msg with SHA-256 (SHA-384 for bigger curves), raw r||s. */
static char *
sign_raw(const struct mint_dpop_key *k, const char *msg, int flip)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char der[160], raw[132];
	const unsigned char *p = der;
	size_t n = sizeof(der);
	ECDSA_SIG *sig = NULL;
	char *out = NULL;

	if (md == NULL ||
	    EVP_DigestSignInit(md, NULL,
		k->clen == 32 ? EVP_sha256() : EVP_sha384(), NULL,
		k->pk) != 1 ||
	    EVP_DigestSign(md, der, &n, (const unsigned char *)msg,
		strlen(msg)) != 1 ||
	    (sig = d2i_ECDSA_SIG(NULL, &p, (long)n)) == NULL)
		goto out;
	BN_bn2binpad(ECDSA_SIG_get0_r(sig), raw, (int)k->clen);
	BN_bn2binpad(ECDSA_SIG_get0_s(sig), raw + k->clen, (int)k->clen);
	if (flip)
		raw[5] ^= 0x01;
	out = mint_b64url(raw, 2 * k->clen);
out:
	ECDSA_SIG_free(sig);
	EVP_MD_CTX_free(md);
	return out;
}

static char *
json_b64(json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT), *b;

	if (s == NULL)
		return NULL;
	b = mint_b64url((unsigned char *)s, strlen(s));
	free(s);
	return b;
}

char *
mint_dpop(const struct mint_dpop *o)
{
	const struct mint_dpop_key *k = o->key;
	json_t *h = json_pack("{s:s,s:s}", "typ", o->typ ? o->typ : "dpop+jwt",
		   "alg", o->alg ? o->alg : "ES256"),
	       *c = json_pack("{s:s,s:s}", "htm", o->htm, "htu", o->htu);
	unsigned char rnd[16], md[32];
	char *hs = NULL, *cs = NULL, *sig = NULL, *input = NULL, *out = NULL,
	     *jti = NULL, *ath = NULL;

	if (!o->no_jwk) {
		json_t *jwk = json_pack("{s:s,s:s,s:s,s:s}", "kty", "EC", "crv",
		    k->crv, "x", k->x, "y", k->y);

		if (o->with_private)
			json_object_set_new(jwk, "d", json_string(k->d));
		json_object_set_new(h, "jwk", jwk);
	}
	RAND_bytes(rnd, sizeof(rnd));
	jti = mint_b64url(rnd, sizeof(rnd));
	json_object_set_new(c, "jti", json_string(o->jti ? o->jti : jti));
	if (!o->no_iat)
		json_object_set_new(c, "iat",
		    json_integer((json_int_t)time(NULL) + o->iat_in));
	if (o->token) {
		SHA256((const unsigned char *)o->token, strlen(o->token), md);
		ath = mint_b64url(md, 32);
	}
	if (o->ath || ath)
		json_object_set_new(c, "ath",
		    json_string(o->ath ? o->ath : ath));
	if (o->nonce)
		json_object_set_new(c, "nonce", json_string(o->nonce));
	if ((hs = json_b64(h)) == NULL || (cs = json_b64(c)) == NULL ||
	    (input = malloc(strlen(hs) + strlen(cs) + 2)) == NULL)
		goto out;
	sprintf(input, "%s.%s", hs, cs);
	if ((sig = sign_raw(k, input, o->bad_signature)) == NULL ||
	    (out = malloc(strlen(input) + strlen(sig) + 2)) == NULL)
		goto out;
	sprintf(out, "%s.%s", input, sig);
out:
	json_decref(h);
	json_decref(c);
	free(hs);
	free(cs);
	free(sig);
	free(input);
	free(jti);
	free(ath);
	return out;
}
