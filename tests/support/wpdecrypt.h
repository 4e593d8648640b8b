/*
 * wpdecrypt.h - the receiving half of Web Push, for the stand-in and the
 * tests: what a push service checks (the VAPID Authorization header) and
 * what a browser does with the body (RFC 8291 decryption with the
 * subscription's private key).  Written from the RFCs apart from
 * fcgi/domain/webpush.c's sender, sharing only its key import.
 */
#ifndef EHZ_WPDECRYPT_H
#define EHZ_WPDECRYPT_H

#include <openssl/evp.h>
#include <stddef.h>

/*
 * Decrypts an aes128gcm body (one record) for the subscription whose
 * private key is ua_key and auth secret auth.  *plain is malloc'd and
 * NUL-terminated.  NULL on success, else what was wrong.
 */
const char *wp_decrypt(EVP_PKEY *ua_key, const unsigned char auth[16],
    const unsigned char *body, size_t n, char **plain, size_t *plainlen);

/*
 * Checks an Authorization header "vapid t=JWT, k=KEY" (RFC 8292): the
 * ES256 signature against k, typ/alg, aud == audience, exp in the future
 * and at most 24 h away, a sub.  On success copies k into key_out (cap
 * bytes) and returns NULL; else what was wrong.
 */
const char *wp_check_vapid(const char *authz, const char *audience,
    long long now_s, char *key_out, size_t cap);

#endif
