/*
 * webpush.c - Web Push message encryption (RFC 8291), VAPID (RFC 8292),
 * the subscription checks and the payload of a push; see webpush.h.
 *
 * The key schedule, with the names RFC 8291 uses:
 *   ecdh_secret = ECDH(as_private, ua_public)
 *   IKM   = HKDF(salt = auth, ecdh_secret, "WebPush: info\0" ua_pub as_pub)
 *   CEK   = HKDF(salt, IKM, "Content-Encoding: aes128gcm\0", 16)
 *   NONCE = HKDF(salt, IKM, "Content-Encoding: nonce\0", 12)
 * and the body is salt | rs | idlen | as_public | AES-GCM(plain | 0x02).
 * Every HKDF output here is at most one SHA-256 block, so expand is a
 * single HMAC over info | 0x01.
 */
#include <ctype.h>
#include <jansson.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/hmac.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "webpush.h"

/* ---- base64url ---- */

static size_t
b64url(const unsigned char *in, size_t n, char *out)
{
	int len = EVP_EncodeBlock((unsigned char *)out, in, (int)n);

	while (len > 0 && out[len - 1] == '=')
		len--;
	out[len] = '\0';
	for (int i = 0; i < len; i++)
		out[i] = out[i] == '+' ? '-' : out[i] == '/' ? '_' : out[i];
	return (size_t)len;
}

long
webpush_b64url_decode(const char *s, unsigned char *out, size_t cap)
{
	size_t n = strlen(s), i, pad;
	char buf[256];
	unsigned char tmp[192];
	int len;

	if (n == 0 || n % 4 == 1 || n + 3 >= sizeof(buf))
		return -1;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (!(isalnum((unsigned char)c) || c == '-' || c == '_'))
			return -1;
		buf[i] = c == '-' ? '+' : c == '_' ? '/' : c;
	}
	pad = (4 - n % 4) % 4;
	memset(buf + n, '=', pad);
	buf[n + pad] = '\0';
	len = EVP_DecodeBlock(tmp, (unsigned char *)buf, (int)(n + pad));
	if (len < 0)
		return -1;
	len -= (int)pad;
	if ((size_t)len > cap)
		return -1;
	memcpy(out, tmp, (size_t)len);
	return len;
}

/* ---- keys ---- */

EVP_PKEY *
webpush_key_load(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	EVP_PKEY *k;

	if (f == NULL) {
		snprintf(err, errlen, "cannot open %s", path);
		return NULL;
	}
	k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	if (k == NULL || !EVP_PKEY_is_a(k, "EC") ||
	    EVP_PKEY_get_bits(k) != 256) {
		snprintf(err, errlen, "%s is not a PEM P-256 private key",
		    path);
		EVP_PKEY_free(k);
		ERR_clear_error();
		return NULL;
	}
	return k;
}

static EVP_PKEY *
key_from_params(OSSL_PARAM_BLD *b, int selection)
{
	OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(b);
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	EVP_PKEY *k = NULL;

	if (params == NULL || ctx == NULL || EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &k, selection, params) <= 0)
		k = NULL;
	OSSL_PARAM_free(params);
	EVP_PKEY_CTX_free(ctx);
	return k;
}

/*
 * A public key from an uncompressed point; with check, fully validated
 * (EVP_PKEY_public_check, a scalar multiplication).  Without, OpenSSL
 * still refuses a point off the curve when it decodes it; the full check
 * is for what a client sends (webpush_check), not for every push.
 */
