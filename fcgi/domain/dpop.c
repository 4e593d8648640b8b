/*
 * dpop.c - DPoP proofs (RFC 9449) verified with OpenSSL.
 *
 * A proof is a compact JWS: header {typ: dpop+jwt, alg: ES256, jwk: the
 * client's public key}, claims {jti, htm, htu, iat, ath?, nonce?}, and a
 * raw 64-byte r||s signature.  Only ES256 over an EC P-256 key is
 * accepted: the algorithm is pinned here, never taken from the header
 * (libjwt 1.10 would take it from there: docs/tech-notes.md, "libjwt
 * trusts the token's alg"), so libjwt is not used at all.
 *
 * The key's identity is its RFC 7638 thumbprint: base64url(SHA-256 of
 * {"crv":"P-256","kty":"EC","x":...,"y":...}).  x and y must be the
 * canonical base64url of 32 bytes each, so one key has one thumbprint.
 *
 * htu is compared as host (without port, case-insensitive) and path: the
 * scheme and port the browser saw are not reliably known behind nginx
 * (Debian's fastcgi_params pass $host, without the port).  A replayed
 * jti needs the database; callers store dpop_jti_key() and answer
 * DPOP_REPLAY themselves.  The server nonce is stateless: the period's
 * number and an HMAC of it; the current and the previous period pass.
 */
#include <ctype.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "dpop.h"

#define DPOP_MAX_LEN 4096

static const struct {
	int rc;
	const char *code, *reason;
} reasons[] = {
	{ DPOP_MISSING, "dpop_required",
	    "this token is bound to a device key: send a DPoP proof" },
	{ DPOP_MALFORMED, "dpop_malformed", "the DPoP proof is not a JWT" },
	{ DPOP_HEADER, "dpop_bad_header",
	    "the DPoP proof must be typ dpop+jwt, alg ES256" },
	{ DPOP_JWK, "dpop_bad_jwk",
	    "the DPoP proof's jwk is not a valid P-256 public key" },
	{ DPOP_JWK_CURVE, "dpop_wrong_curve",
	    "the DPoP key must be an EC P-256 key" },
	{ DPOP_JWK_PRIVATE, "dpop_private_key",
	    "the DPoP jwk carries a private key: never send it" },
	{ DPOP_SIGNATURE, "dpop_bad_signature",
	    "the DPoP proof's signature does not verify" },
	{ DPOP_CLAIMS, "dpop_bad_claims",
	    "the DPoP proof needs jti, htm, htu and iat" },
	{ DPOP_HTM, "dpop_wrong_method",
	    "the DPoP proof is for another method" },
	{ DPOP_HTU, "dpop_wrong_url", "the DPoP proof is for another URL" },
	{ DPOP_IAT, "dpop_stale", "the DPoP proof is too old or too new" },
	{ DPOP_ATH, "dpop_wrong_token",
	    "the DPoP proof is for another access token" },
	{ DPOP_KEY, "dpop_wrong_key",
	    "the DPoP proof is signed by another key than the token's" },
	{ DPOP_NONCE, "use_dpop_nonce",
	    "send the server's DPoP-Nonce in the proof" },
	{ DPOP_REPLAY, "dpop_replayed", "this DPoP proof was already used" },
};

const char *
dpop_code(int rc)
{
	size_t i;

	for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (reasons[i].rc == rc)
			return reasons[i].code;
	return "dpop_invalid";
}

const char *
dpop_reason(int rc)
{
	size_t i;

	for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (reasons[i].rc == rc)
			return reasons[i].reason;
	return "the DPoP proof is not valid";
}

/* A base64url segment [s, s+n) as a JSON object, or NULL. */
static json_t *
segment_json(const char *s, size_t n, struct arena *ar)
{
	char *seg = arena_strndup(ar, s, n);
	unsigned char *raw;
	size_t len;
	json_t *j;

	if (seg == NULL || (raw = crypto_b64url_decode(seg, &len, ar)) == NULL)
		return NULL;
	j = json_loadb((const char *)raw, len, JSON_REJECT_DUPLICATES, NULL);
	if (j && !json_is_object(j)) {
		json_decref(j);
		j = NULL;
	}
	return j;
}

/* A coordinate: canonical base64url of exactly 32 bytes, into out. */
static int
coordinate(json_t *jwk, const char *name, unsigned char out[32],
    struct arena *ar)
{
	const char *s = json_string_value(json_object_get(jwk, name));
	unsigned char *raw;
	size_t n;
	const char *again;

	if (s == NULL || strlen(s) != 43 ||
	    (raw = crypto_b64url_decode(s, &n, ar)) == NULL || n != 32 ||
	    (again = crypto_b64url(raw, 32, ar)) == NULL ||
	    strcmp(again, s) != 0)
		return -1;
	memcpy(out, raw, 32);
	return 0;
}

