/*
 * mint.c - builds, for tests and stand-ins only, the tokens the server
 * verifies.  JWTs are assembled by hand (not with libjwt) so tests can
 * also make what a careful library refuses to: alg none, HS256 keyed with
 * the RSA public key, a wrong kid, a broken signature.
 */
#include <ctype.h>
#include <jansson.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "buf.h"
#include "mint.h"

/* Standard or url-safe base64, padding optional; malloc'd. */
static unsigned char *
b64dec(const char *in, size_t *n)
{
	size_t len = strlen(in), padded, i;
	char *t;
	unsigned char *out;
	int m;

	while (len && in[len - 1] == '=')
		len--;
	padded = (len + 3) / 4 * 4;
	t = calloc(1, padded + 1);
	out = malloc(padded);
	for (i = 0; i < len; i++)
		t[i] = in[i] == '-' ? '+' : in[i] == '_' ? '/' : in[i];
	for (; i < padded; i++)
		t[i] = '=';
	m = EVP_DecodeBlock(out, (unsigned char *)t, (int)padded);
	free(t);
	if (m < 0) {
		free(out);
		return NULL;
	}
	*n = (size_t)m - (padded - len);
	return out;
}

char *
mint_slurp(const char *path)
{
	size_t n = 0;
	char *buf = buf_read_file(path, &n);

	/* key files: trailing newlines are not part of the key */
	while (buf && n > 0 && isspace((unsigned char)buf[n - 1]))
		buf[--n] = '\0';
	return buf;
}

static int
write_text(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	if (fp == NULL)
		return -1;
	fputs(text, fp);
	return fclose(fp);
}

static int
write_keys(EVP_PKEY *pk, const char *priv, const char *pub)
{
	FILE *fp;
	int ok;

	if ((fp = fopen(priv, "w")) == NULL)
		return -1;
	chmod(priv, 0600);
	ok = PEM_write_PrivateKey(fp, pk, NULL, NULL, 0, NULL, NULL);
	fclose(fp);
	if (!ok || (fp = fopen(pub, "w")) == NULL)
		return -1;
	ok = PEM_write_PUBKEY(fp, pk);
	fclose(fp);
	return ok ? 0 : -1;
}

static char *
bn_b64url(EVP_PKEY *pk, const char *name)
{
	BIGNUM *bn = NULL;
	unsigned char buf[1024];
	int n;
	char *s;

	if (!EVP_PKEY_get_bn_param(pk, name, &bn))
		return NULL;
	n = BN_bn2bin(bn, buf);
	BN_free(bn);
	s = mint_b64url(buf, (size_t)n);
	return s;
}

int
mint_google_keys(const char *dir, const char *kid)
{
	EVP_PKEY *pk = EVP_RSA_gen(2048);
	char priv[4096], pub[4096], jwks[4096], *n = NULL, *e = NULL, *txt;
	json_t *doc = NULL;
	int rc = -1;

	mkdir(dir, 0700);
	snprintf(priv, sizeof(priv), "%s/key.pem", dir);
	snprintf(pub, sizeof(pub), "%s/pub.pem", dir);
	snprintf(jwks, sizeof(jwks), "%s/jwks.json", dir);
	if (pk == NULL || write_keys(pk, priv, pub) < 0 ||
	    (n = bn_b64url(pk, OSSL_PKEY_PARAM_RSA_N)) == NULL ||
	    (e = bn_b64url(pk, OSSL_PKEY_PARAM_RSA_E)) == NULL)
		goto out;
	doc = json_pack("{s:[{s:s,s:s,s:s,s:s,s:s,s:s}]}", "keys", "kty", "RSA",
	    "alg", "RS256", "use", "sig", "kid", kid, "n", n, "e", e);
	txt = json_dumps(doc, JSON_INDENT(2));
	rc = write_text(jwks, txt);
	free(txt);
out:
	json_decref(doc);
	free(n);
	free(e);
	EVP_PKEY_free(pk);
	return rc;
}

