/*
 * idtoken.c - Google ID tokens: signature, keys and claims.
 *
 * An ID token is an RS256 JWT signed with one of Google's rotating keys,
 * published as a JWKS.  libjwt 1.10 takes the algorithm from the token and
 * checks no claims (docs/tech-notes.md,
 * "libjwt trusts the token's alg"), so this file pins RS256 before libjwt
 * sees the token (alg:none and HS256-with-our-public-key never reach it),
 * picks the key by kid, and checks iss, aud, exp, iat, email_verified and
 * hd itself.
 *
 * The JWKS (GOOGLE_JWKS: an https URL or a file) is cached once per
 * process behind a mutex: worker threads share it.  It is reloaded when
 * its Cache-Control max-age runs out (a file: when its mtime changes), and
 * on a kid we do not know - Google publishes the next key before using it -
 * but at most once per REFETCH_S, so forged kids cannot turn us into a
 * request amplifier against the key server.  Keys are kept as PEM "PUBLIC
 * KEY" text built from the JWK modulus and exponent with OpenSSL 3.
 */
#include <curl/curl.h>
#include <jansson.h>
#include <jwt.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "crypto.h"
#include "buf.h"
#include "config.h"
#include "jsonio.h"
#include "idtoken.h"
#include "log.h"

#define MAX_KEYS 16
#define MAX_TOKEN 8192
#define MAX_JWKS (256 * 1024)
#define REFETCH_S 30       /* unknown kid: at most one reload per 30 s */
#define RETRY_S 5          /* a failed load is retried after 5 s */
#define DEFAULT_AGE_S 3600 /* no max-age: an hour */
#define FILE_AGE_S 300     /* a file is re-read at least every 5 min */

struct key {
	char *kid;
	char *pem;
};

static struct {
	pthread_mutex_t lock;
	char *source; /* the GOOGLE_JWKS the keys came from */
	struct key keys[MAX_KEYS];
	int nkeys;
	time_t loaded_at;  /* last load attempt, good or bad */
	int failed;        /* the last attempt failed */
	time_t expires_at; /* by max-age */
	time_t mtime;      /* a file source's mtime at load */
} cache = { .lock = PTHREAD_MUTEX_INITIALIZER };

const char *
idtoken_reason(int rc)
{
	switch (rc) {
	case IDTOKEN_OK:
		return "ok";
	case IDTOKEN_ALG:
		return "the token is not signed with RS256";
	case IDTOKEN_KID:
		return "the token is signed with an unknown key";
	case IDTOKEN_SIGNATURE:
		return "the token signature does not verify";
	case IDTOKEN_ISS:
		return "the token was not issued by Google";
	case IDTOKEN_AUD:
		return "the token is for another application";
	case IDTOKEN_EXPIRED:
		return "the token has expired";
	case IDTOKEN_IAT:
		return "the token is issued in the future";
	case IDTOKEN_EMAIL:
		return "the e-mail address is not verified by Google";
	case IDTOKEN_HD:
		return "the account is not in the institution's domain";
	case IDTOKEN_KEYS:
		return "Google's signing keys are not available";
	default:
		return "the token is malformed";
	}
}

/* PEM text of an RSA public key from JWK n and e; malloc'd or NULL. */
static char *
rsa_pem(const char *n64, const char *e64, struct arena *ar)
{
	unsigned char *nb, *eb;
	size_t nl, el;
	BIGNUM *n = NULL, *e = NULL;
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;
	BIO *bio = NULL;
	char *data, *pem = NULL;
	long len;

	if ((nb = crypto_b64url_decode(n64, &nl, ar)) == NULL ||
	    (eb = crypto_b64url_decode(e64, &el, ar)) == NULL || nl < 128 ||
	    nl > 1024 || el == 0 || el > 8)
		return NULL;
	if ((n = BN_bin2bn(nb, (int)nl, NULL)) == NULL ||
	    (e = BN_bin2bn(eb, (int)el, NULL)) == NULL ||
	    (bld = OSSL_PARAM_BLD_new()) == NULL ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e) ||
	    (params = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
	    (ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) <= 0 ||
	    (bio = BIO_new(BIO_s_mem())) == NULL ||
	    !PEM_write_bio_PUBKEY(bio, pkey))
		goto out;
	len = BIO_get_mem_data(bio, &data);
	if (len > 0 && (pem = malloc((size_t)len + 1)) != NULL) {
		memcpy(pem, data, (size_t)len);
		pem[len] = '\0';
	}
out:
	BIO_free(bio);
	EVP_PKEY_free(pkey);
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(n);
	BN_free(e);
	return pem;
}