/* The jwk's shape: EC, P-256, public only; x and y into xy (0x04||x||y). */
static int
jwk_shape(json_t *jwk, unsigned char xy[65], struct arena *ar)
{
	const char *kty, *crv;

	if (!json_is_object(jwk))
		return DPOP_JWK;
	if (json_object_get(jwk, "d") != NULL)
		return DPOP_JWK_PRIVATE;
	kty = json_string_value(json_object_get(jwk, "kty"));
	crv = json_string_value(json_object_get(jwk, "crv"));
	if (kty == NULL || strcmp(kty, "EC") != 0 || crv == NULL ||
	    strcmp(crv, "P-256") != 0)
		return DPOP_JWK_CURVE;
	xy[0] = 0x04;
	if (coordinate(jwk, "x", xy + 1, ar) < 0 ||
	    coordinate(jwk, "y", xy + 33, ar) < 0)
		return DPOP_JWK;
	return DPOP_OK;
}

/* RFC 7638's form: the required members, sorted, no whitespace. */
static const char *
canonical(json_t *jwk, struct arena *ar)
{
	return arena_printf(ar,
	    "{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"%s\",\"y\":\"%s\"}",
	    json_string_value(json_object_get(jwk, "x")),
	    json_string_value(json_object_get(jwk, "y")));
}

const char *
dpop_thumbprint(json_t *jwk, struct arena *ar)
{
	unsigned char xy[65], md[SHA256_DIGEST_LENGTH];
	const char *canon;

	if (jwk_shape(jwk, xy, ar) != DPOP_OK ||
	    (canon = canonical(jwk, ar)) == NULL)
		return NULL;
	SHA256((const unsigned char *)canon, strlen(canon), md);
	return crypto_b64url(md, sizeof(md), ar);
}

/* ES256: the raw r||s signature over input, re-encoded as DER. */
static int
signature_ok(EVP_PKEY *key, const char *input, size_t n,
    const unsigned char sig[64])
{
	ECDSA_SIG *es = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(sig, 32, NULL),
	       *s = BN_bin2bn(sig + 32, 32, NULL);
	unsigned char *der = NULL;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	int len, ok = 0;

	if (es == NULL || r == NULL || s == NULL || md == NULL ||
	    !ECDSA_SIG_set0(es, r, s)) {
		BN_free(r);
		BN_free(s);
		goto out;
	}
	if ((len = i2d_ECDSA_SIG(es, &der)) > 0 &&
	    EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, key) == 1 &&
	    EVP_DigestVerify(md, der, (size_t)len, (const unsigned char *)input,
		n) == 1)
		ok = 1;
out:
	OPENSSL_free(der);
	EVP_MD_CTX_free(md);
	ECDSA_SIG_free(es);
	return ok;
}

/* The header: typ, alg and the key; the key's thumbprint into out. */
static int
check_header(json_t *h, struct dpop_proof *out, EVP_PKEY **key,
    struct arena *ar)
{
	const char *typ = json_string_value(json_object_get(h, "typ"));
	const char *alg = json_string_value(json_object_get(h, "alg"));
	json_t *jwk = json_object_get(h, "jwk");
	unsigned char xy[65];
	int rc;

	if (typ == NULL || strcmp(typ, "dpop+jwt") != 0 || alg == NULL ||
	    strcmp(alg, "ES256") != 0)
		return DPOP_HEADER;
	if ((rc = jwk_shape(jwk, xy, ar)) != DPOP_OK)
		return rc;
	if ((*key = crypto_p256_key(xy)) == NULL)
		return DPOP_JWK;
	/* the canonical form: what the key is, whatever else the jwk says */
	out->jkt = dpop_thumbprint(jwk, ar);
	out->jwk = canonical(jwk, ar);
	return out->jkt && out->jwk ? DPOP_OK : DPOP_JWK;
}

/* htu: scheme http(s), the expected host (any port), the exact path. */
static int
htu_ok(const char *htu, const struct dpop_expect *e)
{
	const char *p = htu, *host, *end, *path;
	size_t hn, pn;

	if (strncmp(p, "https://", 8) == 0)
		p += 8;
	else if (strncmp(p, "http://", 7) == 0)
		p += 7;
	else
		return 0;
	host = p;
	path = p + strcspn(p, "/?#");
	end = memchr(host, ':', (size_t)(path - host));
	hn = (size_t)((end ? end : path) - host);
	pn = strcspn(path, "?#");
	return e->host && strlen(e->host) == hn &&
	    strncasecmp(host, e->host, hn) == 0 && e->path &&
	    strlen(e->path) == pn && strncmp(path, e->path, pn) == 0;
}