static EVP_PKEY *
read_private(const char *path)
{
	FILE *fp = fopen(path, "r");
	EVP_PKEY *pk;

	if (fp == NULL)
		return NULL;
	pk = PEM_read_PrivateKey(fp, NULL, NULL, NULL);
	fclose(fp);
	return pk;
}

/* DER signature of msg with pk (SHA-256); malloc'd. */
static unsigned char *
sign(EVP_PKEY *pk, const char *msg, size_t *n)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char *sig = NULL;

	if (md && EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, pk) > 0 &&
	    EVP_DigestSign(md, NULL, n, (const unsigned char *)msg,
		strlen(msg)) > 0 &&
	    (sig = malloc(*n)) != NULL &&
	    EVP_DigestSign(md, sig, n, (const unsigned char *)msg,
		strlen(msg)) <= 0) {
		free(sig);
		sig = NULL;
	}
	EVP_MD_CTX_free(md);
	return sig;
}

/* ECDSA DER -> the JWS form r||s (32 bytes each). */
static int
der_to_raw(const unsigned char *der, size_t n, unsigned char *raw)
{
	ECDSA_SIG *s = d2i_ECDSA_SIG(NULL, &der, (long)n);
	const BIGNUM *r, *ss;

	if (s == NULL)
		return -1;
	ECDSA_SIG_get0(s, &r, &ss);
	BN_bn2binpad(r, raw, 32);
	BN_bn2binpad(ss, raw + 32, 32);
	ECDSA_SIG_free(s);
	return 0;
}

/* header.payload.signature from JSON header and payload. */
static char *
compact(json_t *hdr, json_t *payload, const char *alg, EVP_PKEY *pk,
    const char *hmac_key, int bad)
{
	char *h = json_dumps(hdr, JSON_COMPACT),
	     *p = json_dumps(payload, JSON_COMPACT);
	char *hb = mint_b64url((unsigned char *)h, strlen(h));
	char *pb = mint_b64url((unsigned char *)p, strlen(p));
	char *msg = malloc(strlen(hb) + strlen(pb) + 2), *sb = NULL, *out;
	unsigned char *sig = NULL, mac[64], raw[64];
	unsigned int maclen = 0;
	size_t n = 0;

	sprintf(msg, "%s.%s", hb, pb);
	if (strcmp(alg, "none") == 0) {
		sb = strdup("");
	} else if (strcmp(alg, "HS256") == 0) {
		HMAC(EVP_sha256(), hmac_key, (int)strlen(hmac_key),
		    (unsigned char *)msg, strlen(msg), mac, &maclen);
		sb = mint_b64url(mac, maclen);
	} else if ((sig = sign(pk, msg, &n)) != NULL) {
		if (strcmp(alg, "ES256") == 0) {
			if (der_to_raw(sig, n, raw) == 0)
				sb = mint_b64url(raw, 64);
		} else {
			if (bad)
				sig[n / 2] ^= 0x01;
			sb = mint_b64url(sig, n);
		}
	}
	out = NULL;
	if (sb) {
		out = malloc(strlen(msg) + strlen(sb) + 2);
		sprintf(out, "%s.%s", msg, sb);
	}
	free(h);
	free(p);
	free(hb);
	free(pb);
	free(msg);
	free(sb);
	free(sig);
	return out;
}

void
mint_google_init(struct mint_google *o, const char *key, const char *kid,
    const char *email, const char *aud)
{
	memset(o, 0, sizeof(*o));
	o->key = key;
	o->kid = kid;
	o->email = email;
	o->aud = aud;
	o->iss = "https://accounts.google.com";
	o->exp_in = 3600;
	o->alg = "RS256";
}

