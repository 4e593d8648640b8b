/*
 * fuzzsign.h - signing for the token targets, so fuzzed claims and
 * headers get past the signature check to the parsing behind it.  It
 * includes tests/support/mint.c for its static helpers (base64url, the
 * signer, the JWE writer).
 */
#ifndef EHZ_FUZZSIGN_H
#define EHZ_FUZZSIGN_H

#include <unistd.h>

#include "mint.c"
#include "mintb64.c"

/*
 * b64url(header).b64url(payload).signature with pk: RS256, or ES256 (the
 * JWS r||s form) when es is set.  malloc'd, NULL on failure.
 */
static char *
fuzz_jws(EVP_PKEY *pk, const char *header, const char *payload, int es)
{
	char *hb = mint_b64url((const unsigned char *)header, strlen(header));
	char *pb = mint_b64url((const unsigned char *)payload, strlen(payload));
	char *msg = malloc(strlen(hb) + strlen(pb) + 2), *sb = NULL;
	char *out = NULL;
	unsigned char *sig, raw[64];
	size_t n = 0;

	sprintf(msg, "%s.%s", hb, pb);
	if ((sig = sign(pk, msg, &n)) != NULL) {
		if (!es)
			sb = mint_b64url(sig, n);
		else if (der_to_raw(sig, n, raw) == 0)
			sb = mint_b64url(raw, 64);
	}
	if (sb != NULL) {
		out = malloc(strlen(msg) + strlen(sb) + 2);
		sprintf(out, "%s.%s", msg, sb);
	}
	free(hb);
	free(pb);
	free(msg);
	free(sb);
	free(sig);
	return out;
}

/* A fresh private directory for the keys of one run. */
static const char *
fuzz_keydir(void)
{
	static char dir[64];

	snprintf(dir, sizeof(dir), "/tmp/ehz-fuzz-keys-XXXXXX");
	return mkdtemp(dir);
}

#endif
