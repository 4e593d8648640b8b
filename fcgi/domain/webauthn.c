/*
 * webauthn.c - WebAuthn (Level 2) for biometric presence: a class that
 * requires it has every submit carry an assertion made with the phone's
 * own screen lock, so the phone's owner is there at the submit, not only
 * the phone.  This file owns the challenges, the parsers and the verifier;
 * no database (fcgi/http/webauthnreg.c and uvcheck.c store and look up).
 *
 * Libraries: libcbor parses the CBOR (attestationObject, COSE_Key) and
 * OpenSSL checks the ES256 signatures and the point, as it already does
 * for the DPoP proofs.  libfido2 was the other candidate: its
 * fido_assert_verify checks an ES256 assertion, but it is a library for
 * talking to USB and NFC authenticators, parses neither clientDataJSON
 * nor the attestationObject's outer map (libcbor would be needed anyway),
 * and answers one "invalid param" for a wrong RP and a missing flag,
 * which must be refused with different codes here.
 *
 * Nothing biometric ever reaches the server: the authenticator checks the
 * fingerprint, face or PIN on the phone and only sets the UV flag in the
 * signed authenticator data.
 */
#include <stdio.h>
#include <string.h>

#include <cbor.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include "crypto.h"
#include "webauthn.h"

/* authenticator data flags (WebAuthn 6.1) */
#define F_UP 0x01
#define F_UV 0x04
#define F_AT 0x40
#define F_ED 0x80
/* rpIdHash, flags, signCount */
#define AD_MIN 37

static const struct {
	int rc;
	const char *code, *reason;
} codes[] = {
	{ WA_MALFORMED, "uv_malformed", "the WebAuthn data could not be read" },
	{ WA_TYPE, "uv_invalid", "the WebAuthn data is of another ceremony" },
	{ WA_CHALLENGE, "uv_invalid",
	    "the screen-lock check was made for another attendance window" },
	{ WA_ORIGIN, "uv_invalid",
	    "the screen-lock check came from another "
	    "site" },
	{ WA_RP, "uv_invalid", "the passkey belongs to another site" },
	{ WA_NO_UP, "uv_not_verified", "the phone did not confirm presence" },
	{ WA_NO_UV, "uv_not_verified",
	    "unlock with your fingerprint, face or PIN to submit" },
	{ WA_KEY, "uv_bad_key", "the passkey must be ES256 on P-256" },
	{ WA_SIGNATURE, "uv_invalid", "the screen-lock signature is wrong" },
	{ WA_REPLAY, "uv_replayed", "this screen-lock check was used before" },
	{ WA_NO_CRED, "uv_malformed", "the registration carries no passkey" },
	{ WA_EXPIRED, "uv_invalid",
	    "the registration took too long; try "
	    "again" },
};

const char *
webauthn_code(int rc)
{
	size_t i;

	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (codes[i].rc == rc)
			return codes[i].code;
	return "uv_invalid";
}

const char *
webauthn_reason(int rc)
{
	size_t i;

	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (codes[i].rc == rc)
			return codes[i].reason;
	return "the screen-lock check failed";
}

int
webauthn_status(int rc)
{
	return rc == WA_MALFORMED || rc == WA_KEY || rc == WA_NO_CRED ? 400
								      : 403;
}

/* HMAC-SHA256(key, msg) into mac[32]; 0 or -1. */
static int
hmac(const char *key, const void *msg, size_t n, unsigned char mac[32])
{
	unsigned int len = 0;

	return HMAC(EVP_sha256(), key, (int)strlen(key), msg, n, mac, &len) &&
		len == 32
	    ? 0
	    : -1;
}

char *
webauthn_window_challenge(const char *key, long long session_id,
    long long window_id, long long device_id, struct arena *ar)
{
	char msg[128];
	unsigned char mac[32];
	int n = snprintf(msg, sizeof(msg), "webauthn.get:%lld:%lld:%lld",
	    session_id, window_id, device_id);

	if (hmac(key, msg, (size_t)n, mac) < 0)
		return NULL;
	return crypto_b64url(mac, sizeof(mac), ar);
}

/* The 32 challenge bytes for a registration at time t (8 + 24 of MAC). */
static int
reg_bytes(const char *key, long long device_id, long long t,
    unsigned char out[32])
{
	char msg[128];
	unsigned char mac[32];
	int i,
	    n = snprintf(msg, sizeof(msg), "webauthn.create:%lld:%lld",
		device_id, t);

	for (i = 0; i < 8; i++)
		out[i] = (unsigned char)((unsigned long long)t >> (56 - 8 * i));
	if (hmac(key, msg, (size_t)n, mac) < 0)
		return -1;
	memcpy(out + 8, mac, 24);
	return 0;
}

