/*
 * crypto.h - CSPRNG, hashes, constant-time compare and base64url (OpenSSL).
 */
#ifndef EHZ_CRYPTO_H
#define EHZ_CRYPTO_H

#include <openssl/types.h>
#include <stddef.h>

#include "arena.h"

/* Random bytes from the OS CSPRNG; 0 or -1. */
int crypto_random(void *buf, size_t n);
/* n random bytes as 2n lowercase hex characters. */
char *crypto_random_hex(size_t n, struct arena *ar);
/* SHA-256 of s as 64 hex characters. */
char *crypto_sha256_hex(const char *s, size_t len, struct arena *ar);
/* HMAC-SHA256(key, s) truncated to n hex characters. */
char *
crypto_hmac_hex(const char *key, const char *s, size_t n, struct arena *ar);
/* Constant-time comparison of two equal-length byte strings. */
int crypto_equal(const void *a, const void *b, size_t n);
/* base64url (no padding) of buf; arena memory. */
char *crypto_b64url(const void *buf, size_t n, struct arena *ar);
/* Decodes base64url (padding optional); NULL on bad input. */
unsigned char *crypto_b64url_decode(const char *s, size_t *n, struct arena *ar);
/*
 * The P-256 public key of an uncompressed point (0x04 || x || y); NULL
 * when the point is not on the curve.  EVP_PKEY_free() it.
 */
EVP_PKEY *crypto_p256_key(const unsigned char point[65]);

#endif
