/*
 * webpush.h - the Web Push protocol the relay speaks to browsers' push
 * services, and the subscription checks the workers apply: RFC 8291
 * message encryption (aes128gcm: ECDH P-256, HKDF-SHA256, AES-128-GCM),
 * RFC 8292 VAPID (an ES256 JWT signed with the server's P-256 key, and
 * that key's public half, which the app gives PushManager.subscribe) and
 * the payload a push carries.  OpenSSL only; no network here (the relay's
 * push.c sends, RFC 8030).
 */
#ifndef EHZ_WEBPUSH_H
#define EHZ_WEBPUSH_H

#include <openssl/evp.h>
#include <stddef.h>

#define WEBPUSH_P256DH_LEN 65     /* uncompressed P-256 point */
#define WEBPUSH_AUTH_LEN 16       /* the subscription's auth secret */
#define WEBPUSH_ENDPOINT_MAX 1024 /* bytes of an endpoint URL */
#define WEBPUSH_RS 4096           /* record size: one record per push */
#define WEBPUSH_HEADER_LEN (16 + 4 + 1 + WEBPUSH_P256DH_LEN)
/* The most plaintext one record holds (rs - tag - delimiter - header). */
#define WEBPUSH_PLAIN_MAX (WEBPUSH_RS - 16 - 1 - WEBPUSH_HEADER_LEN)
#define WEBPUSH_PUB_B64_LEN 87   /* base64url of 65 bytes, no padding */
#define WEBPUSH_JWT_LIFE_S 43200 /* 12 h; RFC 8292 allows up to 24 h */

/* Decodes base64url (no padding) of at most cap bytes; the length or -1. */
long webpush_b64url_decode(const char *s, unsigned char *out, size_t cap);

/* A PEM P-256 private key file (the VAPID key); NULL with err set. */
EVP_PKEY *webpush_key_load(const char *path, char *err, size_t errlen);

/* A P-256 private key from its 32-byte scalar (tests); NULL on error. */
EVP_PKEY *webpush_key_from_raw(const unsigned char d[32]);

/* A P-256 public key from an uncompressed point, checked to lie on the
 * curve; NULL when it does not. */
EVP_PKEY *webpush_pub_from_raw(const unsigned char *pt, size_t n);

/* The same without the full validation (a scalar multiplication): only
 * on the curve, as OpenSSL's decoding checks.  For every push. */
EVP_PKEY *webpush_pub_decode(const unsigned char *pt, size_t n);

/* The 65-byte uncompressed public point of k; 0 or -1. */
int webpush_pub_raw(EVP_PKEY *k, unsigned char out[WEBPUSH_P256DH_LEN]);

/* The same as base64url text (the applicationServerKey); 0 or -1. */
int webpush_pub_b64(EVP_PKEY *k, char out[WEBPUSH_PUB_B64_LEN + 1]);

/*
 * Encrypts plain (at most WEBPUSH_PLAIN_MAX bytes) for the subscription
 * (ua_pub, auth) as one aes128gcm record with its header (RFC 8188/8291).
 * as_key and salt are the sender's one-off key and salt: NULL for fresh
 * ones (always, except the RFC's worked example in the tests).  *out is
 * malloc'd.  0, or -1.
 */
int webpush_encrypt(const unsigned char ua_pub[WEBPUSH_P256DH_LEN],
    const unsigned char auth[WEBPUSH_AUTH_LEN], const void *plain, size_t n,
    EVP_PKEY *as_key, const unsigned char *salt, unsigned char **out,
    size_t *outlen);

/*
 * The RFC 8292 audience of an endpoint: scheme://host[:port], no path.
 * 0, or -1 when it is not an http(s) URL or does not fit.
 */
int webpush_audience(const char *endpoint, char *buf, size_t cap);

/*
 * The Authorization header value "vapid t=<JWT>, k=<public key>" for
 * endpoint's audience, signed with key (ES256), sub = subject, exp =
 * exp_s.  malloc'd; NULL on error.
 */
char *webpush_vapid(EVP_PKEY *key, const char *endpoint, const char *subject,
    long long exp_s);

/*
 * Checks a subscription from the app: an https endpoint (http too when
 * allow_http: the test stand-in) of at most WEBPUSH_ENDPOINT_MAX bytes
 * with a host and no spaces or control characters, p256dh the base64url
 * of a P-256 point, auth of 16 bytes.  NULL when good, else why not.
 */
const char *webpush_check(const char *endpoint, const char *p256dh,
    const char *auth, int allow_http);

/*
 * The text a Web Push carries for an outbox payload
 * ({"notification":{...},"data":{...}}): the same two objects, with any
 * "otp" key left out, compact JSON.  malloc'd; NULL when the payload is
 * not a JSON object or the result would not fit one record.
 */
char *webpush_payload(const char *payload);

#endif
