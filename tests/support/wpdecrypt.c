/*
 * wpdecrypt.c - Web Push as the receiver sees it (see wpdecrypt.h).
 */
#include <ctype.h>
#include <jansson.h>
#include <openssl/ec.h>
#include <openssl/hmac.h>
#include <stdlib.h>
#include <string.h>

#include "webpush.h"
#include "wpdecrypt.h"

static long
unb64(const char *s, size_t n, unsigned char *out, size_t cap)
{
	char buf[2048];
	unsigned char tmp[1600];
	size_t i, pad = (4 - n % 4) % 4;
	int len;

	if (n == 0 || n % 4 == 1 || n + pad >= sizeof(buf))
		return -1;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (!(isalnum((unsigned char)c) || c == '-' || c == '_'))
			return -1;
		buf[i] = c == '-' ? '+' : c == '_' ? '/' : c;
	}
	memset(buf + n, '=', pad);
	len = EVP_DecodeBlock(tmp, (unsigned char *)buf, (int)(n + pad));
	if (len < 0 || (size_t)(len - (int)pad) > cap)
		return -1;
	memcpy(out, tmp, (size_t)(len - (int)pad));
	return len - (long)pad;
}

/* HKDF-SHA256 (RFC 5869) for outputs of one block. */
static void
hkdf1(const unsigned char *salt, size_t sl, const unsigned char *ikm, size_t il,
    const unsigned char *info, size_t nl, unsigned char *out, size_t len)
{
	unsigned char prk[32], t[32], buf[256];
	unsigned int n;

	HMAC(EVP_sha256(), salt, (int)sl, ikm, il, prk, &n);
	memcpy(buf, info, nl);
	buf[nl] = 1;
	HMAC(EVP_sha256(), prk, 32, buf, nl + 1, t, &n);
	memcpy(out, t, len);
}

static const char *
keys_for(EVP_PKEY *ua_key, const unsigned char auth[16],
    const unsigned char *body, unsigned char cek[16], unsigned char nonce[12])
{
	static const char ki[] = "WebPush: info",
			  ci[] = "Content-Encoding: aes128gcm",
			  ni[] = "Content-Encoding: nonce";
	unsigned char ua_pub[65], secret[32], ikm[32], info[sizeof(ki) + 130];
	EVP_PKEY *as = webpush_pub_decode(body + 21, 65);
	EVP_PKEY_CTX *ctx;
	size_t sl = 32, pl = 0;
	int ok;

	if (as == NULL)
		return "keyid is not a P-256 point";
	ctx = EVP_PKEY_CTX_new(ua_key, NULL);
	ok = ctx && EVP_PKEY_derive_init(ctx) > 0 &&
	    EVP_PKEY_derive_set_peer(ctx, as) > 0 &&
	    EVP_PKEY_derive(ctx, secret, &sl) > 0;
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(as);
	if (!ok ||
	    EVP_PKEY_get_octet_string_param(ua_key, "encoded-pub-key", ua_pub,
		sizeof(ua_pub), &pl) != 1)
		return "ECDH failed";
	memcpy(info, ki, sizeof(ki));
	memcpy(info + sizeof(ki), ua_pub, 65);
	memcpy(info + sizeof(ki) + 65, body + 21, 65);
	hkdf1(auth, 16, secret, 32, info, sizeof(info), ikm, 32);
	hkdf1(body, 16, ikm, 32, (const unsigned char *)ci, sizeof(ci), cek,
	    16);
	hkdf1(body, 16, ikm, 32, (const unsigned char *)ni, sizeof(ni), nonce,
	    12);
	return NULL;
}

const char *
wp_decrypt(EVP_PKEY *ua_key, const unsigned char auth[16],
    const unsigned char *body, size_t n, char **plain, size_t *plainlen)
{
	unsigned char cek[16], nonce[12];
	unsigned long rs;
	EVP_CIPHER_CTX *c;
	const char *why;
	unsigned char *p;
	size_t clen;
	int l1 = 0, l2 = 0, ok;

	*plain = NULL;
	if (n < 86 + 17)
		return "body shorter than a header and a tag";
	rs = (unsigned long)body[16] << 24 | (unsigned long)body[17] << 16 |
	    (unsigned long)body[18] << 8 | body[19];
	if (body[20] != 65)
		return "keyid is not 65 bytes";
	clen = n - 86;
	if (rs < 18 || clen > rs)
		return "more than one record";
	if ((why = keys_for(ua_key, auth, body, cek, nonce)) != NULL)
		return why;
	if ((p = malloc(clen)) == NULL)
		return "out of memory";
	c = EVP_CIPHER_CTX_new();
	ok = c && EVP_DecryptInit_ex(c, EVP_aes_128_gcm(), NULL, cek, nonce) &&
	    EVP_DecryptUpdate(c, p, &l1, body + 86, (int)(clen - 16)) &&
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, 16,
		(void *)(body + n - 16)) &&
	    EVP_DecryptFinal_ex(c, p + l1, &l2) > 0;
	EVP_CIPHER_CTX_free(c);
	if (!ok) {
		free(p);
		return "authentication tag does not match";
	}
	/* padding: zeros after the delimiter 0x02 of the last record */
	while (l1 > 0 && p[l1 - 1] == 0)
		l1--;
	if (l1 == 0 || p[l1 - 1] != 0x02) {
		free(p);
		return "no last-record delimiter";
	}
	p[l1 - 1] = '\0';
	*plain = (char *)p;
	*plainlen = (size_t)(l1 - 1);
	return NULL;
}