char *
idtoken_jwk_pem(const char *n, const char *e, struct arena *ar)
{
	char *pem = rsa_pem(n, e, ar), *out;

	if (pem == NULL)
		return NULL;
	out = arena_strdup(ar, pem);
	free(pem);
	return out;
}

static void
clear_keys(void)
{
	int i;

	for (i = 0; i < cache.nkeys; i++) {
		free(cache.keys[i].kid);
		free(cache.keys[i].pem);
	}
	cache.nkeys = 0;
}

void
idtoken_forget(void)
{
	pthread_mutex_lock(&cache.lock);
	clear_keys();
	free(cache.source);
	cache.source = NULL;
	cache.loaded_at = cache.expires_at = cache.mtime = 0;
	cache.failed = 0;
	pthread_mutex_unlock(&cache.lock);
}

static int
is_url(const char *s)
{
	return strncmp(s, "https://", 8) == 0 || strncmp(s, "http://", 7) == 0;
}

/* The body of the JWKS answer, and what its Cache-Control allows. */
struct fetch {
	struct buf body;
	long max_age;
};

/* Cache-Control: public, max-age=19008, must-revalidate, no-transform */
static size_t
on_header(char *d, size_t sz, size_t nm, void *u)
{
	struct fetch *f = u;
	size_t n = sz * nm;
	char line[512], *p;

	if (n >= sizeof(line))
		return n;
	memcpy(line, d, n);
	line[n] = '\0';
	if (strncasecmp(line, "cache-control:", 14) == 0 &&
	    (p = strcasestr(line, "max-age=")) != NULL)
		f->max_age = strtol(p + 8, NULL, 10);
	return n;
}

/* The JWKS text (malloc'd) and its max-age; NULL on failure (logged). */
static char *
fetch_jwks(const char *src, long *max_age, time_t *mtime)
{
	struct fetch f = { { NULL, 0, MAX_JWKS }, -1 };
	struct stat st;
	char *text;
	CURL *c;
	CURLcode rc;
	long code = 0;

	if (!is_url(src)) {
		if (stat(src, &st) != 0 || st.st_size > MAX_JWKS ||
		    (text = buf_read_file(src, NULL)) == NULL) {
			log_error("idtoken: cannot read JWKS file '%s'", src);
			return NULL;
		}
		*max_age = FILE_AGE_S;
		*mtime = st.st_mtime;
		return text;
	}
	if ((c = curl_easy_init()) == NULL)
		return NULL;
	curl_easy_setopt(c, CURLOPT_URL, src);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, buf_curl_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &f.body);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &f);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 5L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https,http");
	rc = curl_easy_perform(c);
	if (rc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_cleanup(c);
	if (rc != CURLE_OK || code != 200 || f.body.p == NULL) {
		log_error("idtoken: JWKS fetch from '%s' failed: %s (HTTP %ld)",
		    src, curl_easy_strerror(rc), code);
		buf_release(&f.body);
		return NULL;
	}
	*max_age = f.max_age >= 0 ? f.max_age : DEFAULT_AGE_S;
	*mtime = 0;
	return f.body.p;
}

/*
 * Replaces the cached keys with those of src.  On failure the old keys
 * stay (a key server outage must not sign everybody out).  Lock held.
 */