char *
webauthn_reg_challenge(const char *key, long long device_id, long long now,
    struct arena *ar)
{
	unsigned char b[32];

	if (reg_bytes(key, device_id, now, b) < 0)
		return NULL;
	return crypto_b64url(b, sizeof(b), ar);
}

int
webauthn_reg_challenge_ok(const char *key, long long device_id,
    const char *challenge, long long now, long long ttl, struct arena *ar)
{
	unsigned char want[32];
	unsigned char *got;
	unsigned long long t = 0;
	size_t n;
	int i;

	if (challenge == NULL ||
	    (got = crypto_b64url_decode(challenge, &n, ar)) == NULL || n != 32)
		return WA_CHALLENGE;
	for (i = 0; i < 8; i++)
		t = t << 8 | got[i];
	if (reg_bytes(key, device_id, (long long)t, want) < 0 ||
	    !crypto_equal(want, got, 32))
		return WA_CHALLENGE;
	return (long long)t > now + 5 || now - (long long)t > ttl ? WA_EXPIRED
								  : WA_OK;
}

int
webauthn_origin(const char *url, const char **origin, const char **rp_id,
    struct arena *ar)
{
	const char *h = strstr(url ? url : "", "://"), *end, *colon;

	if (h == NULL)
		return -1;
	h += 3;
	end = h + strcspn(h, "/?#");
	colon = memchr(h, ':', (size_t)(end - h));
	if ((colon ? colon : end) == h)
		return -1;
	*origin = arena_strndup(ar, url, (size_t)(end - url));
	*rp_id = arena_strndup(ar, h, (size_t)((colon ? colon : end) - h));
	return *origin && *rp_id ? 0 : -1;
}

int
webauthn_client_data(const unsigned char *cd, size_t n,
    const struct webauthn_expect *e, struct arena *ar)
{
	json_t *j;
	const char *type, *ch, *origin;
	int rc = WA_MALFORMED;

	(void)ar;
	if (cd == NULL || n == 0 || n > WEBAUTHN_MAX_INPUT ||
	    (j = json_loadb((const char *)cd, n, JSON_REJECT_DUPLICATES,
		 NULL)) == NULL)
		return WA_MALFORMED;
	type = json_string_value(json_object_get(j, "type"));
	ch = json_string_value(json_object_get(j, "challenge"));
	origin = json_string_value(json_object_get(j, "origin"));
	if (!json_is_object(j) || type == NULL || ch == NULL || origin == NULL)
		goto out;
	if (strcmp(type, e->type) != 0)
		rc = WA_TYPE;
	else if (strlen(ch) != strlen(e->challenge) ||
	    !crypto_equal(ch, e->challenge, strlen(ch)))
		rc = WA_CHALLENGE;
	else if (strcmp(origin, e->origin) != 0 ||
	    json_is_true(json_object_get(j, "crossOrigin")))
		rc = WA_ORIGIN;
	else
		rc = WA_OK;
out:
	json_decref(j);
	return rc;
}

/*
 * Checks that p holds one well-formed CBOR item whose every declared
 * length fits in the bytes there, before libcbor sees it: libcbor 0.8
 * allocates a container for the size its header declares, so nine bytes
 * claiming a map of 2^33 pairs would ask for hundreds of gigabytes (found
 * by tests/fuzz/fuzz_webauthn).  Indefinite lengths (never in WebAuthn's
 * CTAP2 canonical CBOR) and nesting deeper than 8 are refused.  0 and the
 * item's length in *used, or -1.
 */
static int
cbor_sane(const unsigned char *p, size_t n, size_t *used, int depth)
{
	unsigned major, info;
	size_t i = 1, k, len, u, per;
	uint64_t v = 0;

	if (n < 1 || depth > 8)
		return -1;
	major = p[0] >> 5;
	info = p[0] & 31;
	if (info < 24) {
		v = info;
	} else if (info <= 27) {
		len = (size_t)1 << (info - 24);
		if (n < 1 + len)
			return -1;
		for (k = 0; k < len; k++)
			v = v << 8 | p[1 + k];
		i += len;
	} else {
		return -1;
	}
	if (major == 2 || major == 3) {
		if (v > n - i)
			return -1;
		i += (size_t)v;
	} else if (major == 4 || major == 5 || major == 6) {
		per = major == 5 ? 2 : 1;
		if (major == 6)
			v = 1; /* a tag wraps one item */
		/* every item takes at least one byte */
		if (v > (n - i) / per)
			return -1;
		for (k = 0; k < (size_t)v * per; k++) {
			if (cbor_sane(p + i, n - i, &u, depth + 1) < 0)
				return -1;
			i += u;
		}
	}
	*used = i;
	return 0;
}