static const char *
verify_es256(const char *t, size_t signed_len, const char *sig_b64, EVP_PKEY *k)
{
	unsigned char raw[64], der[80], *dp = der;
	ECDSA_SIG *sig;
	EVP_MD_CTX *md;
	int dlen, ok;

	if (unb64(sig_b64, strlen(sig_b64), raw, sizeof(raw)) != 64)
		return "signature is not 64 bytes";
	sig = ECDSA_SIG_new();
	ECDSA_SIG_set0(sig, BN_bin2bn(raw, 32, NULL),
	    BN_bin2bn(raw + 32, 32, NULL));
	dlen = i2d_ECDSA_SIG(sig, &dp);
	ECDSA_SIG_free(sig);
	md = EVP_MD_CTX_new();
	ok = dlen > 0 &&
	    EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, k) == 1 &&
	    EVP_DigestVerify(md, der, (size_t)dlen, (const unsigned char *)t,
		signed_len) == 1;
	EVP_MD_CTX_free(md);
	return ok ? NULL : "bad signature";
}

static const char *
check_claims(const char *t, const char *audience, long long now_s)
{
	const char *dot1 = strchr(t, '.'), *dot2;
	char buf[1200];
	json_t *h, *c;
	long n;
	const char *why = NULL;
	long long exp;

	dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
	if (dot2 == NULL)
		return "t is not a JWT";
	if ((n = unb64(t, (size_t)(dot1 - t), (unsigned char *)buf,
		 sizeof(buf) - 1)) < 0)
		return "bad JWT header";
	buf[n] = '\0';
	h = json_loads(buf, 0, NULL);
	if ((n = unb64(dot1 + 1, (size_t)(dot2 - dot1 - 1),
		 (unsigned char *)buf, sizeof(buf) - 1)) < 0) {
		json_decref(h);
		return "bad JWT claims";
	}
	buf[n] = '\0';
	c = json_loads(buf, 0, NULL);
	exp = json_integer_value(json_object_get(c, "exp"));
	if (!json_is_string(json_object_get(h, "alg")) ||
	    strcmp(json_string_value(json_object_get(h, "alg")), "ES256") != 0)
		why = "alg is not ES256";
	else if (!json_is_string(json_object_get(c, "aud")) ||
	    strcmp(json_string_value(json_object_get(c, "aud")), audience) != 0)
		why = "aud is not this push service";
	else if (exp <= now_s || exp > now_s + 86400)
		why = "exp is not within 24 hours";
	else if (!json_is_string(json_object_get(c, "sub")))
		why = "no sub";
	json_decref(h);
	json_decref(c);
	return why;
}

static char last_t[1600], last_k[128]; /* the last verified JWT */

const char *
wp_check_vapid(const char *authz, const char *audience, long long now_s,
    char *key_out, size_t cap)
{
	char t[1600], k[128];
	unsigned char raw[70];
	const char *ts, *ks, *why, *dot;
	size_t tl, kl;
	EVP_PKEY *key;

	if (authz == NULL || strncmp(authz, "vapid ", 6) != 0)
		return "Authorization is not vapid";
	ts = strstr(authz, "t=");
	ks = strstr(authz, "k=");
	if (ts == NULL || ks == NULL)
		return "vapid needs t= and k=";
	tl = strcspn(ts + 2, ", ");
	kl = strcspn(ks + 2, ", ");
	if (tl >= sizeof(t) || kl >= sizeof(k) || kl + 1 > cap)
		return "t or k too long";
	memcpy(t, ts + 2, tl);
	t[tl] = '\0';
	memcpy(k, ks + 2, kl);
	k[kl] = '\0';
	if (unb64(k, kl, raw, sizeof(raw)) != 65)
		return "k is not a P-256 public key";
	/* A push service verifies a sender's JWT once and trusts the same
	 * bytes until exp (the claims are checked every time). */
	if (strcmp(t, last_t) != 0 || strcmp(k, last_k) != 0) {
		if ((key = webpush_pub_from_raw(raw, 65)) == NULL)
			return "k is not a P-256 public key";
		dot = strrchr(t, '.');
		why = dot ? verify_es256(t, (size_t)(dot - t), dot + 1, key)
			  : "t is not a JWT";
		EVP_PKEY_free(key);
		if (why)
			return why;
		memcpy(last_t, t, tl + 1);
		memcpy(last_k, k, kl + 1);
	}
	why = NULL;
	if (why == NULL)
		why = check_claims(t, audience, now_s);
	if (why == NULL)
		memcpy(key_out, k, kl + 1);
	return why;
}
