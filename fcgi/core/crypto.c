/*
 * crypto.c - the small crypto helpers every binary shares: the OS CSPRNG,
 * SHA-256 and HMAC-SHA256 as hex, constant-time comparison and base64url.
 * All of it is OpenSSL; nothing here knows about tokens or requests.
 */
#include <openssl/crypto.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <string.h>

#include "crypto.h"

static const char hexd[] = "0123456789abcdef";

int
crypto_random(void *buf, size_t n)
{
	return RAND_bytes(buf, (int)n) == 1 ? 0 : -1;
}

static char *
to_hex(const unsigned char *b, size_t n, struct arena *ar)
{
	char *s = arena_alloc(ar, 2 * n + 1);
	size_t i;

	if (s == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		s[2 * i] = hexd[b[i] >> 4];
		s[2 * i + 1] = hexd[b[i] & 15];
	}
	return s;
}

char *
crypto_random_hex(size_t n, struct arena *ar)
{
	unsigned char b[64];

	if (n > sizeof(b) || crypto_random(b, n) < 0)
		return NULL;
	return to_hex(b, n, ar);
}

char *
crypto_sha256_hex(const char *s, size_t len, struct arena *ar)
{
	unsigned char md[SHA256_DIGEST_LENGTH];

	SHA256((const unsigned char *)s, len, md);
	return to_hex(md, sizeof(md), ar);
}

char *
crypto_hmac_hex(const char *key, const char *s, size_t n, struct arena *ar)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	char *h;

	HMAC(EVP_sha256(), key, (int)strlen(key), (const unsigned char *)s,
	    strlen(s), md, &mdlen);
	h = to_hex(md, mdlen, ar);
	if (h && n < 2 * (size_t)mdlen)
		h[n] = '\0';
	return h;
}

int
crypto_equal(const void *a, const void *b, size_t n)
{
	return CRYPTO_memcmp(a, b, n) == 0;
}

char *
crypto_b64url(const void *buf, size_t n, struct arena *ar)
{
	char *s = arena_alloc(ar, 4 * ((n + 2) / 3) + 1), *p;
	int len;

	if (s == NULL)
		return NULL;
	len = EVP_EncodeBlock((unsigned char *)s, buf, (int)n);
	while (len > 0 && s[len - 1] == '=')
		s[--len] = '\0';
	for (p = s; *p; p++) {
		if (*p == '+')
			*p = '-';
		else if (*p == '/')
			*p = '_';
	}
	return s;
}

unsigned char *
crypto_b64url_decode(const char *s, size_t *n, struct arena *ar)
{
	size_t len = strlen(s), padded, i, pad;
	char *tmp;
	unsigned char *out;
	int m;

	while (len > 0 && s[len - 1] == '=')
		len--;
	if (len % 4 == 1)
		return NULL;
	padded = (len + 3) / 4 * 4;
	pad = padded - len;
	if ((tmp = arena_alloc(ar, padded + 1)) == NULL ||
	    (out = arena_alloc(ar, padded / 4 * 3 + 1)) == NULL)
		return NULL;
	for (i = 0; i < len; i++) {
		char c = s[i];

		if (c == '-')
			c = '+';
		else if (c == '_')
			c = '/';
		else if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			     (c >= '0' && c <= '9') || c == '+' || c == '/'))
			return NULL;
		tmp[i] = c;
	}
	for (; i < padded; i++)
		tmp[i] = '=';
	m = EVP_DecodeBlock(out, (unsigned char *)tmp, (int)padded);
	if (m < 0)
		return NULL;
	*n = (size_t)m - pad;
	return out;
}

EVP_PKEY *
crypto_p256_key(const unsigned char point[65])
{
	OSSL_PARAM_BLD *b = OSSL_PARAM_BLD_new();
	OSSL_PARAM *p = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *key = NULL;

	if (b == NULL ||
	    !OSSL_PARAM_BLD_push_utf8_string(b, OSSL_PKEY_PARAM_GROUP_NAME,
		"prime256v1", 0) ||
	    !OSSL_PARAM_BLD_push_octet_string(b, OSSL_PKEY_PARAM_PUB_KEY, point,
		65) ||
	    (p = OSSL_PARAM_BLD_to_param(b)) == NULL ||
	    (ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, p) <= 0)
		key = NULL;
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(p);
	OSSL_PARAM_BLD_free(b);
	return key;
}