static int
load_keys(const char *src, time_t now, struct arena *ar)
{
	long max_age = 0;
	time_t mtime = 0;
	char *text = fetch_jwks(src, &max_age, &mtime);
	json_t *doc = NULL, *keys, *k;
	struct key fresh[MAX_KEYS];
	int n = 0, rc = -1;
	size_t i;

	cache.loaded_at = now;
	cache.failed = 1;
	if (text == NULL)
		return -1;
	doc = json_loads(text, 0, NULL);
	free(text);
	keys = json_object_get(doc, "keys");
	if (!json_is_array(keys)) {
		log_error("idtoken: '%s' is not a JWKS", src);
		goto out;
	}
	json_array_foreach(keys, i, k)
	{
		const char *kty = json_string_value(json_object_get(k, "kty"));
		const char *kid = json_string_value(json_object_get(k, "kid"));
		const char *alg = json_string_value(json_object_get(k, "alg"));
		const char *nn = json_string_value(json_object_get(k, "n"));
		const char *e = json_string_value(json_object_get(k, "e"));
		char *pem;

		if (n == MAX_KEYS || !kty || strcmp(kty, "RSA") != 0 || !kid ||
		    !nn || !e || (alg && strcmp(alg, "RS256") != 0))
			continue;
		if ((pem = rsa_pem(nn, e, ar)) == NULL) {
			log_warn("idtoken: JWKS key '%s' is unusable", kid);
			continue;
		}
		fresh[n].kid = strdup(kid);
		fresh[n].pem = pem;
		n++;
	}
	if (n == 0) {
		log_error("idtoken: '%s' has no usable RS256 key", src);
		goto out;
	}
	clear_keys();
	memcpy(cache.keys, fresh, sizeof(fresh[0]) * (size_t)n);
	cache.nkeys = n;
	if (cache.source == NULL || strcmp(cache.source, src) != 0) {
		free(cache.source);
		cache.source = strdup(src);
	}
	cache.expires_at = now + (max_age > 0 ? max_age : 0);
	cache.mtime = mtime;
	log_info("idtoken: %d signing keys from '%s' (max-age %ld)", n, src,
	    max_age);
	cache.failed = 0;
	rc = 0;
out:
	json_decref(doc);
	return rc;
}

static const char *
find_key(const char *kid)
{
	int i;

	for (i = 0; i < cache.nkeys; i++)
		if (strcmp(cache.keys[i].kid, kid) == 0)
			return cache.keys[i].pem;
	return NULL;
}

/* The PEM for kid (arena copy), IDTOKEN_KID or IDTOKEN_KEYS in *rc. */
static char *
key_for(const char *src, const char *kid, struct arena *ar, int *rc)
{
	time_t now = time(NULL);
	struct stat st;
	const char *pem;
	char *out = NULL;
	int stale, changed;

	pthread_mutex_lock(&cache.lock);
	if (cache.source && strcmp(cache.source, src) != 0) {
		clear_keys();
		cache.loaded_at = 0;
		cache.failed = 0;
	}
	stale = cache.nkeys == 0 || now >= cache.expires_at;
	/* A changed file is a local read: no rate limit needed. */
	changed =
	    !is_url(src) && stat(src, &st) == 0 && st.st_mtime != cache.mtime;
	/* A failing key server is asked again only every RETRY_S. */
	if (changed ||
	    (stale && (!cache.failed || now - cache.loaded_at >= RETRY_S)))
		load_keys(src, now, ar);
	pem = find_key(kid);
	if (pem == NULL && cache.nkeys > 0 &&
	    now - cache.loaded_at >= REFETCH_S) {
		load_keys(src, now, ar);
		pem = find_key(kid);
	}
	if (pem)
		out = arena_strdup(ar, pem);
	*rc = pem ? IDTOKEN_OK : cache.nkeys ? IDTOKEN_KID : IDTOKEN_KEYS;
	pthread_mutex_unlock(&cache.lock);
	return out;
}

static json_t *
part_json(const char *s, size_t len, struct arena *ar)
{
	char *seg = arena_strndup(ar, s, len);
	unsigned char *raw;
	size_t n;

	if (seg == NULL || (raw = crypto_b64url_decode(seg, &n, ar)) == NULL)
		return NULL;
	return json_loadb((const char *)raw, n, JSON_REJECT_DUPLICATES, NULL);
}

/* Is aud one of the comma-separated client ids? */
static int
aud_ok(const char *ids, const char *aud)
{
	size_t len = strlen(aud);
	const char *p = ids, *e;

	while (*p) {
		while (*p == ' ' || *p == ',')
			p++;
		e = p;
		while (*e && *e != ',')
			e++;
		while (e > p && e[-1] == ' ')
			e--;
		if (e > p && (size_t)(e - p) == len &&
		    strncmp(p, aud, len) == 0)
			return 1;
		while (*e && *e != ',')
			e++;
		p = e;
	}
	return 0;
}

