/*
 * token.c - app access tokens and shared crypto helpers.
 *
 * libjwt 1.10 takes the algorithm from the token header and checks no
 * claims, so verification here pins HS256, refuses anything else (alg:none,
 * RS256, ...) and checks exp and the claim types itself.
 */
#include <errno.h>
#include <jwt.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "token.h"

static const char hexd[] = "0123456789abcdef";

const char *
token_role_name(enum role r)
{
	switch (r) {
	case ROLE_STUDENT:
		return "student";
	case ROLE_TEACHER:
		return "teacher";
	default:
		return "none";
	}
}

const char *
token_role_name_short(enum role r)
{
	return r == ROLE_STUDENT ? "s" : r == ROLE_TEACHER ? "t" : "-";
}

enum role
token_role_from_short(const char *s)
{
	if (s && strcmp(s, "s") == 0)
		return ROLE_STUDENT;
	if (s && strcmp(s, "t") == 0)
		return ROLE_TEACHER;
	return ROLE_NONE;
}

static enum role
role_from(const char *s)
{
	if (s && strcmp(s, "student") == 0)
		return ROLE_STUDENT;
	if (s && strcmp(s, "teacher") == 0)
		return ROLE_TEACHER;
	return ROLE_NONE;
}

char *
token_issue(const char *secret, const struct auth *a, long ttl,
    struct arena *ar)
{
	jwt_t *jwt = NULL;
	char *s = NULL, *out = NULL;
	long long now = (long long)time(NULL);

	if (jwt_new(&jwt) != 0)
		return NULL;
	if (jwt_add_grant(jwt, "sub", a->email) ||
	    jwt_add_grant(jwt, "role", token_role_name(a->role)) ||
	    jwt_add_grant_int(jwt, "dev", a->device_id) ||
	    jwt_add_grant(jwt, "jti", a->jti) ||
	    jwt_add_grant(jwt, "typ", "access") ||
	    jwt_add_grant_int(jwt, "iat", now) ||
	    jwt_add_grant_int(jwt, "exp", now + ttl) ||
	    jwt_set_alg(jwt, JWT_ALG_HS256, (const unsigned char *)secret,
		(int)strlen(secret)))
		goto out;
	if ((s = jwt_encode_str(jwt)) != NULL)
		out = arena_strdup(ar, s);
out:
	free(s);
	jwt_free(jwt);
	return out;
}

int
token_verify(const char *secret, const char *tok, long long now,
    struct auth *out, struct arena *ar)
{
	jwt_t *jwt = NULL;
	const char *sub, *role, *jti, *typ;
	long long exp, dev;
	int rc = TOKEN_MALFORMED;

	memset(out, 0, sizeof(*out));
	if (tok == NULL || *tok == '\0' || strlen(tok) > 4096)
		return TOKEN_MALFORMED;
	/* Never hand libjwt a NULL key: it would accept alg:none. */
	if (jwt_decode(&jwt, tok, (const unsigned char *)secret,
		(int)strlen(secret)) != 0)
		return TOKEN_MALFORMED;
	if (jwt_get_alg(jwt) != JWT_ALG_HS256)
		goto out;
	rc = TOKEN_CLAIMS;
	sub = jwt_get_grant(jwt, "sub");
	role = jwt_get_grant(jwt, "role");
	jti = jwt_get_grant(jwt, "jti");
	typ = jwt_get_grant(jwt, "typ");
	errno = 0;
	exp = jwt_get_grant_int(jwt, "exp");
	if (errno)
		goto out;
	dev = jwt_get_grant_int(jwt, "dev");
	if (errno || !sub || !jti || !typ || strcmp(typ, "access") != 0 ||
	    role_from(role) == ROLE_NONE)
		goto out;
	if (exp <= now) {
		rc = TOKEN_EXPIRED;
		goto out;
	}
	out->email = arena_strdup(ar, sub);
	out->role = role_from(role);
	out->device_id = dev;
	out->jti = arena_strdup(ar, jti);
	out->exp = exp;
	rc = TOKEN_OK;
out:
	jwt_free(jwt);
	return rc;
}

int
token_random(void *buf, size_t n)
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
token_random_hex(size_t n, struct arena *ar)
{
	unsigned char b[64];

	if (n > sizeof(b) || token_random(b, n) < 0)
		return NULL;
	return to_hex(b, n, ar);
}

char *
token_sha256_hex(const char *s, size_t len, struct arena *ar)
{
	unsigned char md[SHA256_DIGEST_LENGTH];

	SHA256((const unsigned char *)s, len, md);
	return to_hex(md, sizeof(md), ar);
}

char *
token_hmac_hex(const char *key, const char *s, size_t n, struct arena *ar)
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
token_equal(const void *a, const void *b, size_t n)
{
	return CRYPTO_memcmp(a, b, n) == 0;
}

char *
token_b64url(const void *buf, size_t n, struct arena *ar)
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
token_b64url_decode(const char *s, size_t *n, struct arena *ar)
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