static EVP_PKEY *
pub_import(const unsigned char *pt, size_t n, int check)
{
	OSSL_PARAM_BLD *b = OSSL_PARAM_BLD_new();
	EVP_PKEY *k = NULL;
	EVP_PKEY_CTX *chk;

	if (b == NULL || n != WEBPUSH_P256DH_LEN || pt[0] != 0x04)
		goto out;
	if (!OSSL_PARAM_BLD_push_utf8_string(b, OSSL_PKEY_PARAM_GROUP_NAME,
		"prime256v1", 0) ||
	    !OSSL_PARAM_BLD_push_octet_string(b, OSSL_PKEY_PARAM_PUB_KEY, pt,
		n))
		goto out;
	k = key_from_params(b, EVP_PKEY_PUBLIC_KEY);
	if (!check)
		goto out;
	chk = k ? EVP_PKEY_CTX_new_from_pkey(NULL, k, NULL) : NULL;
	if (k && (chk == NULL || EVP_PKEY_public_check(chk) != 1)) {
		EVP_PKEY_free(k);
		k = NULL;
	}
	EVP_PKEY_CTX_free(chk);
out:
	OSSL_PARAM_BLD_free(b);
	ERR_clear_error();
	return k;
}

EVP_PKEY *
webpush_pub_from_raw(const unsigned char *pt, size_t n)
{
	return pub_import(pt, n, 1);
}

EVP_PKEY *
webpush_pub_decode(const unsigned char *pt, size_t n)
{
	return pub_import(pt, n, 0);
}

EVP_PKEY *
webpush_key_from_raw(const unsigned char d[32])
{
	EC_GROUP *g = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
	EC_POINT *p = g ? EC_POINT_new(g) : NULL;
	BIGNUM *bn = BN_bin2bn(d, 32, NULL);
	OSSL_PARAM_BLD *b = OSSL_PARAM_BLD_new();
	unsigned char pub[WEBPUSH_P256DH_LEN];
	EVP_PKEY *k = NULL;

	if (p == NULL || bn == NULL || b == NULL ||
	    !EC_POINT_mul(g, p, bn, NULL, NULL, NULL) ||
	    EC_POINT_point2oct(g, p, POINT_CONVERSION_UNCOMPRESSED, pub,
		sizeof(pub), NULL) != sizeof(pub))
		goto out;
	if (OSSL_PARAM_BLD_push_utf8_string(b, OSSL_PKEY_PARAM_GROUP_NAME,
		"prime256v1", 0) &&
	    OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_PRIV_KEY, bn) &&
	    OSSL_PARAM_BLD_push_octet_string(b, OSSL_PKEY_PARAM_PUB_KEY, pub,
		sizeof(pub)))
		k = key_from_params(b, EVP_PKEY_KEYPAIR);
out:
	OSSL_PARAM_BLD_free(b);
	BN_clear_free(bn);
	EC_POINT_free(p);
	EC_GROUP_free(g);
	return k;
}

int
webpush_pub_raw(EVP_PKEY *k, unsigned char out[WEBPUSH_P256DH_LEN])
{
	size_t len = 0;

	if (EVP_PKEY_get_octet_string_param(k,
		OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, out, WEBPUSH_P256DH_LEN,
		&len) != 1 ||
	    len != WEBPUSH_P256DH_LEN)
		return -1;
	return 0;
}

int
webpush_pub_b64(EVP_PKEY *k, char out[WEBPUSH_PUB_B64_LEN + 1])
{
	unsigned char raw[WEBPUSH_P256DH_LEN];
	char tmp[WEBPUSH_PUB_B64_LEN + 4];

	if (webpush_pub_raw(k, raw) < 0)
		return -1;
	b64url(raw, sizeof(raw), tmp);
	memcpy(out, tmp, WEBPUSH_PUB_B64_LEN + 1);
	return 0;
}

/* ---- encryption ---- */

/* HKDF-SHA256 extract then a one-block expand: out is len <= 32 bytes. */
static int
hkdf(const unsigned char *salt, size_t saltlen, const unsigned char *ikm,
    size_t ikmlen, const unsigned char *info, size_t infolen,
    unsigned char *out, size_t len)
{
	unsigned char prk[32], t[32], buf[200];
	unsigned int n = 0;

	if (infolen + 1 > sizeof(buf) ||
	    HMAC(EVP_sha256(), salt, (int)saltlen, ikm, ikmlen, prk, &n) ==
		NULL)
		return -1;
	memcpy(buf, info, infolen);
	buf[infolen] = 0x01;
	if (HMAC(EVP_sha256(), prk, 32, buf, infolen + 1, t, &n) == NULL)
		return -1;
	memcpy(out, t, len);
	OPENSSL_cleanse(prk, sizeof(prk));
	OPENSSL_cleanse(t, sizeof(t));
	return 0;
}

