/*
 * fuzz_webauthn.c - the WebAuthn parsers and verifier (webauthn.c) on
 * outside input: what a browser posts at registration and with every
 * submit of a class that requires the screen lock.  The first byte picks
 * the layer: 0, the input is an attestationObject; 1, a COSE_Key; 2, a
 * clientDataJSON; 3, the authenticator data of an assertion, signed here
 * by a key made at start (tests/support/mintwa.c) over a valid
 * clientData, so the checks behind the signature (flags, sign count) are
 * fuzzed too; 4, a whole assertion: authData, clientData and signature
 * split at the first two newlines.
 */
#include <openssl/evp.h>
#include <openssl/sha.h>

#include "arena.h"
#include "fuzz.h"
#include "mintb64.c"
#include "mintwa.c"
#include "webauthn.h"

#define RP "localhost"
#define ORIGIN "http://localhost:8080"
#define CHALLENGE "Y2hhbGxlbmdlLW9mLXRoZS13aW5kb3ctMDEyMzQ1Njc"

static struct mint_wa *key;
static unsigned char *cose;
static size_t cose_len;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	key = mint_wa_new("P-256");
	cose = mint_wa_cose(key, &cose_len);
	return key && cose ? 0 : -1;
}

/* ES256 by key over ad || SHA-256(cd): DER into sig (80 bytes). */
static size_t
sign(const unsigned char *ad, size_t adn, const char *cd, unsigned char *sig)
{
	unsigned char h[32];
	size_t sn = 80;
	EVP_MD_CTX *md = EVP_MD_CTX_new();

	SHA256((const unsigned char *)cd, strlen(cd), h);
	if (md == NULL ||
	    EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key->pk) != 1 ||
	    EVP_DigestSignUpdate(md, ad, adn) != 1 ||
	    EVP_DigestSignUpdate(md, h, 32) != 1 ||
	    EVP_DigestSignFinal(md, sig, &sn) != 1)
		sn = 0;
	EVP_MD_CTX_free(md);
	return sn;
}

static void
assertion(const uint8_t *data, size_t size, int signed_here, struct arena *ar)
{
	struct webauthn_expect e = { "webauthn.get", CHALLENGE, ORIGIN, RP };
	struct webauthn_assertion a = { 0 };
	char *in = fuzz_cstr(data, size), *cd, *sigs;
	unsigned char sig[80];
	uint32_t count = 0;

	if (in == NULL)
		return;
	if (signed_here) {
		cd = mint_wa_client_data("webauthn.get", CHALLENGE, ORIGIN);
		a = (struct webauthn_assertion){ data, (unsigned char *)cd, sig,
			size, strlen(cd), sign(data, size, cd, sig) };
		(void)webauthn_verify(&a, cose, cose_len, 5, &e, &count, ar);
		free(cd);
	} else {
		cd = fuzz_split(in);
		sigs = fuzz_split(cd);
		a = (struct webauthn_assertion){ (unsigned char *)in,
			(unsigned char *)cd, (unsigned char *)sigs, strlen(in),
			strlen(cd), strlen(sigs) };
		(void)webauthn_verify(&a, cose, cose_len, 0, &e, &count, ar);
	}
	free(in);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct webauthn_expect e = { "webauthn.create", CHALLENGE, ORIGIN, RP };
	struct webauthn_cred cred;
	unsigned char pt[65];
	struct arena *ar;

	if (size < 1 || (ar = arena_new(1 << 16)) == NULL)
		return 0;
	switch (data[0] % 5) {
	case 0:
		(void)webauthn_attestation(data + 1, size - 1, RP, &cred);
		break;
	case 1:
		(void)webauthn_cose_es256(data + 1, size - 1, pt);
		break;
	case 2:
		(void)webauthn_client_data(data + 1, size - 1, &e, ar);
		break;
	default:
		assertion(data + 1, size - 1, data[0] % 5 == 3, ar);
	}
	arena_free(ar);
	return 0;
}
