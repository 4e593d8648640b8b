/*
 * integrity.c - Play Integrity verdicts, decrypted and verified locally.
 *
 * A classic Play Integrity token is a compact JWE (RFC 7516): the content
 * key wrapped with A256KW under the app's decryption key, the content
 * encrypted with A256GCM (the encoded protected header is the AAD).  Inside
 * is a compact JWS signed ES256 with Google's key for the app, whose
 * payload is the verdict JSON (docs/tech-notes.md,
 * "Play Integrity tokens: JWE of JWS").  Both algorithms are pinned:
 * a token naming any other is refused before a key is used, and libjwt
 * (which would trust the header) only sees ES256 tokens.
 *
 * This file checks what needs no database: decryption, signature, package
 * name, age and the verdict labels.  The nonce (single use) is checked by
 * the caller in the sign-in transaction.
 */
#include <ctype.h>
#include <jansson.h>
#include <jwt.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "crypto.h"
#include "config.h"
#include "jsonio.h"
#include "integrity.h"
#include "log.h"

#define MAX_TOKEN (64 * 1024)
#define MAX_KEYFILE 16384

const char *
integrity_level_name(enum integrity_level l)
{
	switch (l) {
	case INTEGRITY_STRONG:
		return "STRONG";
	case INTEGRITY_BASIC:
		return "BASIC";
	default:
		return "FAIL";
	}
}

int
integrity_level_parse(const char *s)
{
	if (s && strcmp(s, "STRONG") == 0)
		return INTEGRITY_STRONG;
	if (s && strcmp(s, "BASIC") == 0)
		return INTEGRITY_BASIC;
	if (s && strcmp(s, "FAIL") == 0)
		return INTEGRITY_FAIL;
	return -1;
}

const char *
integrity_label_name(enum integrity_label l)
{
	static const char *const names[] = { "NONE", "BASIC", "DEVICE",
		"STRONG" };

	return l >= INTEGRITY_LABEL_NONE && l <= INTEGRITY_LABEL_STRONG
	    ? names[l]
	    : "NONE";
}

int
integrity_label_parse(const char *s)
{
	if (s && strcmp(s, "STRONG") == 0)
		return INTEGRITY_LABEL_STRONG;
	if (s && strcmp(s, "DEVICE") == 0)
		return INTEGRITY_LABEL_DEVICE;
	if (s && strcmp(s, "BASIC") == 0)
		return INTEGRITY_LABEL_BASIC;
	return -1;
}

/*
 * The seed's column has no DEVICE: a certified phone is BASIC there, and
 * only "no label at all" is FAIL (what blocks the account), so a rooted
 * phone (BASIC label) is refused by policy, not punished as a cheat.
 */
enum integrity_level
integrity_label_level(enum integrity_label l)
{
	return l == INTEGRITY_LABEL_STRONG ? INTEGRITY_STRONG
	    : l == INTEGRITY_LABEL_NONE    ? INTEGRITY_FAIL
					   : INTEGRITY_BASIC;
}

const char *
integrity_reason(int rc)
{
	switch (rc) {
	case INTEGRITY_OK:
		return "ok";
	case INTEGRITY_SIGNATURE:
		return "the integrity verdict is not signed by Google";
	case INTEGRITY_KEYS:
		return "integrity keys are not configured";
	case INTEGRITY_PACKAGE:
		return "the integrity verdict is for another app";
	case INTEGRITY_STALE:
		return "the integrity verdict is too old";
	default:
		return "the integrity token is malformed";
	}
}