char *
mint_google(const struct mint_google *o)
{
	EVP_PKEY *pk = read_private(o->key);
	json_t *hdr, *c;
	char *out = NULL, *pubpem = NULL, pubpath[4096], *slash;
	long long now = (long long)time(NULL);
	const char *alg = o->alg ? o->alg : "RS256";

	if (pk == NULL)
		return NULL;
	hdr = json_pack("{s:s,s:s}", "alg", alg, "typ", "JWT");
	if (o->kid)
		json_object_set_new(hdr, "kid", json_string(o->kid));
	c = json_pack("{s:s,s:s,s:s,s:s,s:b,s:I,s:I,s:s}", "iss",
	    o->iss ? o->iss : "https://accounts.google.com", "aud",
	    o->aud ? o->aud : "", "sub", "1000000000000000000001", "email",
	    o->email, "email_verified", !o->email_unverified, "iat",
	    (json_int_t)(now + o->iat_in), "exp", (json_int_t)(now + o->exp_in),
	    "azp", o->aud ? o->aud : "");
	if (o->hd)
		json_object_set_new(c, "hd", json_string(o->hd));
	json_object_set_new(c, "name",
	    json_string(o->name ? o->name : "Test User"));
	if (strcmp(alg, "HS256") == 0) {
		/* the confusion attack: the public key text as HMAC secret */
		snprintf(pubpath, sizeof(pubpath), "%s", o->key);
		slash = strrchr(pubpath, '/');
		snprintf(slash ? slash + 1 : pubpath,
		    sizeof(pubpath) - (size_t)(slash ? slash + 1 - pubpath : 0),
		    "pub.pem");
		if ((pubpem = mint_slurp(pubpath)) != NULL) {
			/* libjwt/OpenSSL read the file with its newline */
			char *t = malloc(strlen(pubpem) + 2);
			sprintf(t, "%s\n", pubpem);
			free(pubpem);
			pubpem = t;
		}
	}
	if (strcmp(alg, "HS256") != 0 || pubpem)
		out = compact(hdr, c,
		    strcmp(alg, "none") == 0        ? "none"
			: strcmp(alg, "HS256") == 0 ? "HS256"
						    : "RS256",
		    pk, pubpem, o->bad_signature);
	free(pubpem);
	json_decref(hdr);
	json_decref(c);
	EVP_PKEY_free(pk);
	return out;
}

int
mint_integrity_keys(const char *dir)
{
	EVP_PKEY *pk = EVP_EC_gen("P-256");
	unsigned char k[32];
	char priv[4096], pub[4096], dec[4096], *kb;
	int rc = -1;

	mkdir(dir, 0700);
	snprintf(priv, sizeof(priv), "%s/signing.pem", dir);
	snprintf(pub, sizeof(pub), "%s/verification.pem", dir);
	snprintf(dec, sizeof(dec), "%s/decryption.key", dir);
	if (pk == NULL || write_keys(pk, priv, pub) < 0 ||
	    RAND_bytes(k, sizeof(k)) != 1)
		goto out;
	/* Play Console shows standard base64; keep that form. */
	kb = malloc(64);
	EVP_EncodeBlock((unsigned char *)kb, k, sizeof(k));
	rc = write_text(dec, kb);
	chmod(dec, 0600);
	free(kb);
out:
	EVP_PKEY_free(pk);
	return rc;
}

void
mint_integrity_init(struct mint_integrity *o, const char *dec_key,
    const char *sign_key, const char *package, const char *nonce,
    const char *device)
{
	memset(o, 0, sizeof(*o));
	o->dec_key = dec_key;
	o->sign_key = sign_key;
	o->package = package;
	o->nonce = nonce;
	o->app_verdict = "PLAY_RECOGNIZED";
	o->device = device;
	o->alg = "ES256";
	o->enc = "A256GCM";
}

