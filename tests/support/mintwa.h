/*
 * mintwa.h - a test-only WebAuthn authenticator: an EC key and a
 * credential id, making attestationObjects (fmt "none") and assertions
 * (authenticator data and a DER ES256 signature over authData ||
 * SHA-256(clientDataJSON)), good or broken on purpose.  Linked into
 * tests and fuzz targets, never the server.
 */
#ifndef EHZ_MINTWA_H
#define EHZ_MINTWA_H

#include <stddef.h>
#include <stdint.h>

#define MINTWA_UP 0x01
#define MINTWA_UV 0x04
#define MINTWA_AT 0x40

struct mint_wa;

/* A fresh authenticator with a key on "P-256" (or "P-384"); NULL fails. */
struct mint_wa *mint_wa_new(const char *curve);
void mint_wa_free(struct mint_wa *w);
/* Its credential id (16 random bytes). */
const unsigned char *mint_wa_id(const struct mint_wa *w, size_t *n);
/* base64url of the credential id (static per authenticator). */
const char *mint_wa_id_b64(const struct mint_wa *w);
/* Its COSE_Key (EC2; crv and alg of its curve), malloc'd. */
unsigned char *mint_wa_cose(const struct mint_wa *w, size_t *n);
/* An attestationObject {fmt: "none", attStmt: {}, authData} with the
 * attested credential for rp_id and flags (AT added), malloc'd. */
unsigned char *mint_wa_attestation(const struct mint_wa *w, const char *rp_id,
    unsigned flags, uint32_t count, size_t *n);
/* A clientDataJSON, malloc'd. */
char *mint_wa_client_data(const char *type, const char *challenge,
    const char *origin);
/* An assertion: authData (37 bytes) and a DER signature, malloc'd. */
int mint_wa_assert(const struct mint_wa *w, const char *rp_id, unsigned flags,
    uint32_t count, const char *client_data, unsigned char **ad, size_t *adn,
    unsigned char **sig, size_t *sn);

#endif