static int
check_claims(const struct config *cfg, json_t *c, long long now,
    struct idtoken_id *out, struct arena *ar)
{
	const char *iss = json_string_value(json_object_get(c, "iss"));
	const char *aud = json_string_value(json_object_get(c, "aud"));
	const char *email = json_string_value(json_object_get(c, "email"));
	const char *sub = json_string_value(json_object_get(c, "sub"));
	const char *hd = json_string_value(json_object_get(c, "hd"));
	const char *name = json_string_value(json_object_get(c, "name"));
	json_t *exp = json_object_get(c, "exp"),
	       *iat = json_object_get(c, "iat"),
	       *ev = json_object_get(c, "email_verified");
	long long skew = cfg->clock_skew;

	if (!json_is_integer(exp) || !json_is_integer(iat) || sub == NULL)
		return IDTOKEN_MALFORMED;
	if (iss == NULL ||
	    (strcmp(iss, "accounts.google.com") != 0 &&
		strcmp(iss, "https://accounts.google.com") != 0))
		return IDTOKEN_ISS;
	if (aud == NULL || !aud_ok(cfg->google_client_ids, aud))
		return IDTOKEN_AUD;
	if (json_integer_value(exp) + skew <= now)
		return IDTOKEN_EXPIRED;
	if (json_integer_value(iat) - skew > now)
		return IDTOKEN_IAT;
	/* Google sends a boolean; very old tokens the string "true". */
	if (email == NULL || strchr(email, '@') == NULL ||
	    !(json_is_true(ev) ||
		(json_is_string(ev) &&
		    strcmp(json_string_value(ev), "true") == 0)))
		return IDTOKEN_EMAIL;
	if (cfg->google_hd[0] &&
	    (hd == NULL || strcasecmp(hd, cfg->google_hd) != 0))
		return IDTOKEN_HD;
	out->email = arena_strdup(ar, email);
	out->sub = arena_strdup(ar, sub);
	out->name = name ? arena_strdup(ar, name) : NULL;
	out->hd = hd ? arena_strdup(ar, hd) : NULL;
	out->exp = json_integer_value(exp);
	return IDTOKEN_OK;
}

int
idtoken_verify(const struct config *cfg, const char *token, long long now,
    struct idtoken_id *out, struct arena *ar)
{
	const char *d1, *d2, *alg, *kid;
	json_t *hdr, *claims;
	jwt_t *jwt = NULL;
	char *pem;
	int rc;

	memset(out, 0, sizeof(*out));
	if (token == NULL || strlen(token) > MAX_TOKEN ||
	    (d1 = strchr(token, '.')) == NULL ||
	    (d2 = strchr(d1 + 1, '.')) == NULL || strchr(d2 + 1, '.') != NULL)
		return IDTOKEN_MALFORMED;
	if ((hdr = part_json(token, (size_t)(d1 - token), ar)) == NULL)
		return IDTOKEN_MALFORMED;
	jsonio_defer(ar, hdr);
	/* Pin the algorithm before libjwt, which would trust the header. */
	alg = json_string_value(json_object_get(hdr, "alg"));
	if (alg == NULL || strcmp(alg, "RS256") != 0)
		return IDTOKEN_ALG;
	kid = json_string_value(json_object_get(hdr, "kid"));
	if (kid == NULL || *kid == '\0' || d2[1] == '\0')
		return kid ? IDTOKEN_MALFORMED : IDTOKEN_KID;
	if ((pem = key_for(cfg->google_jwks, kid, ar, &rc)) == NULL)
		return rc;
	if (jwt_decode(&jwt, token, (const unsigned char *)pem,
		(int)strlen(pem)) != 0)
		return IDTOKEN_SIGNATURE;
	rc = jwt_get_alg(jwt) == JWT_ALG_RS256 ? IDTOKEN_OK : IDTOKEN_ALG;
	jwt_free(jwt);
	if (rc != IDTOKEN_OK)
		return rc;
	if ((claims = part_json(d1 + 1, (size_t)(d2 - d1 - 1), ar)) == NULL)
		return IDTOKEN_MALFORMED;
	jsonio_defer(ar, claims);
	return check_claims(cfg, claims, now, out, ar);
}