static json_t *
labels(const char *list)
{
	json_t *a = json_array();
	char *copy = strdup(list ? list : ""), *save = NULL, *t;

	for (t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
		json_array_append_new(a, json_string(t));
	free(copy);
	return a;
}

static char *
jwe(const unsigned char *kek, const char *enc, const char *pt)
{
	unsigned char cek[32], w[40], iv[12], tag[16], *ct;
	char *hb, *wb, *ivb, *ctb, *tagb, *h, *out;
	EVP_CIPHER_CTX *ctx;
	int n = 0, m = 0;
	json_t *hdr = json_pack("{s:s,s:s}", "alg", "A256KW", "enc", enc);

	h = json_dumps(hdr, JSON_COMPACT);
	json_decref(hdr);
	hb = mint_b64url((unsigned char *)h, strlen(h));
	free(h);
	RAND_bytes(cek, sizeof(cek));
	RAND_bytes(iv, sizeof(iv));
	ctx = EVP_CIPHER_CTX_new();
	EVP_CIPHER_CTX_set_flags(ctx, EVP_CIPHER_CTX_FLAG_WRAP_ALLOW);
	EVP_EncryptInit_ex(ctx, EVP_aes_256_wrap(), NULL, kek, NULL);
	EVP_EncryptUpdate(ctx, w, &n, cek, sizeof(cek));
	EVP_EncryptFinal_ex(ctx, w + n, &m);
	EVP_CIPHER_CTX_free(ctx);
	ct = malloc(strlen(pt) + 16);
	ctx = EVP_CIPHER_CTX_new();
	EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL);
	EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, 12, NULL);
	EVP_EncryptInit_ex(ctx, NULL, NULL, cek, iv);
	EVP_EncryptUpdate(ctx, NULL, &n, (unsigned char *)hb, (int)strlen(hb));
	EVP_EncryptUpdate(ctx, ct, &n, (const unsigned char *)pt,
	    (int)strlen(pt));
	EVP_EncryptFinal_ex(ctx, ct + n, &m);
	EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, tag);
	EVP_CIPHER_CTX_free(ctx);
	wb = mint_b64url(w, sizeof(w));
	ivb = mint_b64url(iv, sizeof(iv));
	ctb = mint_b64url(ct, (size_t)(n + m));
	tagb = mint_b64url(tag, sizeof(tag));
	out = malloc(strlen(hb) + strlen(wb) + strlen(ivb) + strlen(ctb) +
	    strlen(tagb) + 5);
	sprintf(out, "%s.%s.%s.%s.%s", hb, wb, ivb, ctb, tagb);
	free(hb);
	free(wb);
	free(ivb);
	free(ctb);
	free(tagb);
	free(ct);
	return out;
}

char *
mint_integrity(const struct mint_integrity *o)
{
	EVP_PKEY *pk = read_private(o->sign_key);
	char *keytext = NULL, *jws, *out = NULL, ts[32];
	unsigned char *kek = NULL;
	size_t kn = 0;
	struct stat st;
	json_t *hdr, *c, *rd;
	long long now_ms = (long long)time(NULL) * 1000;

	if (pk == NULL)
		return NULL;
	keytext = stat(o->dec_key, &st) == 0 ? mint_slurp(o->dec_key)
					     : strdup(o->dec_key);
	if (keytext == NULL || (kek = b64dec(keytext, &kn)) == NULL || kn != 32)
		goto out;
	snprintf(ts, sizeof(ts), "%lld",
	    o->timestamp_ms ? o->timestamp_ms : now_ms);
	rd = json_pack("{s:s,s:s}", "requestPackageName", o->package,
	    "timestampMillis", ts);
	if (o->nonce)
		json_object_set_new(rd, "nonce", json_string(o->nonce));
	c = json_pack("{s:o,s:{s:s,s:s,s:[s],s:s},s:{s:o},s:{s:s}}",
	    "requestDetails", rd, "appIntegrity", "appRecognitionVerdict",
	    o->app_verdict ? o->app_verdict : "PLAY_RECOGNIZED", "packageName",
	    o->package, "certificateSha256Digest", "AAAA", "versionCode", "1",
	    "deviceIntegrity", "deviceRecognitionVerdict", labels(o->device),
	    "accountDetails", "appLicensingVerdict", "LICENSED");
	hdr = json_pack("{s:s}", "alg", o->alg ? o->alg : "ES256");
	jws = compact(hdr, c,
	    o->alg && strcmp(o->alg, "none") == 0 ? "none" : "ES256", pk, NULL,
	    0);
	json_decref(hdr);
	json_decref(c);
	if (jws)
		out = jwe(kek, o->enc ? o->enc : "A256GCM", jws);
	free(jws);
out:
	free(keytext);
	free(kek);
	EVP_PKEY_free(pk);
	return out;
}