/* A config value that is either the text itself or a file holding it. */
static char *
value_or_file(const char *v, struct arena *ar)
{
	struct stat st;
	FILE *fp;
	char *buf, *s, *e;
	size_t n;

	if (v == NULL || *v == '\0')
		return NULL;
	if (stat(v, &st) != 0)
		return arena_strdup(ar, v);
	if (!S_ISREG(st.st_mode) || st.st_size > MAX_KEYFILE ||
	    (fp = fopen(v, "r")) == NULL ||
	    (buf = arena_alloc(ar, (size_t)st.st_size + 1)) == NULL) {
		log_error("integrity: cannot read key file '%s'", v);
		return NULL;
	}
	n = fread(buf, 1, (size_t)st.st_size, fp);
	fclose(fp);
	buf[n] = '\0';
	for (s = buf; isspace((unsigned char)*s); s++)
		;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* The verification key as PEM; base64 DER (as Play Console gives it) too. */
static char *
verification_pem(const char *v, struct arena *ar)
{
	char *text = value_or_file(v, ar), *pem, *p;
	size_t n, i;

	if (text == NULL)
		return NULL;
	if (strstr(text, "-----BEGIN PUBLIC KEY-----"))
		return text;
	n = strlen(text);
	if ((pem = arena_alloc(ar, n + n / 64 + 64)) == NULL)
		return NULL;
	p = pem + sprintf(pem, "-----BEGIN PUBLIC KEY-----\n");
	for (i = 0; i < n; i++) {
		*p++ = text[i];
		if (i % 64 == 63)
			*p++ = '\n';
	}
	sprintf(p, "\n-----END PUBLIC KEY-----\n");
	return pem;
}

static unsigned char *
part(const char *s, size_t len, size_t *n, struct arena *ar)
{
	char *seg = arena_strndup(ar, s, len);

	return seg ? crypto_b64url_decode(seg, n, ar) : NULL;
}

static json_t *
part_json(const char *s, size_t len, struct arena *ar)
{
	unsigned char *raw;
	size_t n;
	json_t *j;

	if ((raw = part(s, len, &n, ar)) == NULL ||
	    (j = json_loadb((const char *)raw, n, JSON_REJECT_DUPLICATES,
		 NULL)) == NULL)
		return NULL;
	jsonio_defer(ar, j);
	return j;
}

/* Splits a compact serialisation into exactly want parts. */
static int
split(const char *tok, const char **p, size_t *len, int want)
{
	int i = 0;
	const char *s = tok, *d;

	for (;;) {
		if (i == want)
			return -1;
		p[i] = s;
		d = strchr(s, '.');
		len[i] = d ? (size_t)(d - s) : strlen(s);
		i++;
		if (d == NULL)
			break;
		s = d + 1;
	}
	return i == want ? 0 : -1;
}

/* AES key unwrap (RFC 3394) of the 40-byte wrapped key into cek[32]. */
static int
unwrap(const unsigned char *kek, const unsigned char *w, size_t wn,
    unsigned char *cek)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	unsigned char out[48];
	int n = 0, m = 0, ok;

	if (ctx == NULL || wn != 40) {
		EVP_CIPHER_CTX_free(ctx);
		return -1;
	}
	EVP_CIPHER_CTX_set_flags(ctx, EVP_CIPHER_CTX_FLAG_WRAP_ALLOW);
	ok = EVP_DecryptInit_ex(ctx, EVP_aes_256_wrap(), NULL, kek, NULL) &&
	    EVP_DecryptUpdate(ctx, out, &n, w, (int)wn) &&
	    EVP_DecryptFinal_ex(ctx, out + n, &m) && n + m == 32;
	EVP_CIPHER_CTX_free(ctx);
	if (ok)
		memcpy(cek, out, 32);
	return ok ? 0 : -1;
}

static char *
gcm_open(const unsigned char *cek, const unsigned char *iv, size_t ivn,
    const char *aad, size_t aadn, const unsigned char *ct, size_t ctn,
    unsigned char *tag, size_t tagn, struct arena *ar)
{
	EVP_CIPHER_CTX *ctx;
	unsigned char *pt;
	int n = 0, m = 0, ok;

	if (ivn != 12 || tagn != 16 || ctn > MAX_TOKEN ||
	    (pt = arena_alloc(ar, ctn + 1)) == NULL ||
	    (ctx = EVP_CIPHER_CTX_new()) == NULL)
		return NULL;
	ok = EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL) &&
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, 12, NULL) &&
	    EVP_DecryptInit_ex(ctx, NULL, NULL, cek, iv) &&
	    EVP_DecryptUpdate(ctx, NULL, &n, (const unsigned char *)aad,
		(int)aadn) &&
	    EVP_DecryptUpdate(ctx, pt, &n, ct, (int)ctn) &&
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, 16, tag) &&
	    EVP_DecryptFinal_ex(ctx, pt + n, &m) > 0;
	EVP_CIPHER_CTX_free(ctx);
	if (!ok)
		return NULL;
	pt[n + m] = '\0';
	return (char *)pt;
}

/* The JWS inside the JWE, or NULL (rc set). */
static char *
decrypt(const struct config *cfg, const char *tok, struct arena *ar, int *rc)
{
	const char *p[5], *alg, *enc;
	size_t len[5], kn, wn, ivn, ctn, tagn;
	unsigned char *kek, *w, *iv, *ct, *tag, cek[32];
	json_t *hdr;
	char *text, *pt;

	*rc = INTEGRITY_KEYS;
	if ((text = value_or_file(cfg->integrity_dec_key, ar)) == NULL ||
	    (kek = crypto_b64url_decode(text, &kn, ar)) == NULL || kn != 32) {
		log_error("integrity: INTEGRITY_DECRYPTION_KEY is not a "
			  "base64 AES-256 key");
		return NULL;
	}
	*rc = INTEGRITY_MALFORMED;
	if (split(tok, p, len, 5) < 0 ||
	    (hdr = part_json(p[0], len[0], ar)) == NULL)
		return NULL;
	alg = json_string_value(json_object_get(hdr, "alg"));
	enc = json_string_value(json_object_get(hdr, "enc"));
	if (!alg || !enc || strcmp(alg, "A256KW") != 0 ||
	    strcmp(enc, "A256GCM") != 0 || json_object_get(hdr, "zip"))
		return NULL;
	if ((w = part(p[1], len[1], &wn, ar)) == NULL ||
	    (iv = part(p[2], len[2], &ivn, ar)) == NULL ||
	    (ct = part(p[3], len[3], &ctn, ar)) == NULL ||
	    (tag = part(p[4], len[4], &tagn, ar)) == NULL ||
	    unwrap(kek, w, wn, cek) < 0)
		return NULL;
	pt = gcm_open(cek, iv, ivn, p[0], len[0], ct, ctn, tag, tagn, ar);
	OPENSSL_cleanse(cek, sizeof(cek));
	return pt;
}