/* The period's nonce: "<period>.<HMAC of it>". */
static const char *
nonce_for(const char *key, long long period, struct arena *ar)
{
	const char *mac = crypto_hmac_hex(key,
	    arena_printf(ar, "dpop-nonce:%lld", period), 32, ar);

	return mac ? arena_printf(ar, "%lld.%s", period, mac) : NULL;
}

const char *
dpop_nonce(const char *key, long long now, struct arena *ar)
{
	return nonce_for(key, now / DPOP_NONCE_PERIOD, ar);
}

static int
nonce_ok(const char *nonce, const struct dpop_expect *e, struct arena *ar)
{
	long long period = e->now / DPOP_NONCE_PERIOD;
	const char *a = nonce_for(e->nonce_key, period, ar);
	const char *b = nonce_for(e->nonce_key, period - 1, ar);

	return nonce && a && b &&
	    ((strlen(nonce) == strlen(a) &&
		 crypto_equal(nonce, a, strlen(a))) ||
		(strlen(nonce) == strlen(b) &&
		    crypto_equal(nonce, b, strlen(b))));
}

/* The claims against the request. */
static int
check_claims(json_t *c, const struct dpop_expect *e, struct dpop_proof *out,
    struct arena *ar)
{
	const char *jti = json_string_value(json_object_get(c, "jti"));
	const char *htm = json_string_value(json_object_get(c, "htm"));
	const char *htu = json_string_value(json_object_get(c, "htu"));
	const char *ath = json_string_value(json_object_get(c, "ath"));
	json_t *iat = json_object_get(c, "iat");
	unsigned char md[SHA256_DIGEST_LENGTH];
	const char *want;

	if (jti == NULL || *jti == '\0' || strlen(jti) > 128 || !htm || !htu ||
	    !json_is_integer(iat))
		return DPOP_CLAIMS;
	out->jti = arena_strdup(ar, jti);
	out->iat = json_integer_value(iat);
	if (strcmp(htm, e->htm) != 0)
		return DPOP_HTM;
	if (!htu_ok(htu, e))
		return DPOP_HTU;
	if (out->iat < e->now - DPOP_MAX_AGE ||
	    out->iat > e->now + DPOP_MAX_SKEW)
		return DPOP_IAT;
	if (e->token) {
		SHA256((const unsigned char *)e->token, strlen(e->token), md);
		want = crypto_b64url(md, sizeof(md), ar);
		if (ath == NULL || want == NULL || strcmp(ath, want) != 0)
			return DPOP_ATH;
	}
	if (e->nonce_key &&
	    !nonce_ok(json_string_value(json_object_get(c, "nonce")), e, ar))
		return DPOP_NONCE;
	return DPOP_OK;
}

int
dpop_verify(const char *proof, const struct dpop_expect *e,
    struct dpop_proof *out, struct arena *ar)
{
	const char *d1, *d2, *sigs;
	json_t *h = NULL, *c = NULL;
	EVP_PKEY *key = NULL;
	unsigned char *sig;
	size_t n;
	int rc = DPOP_MALFORMED;

	memset(out, 0, sizeof(*out));
	if (proof == NULL || *proof == '\0')
		return DPOP_MISSING;
	if (strlen(proof) > DPOP_MAX_LEN || (d1 = strchr(proof, '.')) == NULL ||
	    (d2 = strchr(d1 + 1, '.')) == NULL || strchr(d2 + 1, '.'))
		return DPOP_MALFORMED;
	sigs = d2 + 1;
	if ((h = segment_json(proof, (size_t)(d1 - proof), ar)) == NULL ||
	    (c = segment_json(d1 + 1, (size_t)(d2 - d1 - 1), ar)) == NULL ||
	    (sig = crypto_b64url_decode(sigs, &n, ar)) == NULL)
		goto out;
	if ((rc = check_header(h, out, &key, ar)) != DPOP_OK)
		goto out;
	rc = DPOP_SIGNATURE;
	if (n != 64 || !signature_ok(key, proof, (size_t)(d2 - proof), sig))
		goto out;
	if ((rc = check_claims(c, e, out, ar)) != DPOP_OK)
		goto out;
	/* Last: which key signed is only known once it verifies. */
	if (e->jkt && strcmp(e->jkt, out->jkt) != 0)
		rc = DPOP_KEY;
out:
	EVP_PKEY_free(key);
	json_decref(h);
	json_decref(c);
	return rc;
}

const char *
dpop_jti_key(const struct dpop_proof *p, struct arena *ar)
{
	const char *s = arena_printf(ar, "%s:%s", p->jkt, p->jti);

	return s ? crypto_sha256_hex(s, strlen(s), ar) : NULL;
}