/* A COSE integer key or value as a signed number; 0 or -1. */
static int
cose_int(cbor_item_t *it, long long *v)
{
	if (cbor_isa_uint(it))
		*v = (long long)cbor_get_int(it);
	else if (cbor_isa_negint(it))
		*v = -1 - (long long)cbor_get_int(it);
	else
		return -1;
	return 0;
}

/* A 32-byte definite byte string into out; 0 or -1. */
static int
coordinate(cbor_item_t *it, unsigned char *out)
{
	if (!cbor_isa_bytestring(it) || !cbor_bytestring_is_definite(it) ||
	    cbor_bytestring_length(it) != 32)
		return -1;
	memcpy(out, cbor_bytestring_handle(it), 32);
	return 0;
}

/* The members of a COSE_Key map: kty 2, alg -7, crv 1, x, y. */
static int
cose_members(cbor_item_t *map, unsigned char point[65])
{
	struct cbor_pair *pp = cbor_map_handle(map);
	size_t i, n = cbor_map_size(map);
	long long k, v, kty = 0, alg = 0, crv = 0;
	int have = 0;

	for (i = 0; i < n; i++) {
		if (cose_int(pp[i].key, &k) < 0)
			return WA_KEY;
		if (k == -2 || k == -3) {
			if (coordinate(pp[i].value, point + (k == -2 ? 1 : 33)))
				return WA_KEY;
			have |= k == -2 ? 1 : 2;
			continue;
		}
		if ((k == 1 || k == 3 || k == -1) &&
		    cose_int(pp[i].value, &v) < 0)
			return WA_KEY;
		if (k == 1)
			kty = v;
		else if (k == 3)
			alg = v;
		else if (k == -1)
			crv = v;
	}
	point[0] = 0x04;
	return kty == 2 && alg == -7 && crv == 1 && have == 3 ? WA_OK : WA_KEY;
}

int
webauthn_cose_es256(const unsigned char *cose, size_t n,
    unsigned char point[65])
{
	struct cbor_load_result res;
	cbor_item_t *it;
	EVP_PKEY *key;
	int rc;

	size_t used;

	if (cose == NULL || n == 0 || n > WEBAUTHN_MAX_INPUT ||
	    cbor_sane(cose, n, &used, 0) < 0 || used != n)
		return WA_MALFORMED;
	it = cbor_load(cose, n, &res);
	if (it == NULL || res.error.code != CBOR_ERR_NONE || res.read != n) {
		rc = WA_MALFORMED;
		goto out;
	}
	if (!cbor_isa_map(it) || !cbor_map_is_definite(it)) {
		rc = WA_KEY;
		goto out;
	}
	if ((rc = cose_members(it, point)) == WA_OK) {
		if ((key = crypto_p256_key(point)) == NULL)
			rc = WA_KEY;
		EVP_PKEY_free(key);
	}
out:
	if (it)
		cbor_decref(&it);
	return rc;
}

/* rpIdHash, UP and UV of authenticator data (at least AD_MIN bytes). */
static int
check_auth_data(const unsigned char *ad, size_t n, const char *rp_id)
{
	unsigned char h[32];

	if (ad == NULL || n < AD_MIN || n > WEBAUTHN_MAX_INPUT)
		return WA_MALFORMED;
	SHA256((const unsigned char *)rp_id, strlen(rp_id), h);
	if (!crypto_equal(h, ad, 32))
		return WA_RP;
	if (!(ad[32] & F_UP))
		return WA_NO_UP;
	if (!(ad[32] & F_UV))
		return WA_NO_UV;
	return WA_OK;
}

static uint32_t
be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/* The attested credential data of ad (flags AT): id and COSE_Key. */
static int
attested(const unsigned char *ad, size_t n, struct webauthn_cred *out)
{
	const unsigned char *p = ad + AD_MIN + 16; /* past the AAGUID */
	size_t left, idn, used;
	unsigned char point[65];
	int rc;

	if (!(ad[32] & F_AT))
		return WA_NO_CRED;
	if (n < AD_MIN + 18)
		return WA_MALFORMED;
	idn = (size_t)p[0] << 8 | p[1];
	p += 2;
	left = n - (size_t)(p - ad);
	if (idn == 0 || idn > WEBAUTHN_MAX_CRED_ID || idn >= left)
		return WA_MALFORMED;
	memcpy(out->id, p, idn);
	out->id_len = idn;
	p += idn;
	left -= idn;
	/* the COSE_Key, then extensions only when ED says so */
	if (cbor_sane(p, left, &used, 0) < 0 ||
	    (used != left && !(ad[32] & F_ED)))
		return WA_MALFORMED;
	if (used > sizeof(out->cose))
		return WA_KEY;
	if ((rc = webauthn_cose_es256(p, used, point)) != WA_OK)
		return rc;
	memcpy(out->cose, p, used);
	out->cose_len = used;
	return WA_OK;
}