static int
ecdh(EVP_PKEY *priv, EVP_PKEY *peer, unsigned char out[32])
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(priv, NULL);
	size_t len = 32;
	int ok = ctx && EVP_PKEY_derive_init(ctx) > 0 &&
	    EVP_PKEY_derive_set_peer(ctx, peer) > 0 &&
	    EVP_PKEY_derive(ctx, out, &len) > 0 && len == 32;

	EVP_PKEY_CTX_free(ctx);
	return ok ? 0 : -1;
}

/* CEK and NONCE for this message (RFC 8291 section 3.4). */
static int
derive(EVP_PKEY *as_key, EVP_PKEY *ua_key,
    const unsigned char ua_pub[WEBPUSH_P256DH_LEN],
    const unsigned char as_pub[WEBPUSH_P256DH_LEN],
    const unsigned char auth[WEBPUSH_AUTH_LEN], const unsigned char salt[16],
    unsigned char cek[16], unsigned char nonce[12])
{
	static const char kinfo[] = "WebPush: info";
	static const char cinfo[] = "Content-Encoding: aes128gcm";
	static const char ninfo[] = "Content-Encoding: nonce";
	unsigned char secret[32], ikm[32], info[sizeof(kinfo) + 130];
	int rc = -1;

	if (ecdh(as_key, ua_key, secret) < 0)
		goto out;
	memcpy(info, kinfo, sizeof(kinfo)); /* with its NUL */
	memcpy(info + sizeof(kinfo), ua_pub, WEBPUSH_P256DH_LEN);
	memcpy(info + sizeof(kinfo) + 65, as_pub, WEBPUSH_P256DH_LEN);
	if (hkdf(auth, WEBPUSH_AUTH_LEN, secret, 32, info, sizeof(info), ikm,
		32) < 0 ||
	    hkdf(salt, 16, ikm, 32, (const unsigned char *)cinfo, sizeof(cinfo),
		cek, 16) < 0 ||
	    hkdf(salt, 16, ikm, 32, (const unsigned char *)ninfo, sizeof(ninfo),
		nonce, 12) < 0)
		goto out;
	rc = 0;
out:
	OPENSSL_cleanse(secret, sizeof(secret));
	OPENSSL_cleanse(ikm, sizeof(ikm));
	return rc;
}

static EVP_PKEY *
fresh_key(void)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	EVP_PKEY *k = NULL;

	if (ctx == NULL || EVP_PKEY_keygen_init(ctx) <= 0 ||
	    EVP_PKEY_CTX_set_group_name(ctx, "prime256v1") <= 0 ||
	    EVP_PKEY_keygen(ctx, &k) <= 0)
		k = NULL;
	EVP_PKEY_CTX_free(ctx);
	return k;
}

/* AES-128-GCM of plain | 0x02 into out (len + 1 + 16 bytes). */
static int
seal(const unsigned char cek[16], const unsigned char nonce[12],
    const void *plain, size_t n, unsigned char *out)
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	static const unsigned char delim = 0x02; /* the last record */
	int l1 = 0, l2 = 0, l3 = 0, ok;

	ok = c && EVP_EncryptInit_ex(c, EVP_aes_128_gcm(), NULL, cek, nonce) &&
	    EVP_EncryptUpdate(c, out, &l1, plain, (int)n) &&
	    EVP_EncryptUpdate(c, out + l1, &l2, &delim, 1) &&
	    EVP_EncryptFinal_ex(c, out + l1 + l2, &l3) &&
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16,
		out + l1 + l2 + l3);
	EVP_CIPHER_CTX_free(c);
	return ok && (size_t)(l1 + l2 + l3) == n + 1 ? 0 : -1;
}