static long long
ts_value(json_t *v)
{
	if (json_is_integer(v))
		return json_integer_value(v);
	if (json_is_string(v))
		return strtoll(json_string_value(v), NULL, 10);
	return -1;
}

/* MEETS_VIRTUAL_INTEGRITY (emulators) and unknown labels count as none. */
static int
label_of(const char *s)
{
	if (s == NULL)
		return INTEGRITY_LABEL_NONE;
	if (strcmp(s, "MEETS_STRONG_INTEGRITY") == 0)
		return INTEGRITY_LABEL_STRONG;
	if (strcmp(s, "MEETS_DEVICE_INTEGRITY") == 0)
		return INTEGRITY_LABEL_DEVICE;
	if (strcmp(s, "MEETS_BASIC_INTEGRITY") == 0)
		return INTEGRITY_LABEL_BASIC;
	return INTEGRITY_LABEL_NONE;
}

static int
read_verdict(const struct config *cfg, json_t *c, long long now_ms,
    struct integrity_verdict *out, struct arena *ar)
{
	json_t *rd = json_object_get(c, "requestDetails"), *labels, *l;
	const char *pkg, *nonce, *app;
	long long ts;
	enum integrity_label best = INTEGRITY_LABEL_NONE;
	size_t i;

	pkg = json_string_value(json_object_get(rd, "requestPackageName"));
	nonce = json_string_value(json_object_get(rd, "nonce"));
	ts = ts_value(json_object_get(rd, "timestampMillis"));
	app = json_string_value(
	    json_object_get(json_object_get(c, "appIntegrity"),
		"appRecognitionVerdict"));
	labels = json_object_get(json_object_get(c, "deviceIntegrity"),
	    "deviceRecognitionVerdict");
	if (pkg == NULL || ts < 0)
		return INTEGRITY_MALFORMED;
	if (strcmp(pkg, cfg->integrity_package) != 0)
		return INTEGRITY_PACKAGE;
	if (now_ms - ts > cfg->integrity_max_age * 1000LL ||
	    ts - now_ms > cfg->clock_skew * 1000LL)
		return INTEGRITY_STALE;
	json_array_foreach(labels, i, l)
	{
		int got = label_of(json_string_value(l));

		if (got > (int)best)
			best = (enum integrity_label)got;
	}
	out->package = arena_strdup(ar, pkg);
	out->nonce = nonce ? arena_strdup(ar, nonce) : NULL;
	out->timestamp_ms = ts;
	out->app_recognized = app && strcmp(app, "PLAY_RECOGNIZED") == 0;
	out->label = best;
	out->level = integrity_label_level(best);
	/* A repackaged or unknown build is as untrustworthy as a bad device. */
	if (!out->app_recognized)
		out->level = INTEGRITY_FAIL;
	return INTEGRITY_OK;
}

int
integrity_verify(const struct config *cfg, const char *token, long long now_ms,
    struct integrity_verdict *out, struct arena *ar)
{
	const char *p[3], *alg;
	size_t len[3];
	json_t *hdr, *claims;
	jwt_t *jwt = NULL;
	char *jws, *pem;
	int rc;

	memset(out, 0, sizeof(*out));
	if (token == NULL || strlen(token) > MAX_TOKEN)
		return INTEGRITY_MALFORMED;
	if ((jws = decrypt(cfg, token, ar, &rc)) == NULL)
		return rc;
	if (split(jws, p, len, 3) < 0 ||
	    (hdr = part_json(p[0], len[0], ar)) == NULL)
		return INTEGRITY_MALFORMED;
	alg = json_string_value(json_object_get(hdr, "alg"));
	if (alg == NULL || strcmp(alg, "ES256") != 0 || len[2] == 0)
		return INTEGRITY_SIGNATURE;
	if ((pem = verification_pem(cfg->integrity_ver_key, ar)) == NULL) {
		log_error("integrity: INTEGRITY_VERIFICATION_KEY is not set");
		return INTEGRITY_KEYS;
	}
	if (jwt_decode(&jwt, jws, (const unsigned char *)pem,
		(int)strlen(pem)) != 0)
		return INTEGRITY_SIGNATURE;
	rc = jwt_get_alg(jwt) == JWT_ALG_ES256 ? INTEGRITY_OK
					       : INTEGRITY_SIGNATURE;
	jwt_free(jwt);
	if (rc != INTEGRITY_OK)
		return rc;
	if ((claims = part_json(p[1], len[1], ar)) == NULL)
		return INTEGRITY_MALFORMED;
	return read_verdict(cfg, claims, now_ms, out, ar);
}