/* The attestationObject's map: its authData byte string, or NULL. */
static cbor_item_t *
auth_data_of(cbor_item_t *map)
{
	struct cbor_pair *pp = cbor_map_handle(map);
	size_t i, n = cbor_map_size(map);
	cbor_item_t *ad = NULL;
	int fmt = 0;

	for (i = 0; i < n; i++) {
		if (!cbor_isa_string(pp[i].key) ||
		    !cbor_string_is_definite(pp[i].key))
			return NULL;
		if (cbor_string_length(pp[i].key) == 3 &&
		    memcmp(cbor_string_handle(pp[i].key), "fmt", 3) == 0)
			fmt = cbor_isa_string(pp[i].value);
		else if (cbor_string_length(pp[i].key) == 8 &&
		    memcmp(cbor_string_handle(pp[i].key), "authData", 8) == 0 &&
		    cbor_isa_bytestring(pp[i].value) &&
		    cbor_bytestring_is_definite(pp[i].value))
			ad = pp[i].value;
	}
	return fmt ? ad : NULL;
}

int
webauthn_attestation(const unsigned char *att, size_t n, const char *rp_id,
    struct webauthn_cred *out)
{
	struct cbor_load_result res;
	cbor_item_t *it = NULL, *adi;
	const unsigned char *ad;
	size_t adn, used;
	int rc = WA_MALFORMED;

	memset(out, 0, sizeof(*out));
	if (att == NULL || n == 0 || n > WEBAUTHN_MAX_INPUT ||
	    cbor_sane(att, n, &used, 0) < 0 || used != n)
		return WA_MALFORMED;
	it = cbor_load(att, n, &res);
	if (it == NULL || res.error.code != CBOR_ERR_NONE || res.read != n ||
	    !cbor_isa_map(it) || !cbor_map_is_definite(it) ||
	    (adi = auth_data_of(it)) == NULL)
		goto out;
	ad = cbor_bytestring_handle(adi);
	adn = cbor_bytestring_length(adi);
	if ((rc = check_auth_data(ad, adn, rp_id)) != WA_OK ||
	    (rc = attested(ad, adn, out)) != WA_OK)
		goto out;
	out->flags = ad[32];
	out->sign_count = be32(ad + 33);
out:
	if (it)
		cbor_decref(&it);
	return rc;
}

/* ES256 over authData || SHA-256(clientData); a DER signature. */
static int
signature_ok(const struct webauthn_assertion *a, const unsigned char pt[65])
{
	EVP_PKEY *key = crypto_p256_key(pt);
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char h[32];
	int ok = 0;

	SHA256(a->client_data, a->client_len, h);
	if (key != NULL && md != NULL && a->sig_len > 0 && a->sig_len <= 80 &&
	    EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, key) == 1 &&
	    EVP_DigestVerifyUpdate(md, a->auth_data, a->auth_len) == 1 &&
	    EVP_DigestVerifyUpdate(md, h, sizeof(h)) == 1 &&
	    EVP_DigestVerifyFinal(md, a->sig, a->sig_len) == 1)
		ok = 1;
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(key);
	return ok;
}

int
webauthn_verify(const struct webauthn_assertion *a, const unsigned char *cose,
    size_t cose_len, uint32_t stored_count, const struct webauthn_expect *e,
    uint32_t *new_count, struct arena *ar)
{
	unsigned char pt[65];
	uint32_t count;
	int rc;

	if ((rc = webauthn_client_data(a->client_data, a->client_len, e, ar)) !=
		WA_OK ||
	    (rc = check_auth_data(a->auth_data, a->auth_len, e->rp_id)) !=
		WA_OK ||
	    (rc = webauthn_cose_es256(cose, cose_len, pt)) != WA_OK)
		return rc;
	if (!signature_ok(a, pt))
		return WA_SIGNATURE;
	count = be32(a->auth_data + 33);
	/* 0 after 0: an authenticator that keeps no counter (the window's
	 * challenge still binds the assertion to one window and phone) */
	if (count <= stored_count && !(count == 0 && stored_count == 0))
		return WA_REPLAY;
	*new_count = count;
	return WA_OK;
}