int
webpush_encrypt(const unsigned char ua_pub[WEBPUSH_P256DH_LEN],
    const unsigned char auth[WEBPUSH_AUTH_LEN], const void *plain, size_t n,
    EVP_PKEY *as_key, const unsigned char *salt, unsigned char **out,
    size_t *outlen)
{
	EVP_PKEY *ua = NULL, *as = as_key;
	unsigned char as_pub[WEBPUSH_P256DH_LEN], cek[16], nonce[12], *body;
	size_t total = WEBPUSH_HEADER_LEN + n + 1 + 16;
	int rc = -1;

	*out = NULL;
	if (n > WEBPUSH_PLAIN_MAX ||
	    (ua = pub_import(ua_pub, WEBPUSH_P256DH_LEN, 0)) == NULL ||
	    (as == NULL && (as = fresh_key()) == NULL) ||
	    webpush_pub_raw(as, as_pub) < 0 || (body = malloc(total)) == NULL)
		goto out;
	if (salt)
		memcpy(body, salt, 16);
	else if (RAND_bytes(body, 16) != 1)
		goto fail;
	body[16] = (WEBPUSH_RS >> 24) & 0xff;
	body[17] = (WEBPUSH_RS >> 16) & 0xff;
	body[18] = (WEBPUSH_RS >> 8) & 0xff;
	body[19] = WEBPUSH_RS & 0xff;
	body[20] = WEBPUSH_P256DH_LEN;
	memcpy(body + 21, as_pub, WEBPUSH_P256DH_LEN);
	if (derive(as, ua, ua_pub, as_pub, auth, body, cek, nonce) < 0 ||
	    seal(cek, nonce, plain, n, body + WEBPUSH_HEADER_LEN) < 0)
		goto fail;
	*out = body;
	*outlen = total;
	rc = 0;
	goto out;
fail:
	free(body);
out:
	OPENSSL_cleanse(cek, sizeof(cek));
	if (as != as_key)
		EVP_PKEY_free(as);
	EVP_PKEY_free(ua);
	return rc;
}

/* ---- VAPID ---- */

int
webpush_audience(const char *endpoint, char *buf, size_t cap)
{
	const char *host, *end;
	size_t n;

	if (strncmp(endpoint, "https://", 8) == 0)
		host = endpoint + 8;
	else if (strncmp(endpoint, "http://", 7) == 0)
		host = endpoint + 7;
	else
		return -1;
	end = host + strcspn(host, "/?#");
	if (end == host || memchr(host, '@', (size_t)(end - host)))
		return -1;
	n = (size_t)(end - endpoint);
	if (n + 1 > cap)
		return -1;
	memcpy(buf, endpoint, n);
	buf[n] = '\0';
	return 0;
}

/* ES256: the DER signature OpenSSL makes, as JOSE's raw r | s. */
static int
es256(EVP_PKEY *key, const char *in, size_t n, unsigned char out[64])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char der[80];
	const unsigned char *p = der;
	size_t dlen = sizeof(der);
	ECDSA_SIG *sig = NULL;
	const BIGNUM *r, *s;
	int rc = -1;

	if (md == NULL ||
	    EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key) != 1 ||
	    EVP_DigestSign(md, der, &dlen, (const unsigned char *)in, n) != 1 ||
	    (sig = d2i_ECDSA_SIG(NULL, &p, (long)dlen)) == NULL)
		goto out;
	ECDSA_SIG_get0(sig, &r, &s);
	if (BN_bn2binpad(r, out, 32) == 32 &&
	    BN_bn2binpad(s, out + 32, 32) == 32)
		rc = 0;
out:
	ECDSA_SIG_free(sig);
	EVP_MD_CTX_free(md);
	return rc;
}

