/*
 * mintwa.c - the test authenticator of mintwa.h with OpenSSL (keys,
 * signatures) and libcbor (the CBOR a browser hands over).
 */
#include <cbor.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mint.h"
#include "mintwa.h"

struct mint_wa {
	EVP_PKEY *pk;
	unsigned char id[16], pub[133];
	size_t clen;
	char *id_b64;
};

struct mint_wa *
mint_wa_new(const char *curve)
{
	struct mint_wa *w = calloc(1, sizeof(*w));
	size_t n = 0;

	if (w == NULL || (w->pk = EVP_EC_gen(curve)) == NULL ||
	    !EVP_PKEY_get_octet_string_param(w->pk, OSSL_PKEY_PARAM_PUB_KEY,
		w->pub, sizeof(w->pub), &n) ||
	    n < 65 || RAND_bytes(w->id, sizeof(w->id)) != 1) {
		mint_wa_free(w);
		return NULL;
	}
	w->clen = (n - 1) / 2;
	w->id_b64 = mint_b64url(w->id, sizeof(w->id));
	return w;
}

void
mint_wa_free(struct mint_wa *w)
{
	if (w == NULL)
		return;
	EVP_PKEY_free(w->pk);
	free(w->id_b64);
	free(w);
}

const unsigned char *
mint_wa_id(const struct mint_wa *w, size_t *n)
{
	*n = sizeof(w->id);
	return w->id;
}

const char *
mint_wa_id_b64(const struct mint_wa *w)
{
	return w->id_b64;
}

static void
put_int(cbor_item_t *map, int k, int v)
{
	cbor_map_add(map,
	    (struct cbor_pair){ .key = cbor_move(k < 0
					? cbor_build_negint8((uint8_t)(-1 - k))
					: cbor_build_uint8((uint8_t)k)),
		.value = cbor_move(v < 0 ? cbor_build_negint8((uint8_t)(-1 - v))
					 : cbor_build_uint8((uint8_t)v)) });
}

static unsigned char *
serialize(cbor_item_t *it, size_t *n)
{
	unsigned char *buf = NULL;
	size_t size = 0;

	*n = cbor_serialize_alloc(it, &buf, &size);
	cbor_decref(&it);
	return buf;
}

unsigned char *
mint_wa_cose(const struct mint_wa *w, size_t *n)
{
	cbor_item_t *m = cbor_new_definite_map(5);

	put_int(m, 1, 2);
	put_int(m, 3, w->clen == 32 ? -7 : -35);
	put_int(m, -1, w->clen == 32 ? 1 : 2);
	cbor_map_add(m,
	    (struct cbor_pair){ .key = cbor_move(cbor_build_negint8(1)),
		.value =
		    cbor_move(cbor_build_bytestring(w->pub + 1, w->clen)) });
	cbor_map_add(m,
	    (struct cbor_pair){ .key = cbor_move(cbor_build_negint8(2)),
		.value = cbor_move(
		    cbor_build_bytestring(w->pub + 1 + w->clen, w->clen)) });
	return serialize(m, n);
}

/* rpIdHash, flags, count: the 37 bytes every authData starts with. */
static void
ad_head(unsigned char *p, const char *rp_id, unsigned flags, uint32_t count)
{
	SHA256((const unsigned char *)rp_id, strlen(rp_id), p);
	p[32] = (unsigned char)flags;
	p[33] = (unsigned char)(count >> 24);
	p[34] = (unsigned char)(count >> 16);
	p[35] = (unsigned char)(count >> 8);
	p[36] = (unsigned char)count;
}

unsigned char *
mint_wa_attestation(const struct mint_wa *w, const char *rp_id, unsigned flags,
    uint32_t count, size_t *n)
{
	size_t cn, an = 37 + 16 + 2 + sizeof(w->id);
	unsigned char *cose = mint_wa_cose(w, &cn), *ad = malloc(an + cn);
	cbor_item_t *m = cbor_new_definite_map(3);

	ad_head(ad, rp_id, flags | MINTWA_AT, count);
	memset(ad + 37, 0, 16); /* AAGUID: none */
	ad[53] = 0;
	ad[54] = sizeof(w->id);
	memcpy(ad + 55, w->id, sizeof(w->id));
	memcpy(ad + an, cose, cn);
	cbor_map_add(m,
	    (struct cbor_pair){ .key = cbor_move(cbor_build_string("fmt")),
		.value = cbor_move(cbor_build_string("none")) });
	cbor_map_add(m,
	    (struct cbor_pair){ .key = cbor_move(cbor_build_string("attStmt")),
		.value = cbor_move(cbor_new_definite_map(0)) });
	cbor_map_add(m,
	    (struct cbor_pair){ .key = cbor_move(cbor_build_string("authData")),
		.value = cbor_move(cbor_build_bytestring(ad, an + cn)) });
	free(cose);
	free(ad);
	return serialize(m, n);
}

char *
mint_wa_client_data(const char *type, const char *challenge, const char *origin)
{
	char *s = malloc(strlen(challenge) + strlen(origin) + 128);

	sprintf(s,
	    "{\"type\":\"%s\",\"challenge\":\"%s\",\"origin\":\"%s\","
	    "\"crossOrigin\":false}",
	    type, challenge, origin);
	return s;
}

int
mint_wa_assert(const struct mint_wa *w, const char *rp_id, unsigned flags,
    uint32_t count, const char *client_data, unsigned char **ad, size_t *adn,
    unsigned char **sig, size_t *sn)
{
	unsigned char h[32];
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	int ok;

	*ad = malloc(37);
	*adn = 37;
	*sig = malloc(160);
	*sn = 160;
	ad_head(*ad, rp_id, flags, count);
	SHA256((const unsigned char *)client_data, strlen(client_data), h);
	ok = md != NULL &&
	    EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, w->pk) == 1 &&
	    EVP_DigestSignUpdate(md, *ad, 37) == 1 &&
	    EVP_DigestSignUpdate(md, h, 32) == 1 &&
	    EVP_DigestSignFinal(md, *sig, sn) == 1;
	EVP_MD_CTX_free(md);
	return ok ? 0 : -1;
}
