/*
 * fuzz_token.c - token_verify on outside input.  The first byte picks the
 * shape: 0, the input is the whole token (the header, the base64 and the
 * signature check are fuzzed); 1, the input is the claims, signed here
 * with the right key, so the claim checks behind the signature are
 * fuzzed too; 2, the input is the header, signed likewise.
 */
#include <openssl/hmac.h>

#include "arena.h"
#include "fuzz.h"
#include "mint.c"
#include "mintb64.c"
#include "token.h"

#define SECRET "fuzz-secret-0123456789abcdef0123456789"

/* header.payload signed with HS256 under SECRET; malloc'd. */
static char *
signed_token(const char *header, const char *payload)
{
	char *hb = mint_b64url((const unsigned char *)header, strlen(header));
	char *pb = mint_b64url((const unsigned char *)payload, strlen(payload));
	char *msg = malloc(strlen(hb) + strlen(pb) + 2), *sb, *out;
	unsigned char mac[64];
	unsigned int maclen = 0;

	sprintf(msg, "%s.%s", hb, pb);
	HMAC(EVP_sha256(), SECRET, (int)strlen(SECRET),
	    (const unsigned char *)msg, strlen(msg), mac, &maclen);
	sb = mint_b64url(mac, maclen);
	out = malloc(strlen(msg) + strlen(sb) + 2);
	sprintf(out, "%s.%s", msg, sb);
	free(hb);
	free(pb);
	free(msg);
	free(sb);
	return out;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena *ar;
	struct auth a;
	char *in, *tok;

	if (size < 1)
		return 0;
	if ((in = fuzz_cstr(data + 1, size - 1)) == NULL)
		return 0;
	ar = arena_new(64 * 1024);
	switch (data[0] % 3) {
	case 0:
		tok = strdup(in);
		break;
	case 1:
		tok = signed_token("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", in);
		break;
	default:
		tok = signed_token(in,
		    "{\"sub\":\"a@b.c\",\"role\":\"student\",\"dev\":1,"
		    "\"jti\":\"x\",\"exp\":4102444800}");
		break;
	}
	(void)token_verify(SECRET, tok, 1700000000LL, &a, ar);
	free(tok);
	free(in);
	arena_free(ar);
	return 0;
}