char *
webpush_vapid(EVP_PKEY *key, const char *endpoint, const char *subject,
    long long exp_s)
{
	char aud[WEBPUSH_ENDPOINT_MAX + 1], pub[WEBPUSH_PUB_B64_LEN + 1];
	char *claims = NULL, *input = NULL, *hdr = NULL, cb[1400], sb[100];
	unsigned char sig[64];
	json_t *c;

	if (webpush_audience(endpoint, aud, sizeof(aud)) < 0 ||
	    webpush_pub_b64(key, pub) < 0)
		return NULL;
	c = json_pack("{s:s,s:I,s:s}", "aud", aud, "exp", (json_int_t)exp_s,
	    "sub", subject);
	claims = c ? json_dumps(c, JSON_COMPACT) : NULL;
	json_decref(c);
	if (claims == NULL || strlen(claims) > 1000)
		goto out;
	b64url((const unsigned char *)claims, strlen(claims), cb);
	/* {"typ":"JWT","alg":"ES256"} */
	if (asprintf(&input, "eyJ0eXAiOiJKV1QiLCJhbGciOiJFUzI1NiJ9.%s", cb) <
	    0) {
		input = NULL;
		goto out;
	}
	if (es256(key, input, strlen(input), sig) < 0)
		goto out;
	b64url(sig, sizeof(sig), sb);
	if (asprintf(&hdr, "vapid t=%s.%s, k=%s", input, sb, pub) < 0)
		hdr = NULL;
out:
	free(claims);
	free(input);
	return hdr;
}

/* ---- subscriptions and payloads ---- */

const char *
webpush_check(const char *endpoint, const char *p256dh, const char *auth,
    int allow_http)
{
	unsigned char buf[WEBPUSH_P256DH_LEN + 8];
	char aud[WEBPUSH_ENDPOINT_MAX + 1];
	size_t n = endpoint ? strlen(endpoint) : 0, i;
	EVP_PKEY *k;

	if (n == 0 || n > WEBPUSH_ENDPOINT_MAX)
		return "endpoint must be a URL of at most 1024 bytes";
	for (i = 0; i < n; i++)
		if ((unsigned char)endpoint[i] <= ' ' ||
		    (unsigned char)endpoint[i] >= 0x7f)
			return "endpoint has spaces or control characters";
	if (strncmp(endpoint, "https://", 8) != 0 &&
	    !(allow_http && strncmp(endpoint, "http://", 7) == 0))
		return "endpoint must be an https URL";
	if (webpush_audience(endpoint, aud, sizeof(aud)) < 0)
		return "endpoint has no host";
	if (p256dh == NULL || strlen(p256dh) > 100 ||
	    webpush_b64url_decode(p256dh, buf, sizeof(buf)) !=
		WEBPUSH_P256DH_LEN)
		return "keys.p256dh must be a base64url P-256 point (65 bytes)";
	if ((k = webpush_pub_from_raw(buf, WEBPUSH_P256DH_LEN)) == NULL)
		return "keys.p256dh is not a point on P-256";
	EVP_PKEY_free(k);
	if (auth == NULL || strlen(auth) > 40 ||
	    webpush_b64url_decode(auth, buf, sizeof(buf)) != WEBPUSH_AUTH_LEN)
		return "keys.auth must be 16 bytes of base64url";
	return NULL;
}

char *
webpush_payload(const char *payload)
{
	json_t *in = json_loads(payload, 0, NULL), *out, *data, *v;
	const char *key;
	char *s = NULL;

	if (!json_is_object(in)) {
		json_decref(in);
		return NULL;
	}
	out = json_object();
	data = json_object();
	json_object_foreach(json_object_get(in, "data"), key, v)
	{
		/* Belt and braces: a code never leaves in a push. */
		if (strcasecmp(key, "otp") != 0)
			json_object_set(data, key, v);
	}
	json_object_set_new(out, "data", data);
	v = json_object_get(in, "notification");
	if (json_is_object(v))
		json_object_set(out, "notification", v);
	s = json_dumps(out, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(out);
	json_decref(in);
	if (s && strlen(s) > WEBPUSH_PLAIN_MAX) {
		free(s);
		s = NULL;
	}
	return s;
}
