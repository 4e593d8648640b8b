/*
 * fuzz_idtoken.c - Google ID tokens and the JWKS they are checked
 * against (idtoken_verify, idtoken_jwk_pem).  The first byte picks what
 * the rest of the input is:
 *   0  the whole token
 *   1  the claims of a token signed with the right key (kid k1)
 *   2  the header of a token signed with the right key
 *   3  the JWKS document, for a good token
 *   4  a JWK's n, a newline, its e
 */
#include <time.h>

#include "arena.h"
#include "config.h"
#include "fuzz.h"
#include "fuzzsign.h"
#include "idtoken.h"

#define AUD "fuzz-client.apps.googleusercontent.com"
#define HEADER "{\"alg\":\"RS256\",\"kid\":\"k1\",\"typ\":\"JWT\"}"

static struct config good, fuzzed;
static EVP_PKEY *pk;
static char jwks[128], scratch[128], *good_token;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir = fuzz_keydir();
	char key[128];
	struct mint_google o;

	(void)argc;
	(void)argv;
	if (dir == NULL || mint_google_keys(dir, "k1") < 0)
		abort();
	snprintf(key, sizeof(key), "%s/key.pem", dir);
	snprintf(jwks, sizeof(jwks), "%s/jwks.json", dir);
	snprintf(scratch, sizeof(scratch), "%s/fuzzed.json", dir);
	if ((pk = read_private(key)) == NULL)
		abort();
	mint_google_init(&o, key, "k1", "asha@college.edu", AUD);
	o.exp_in = 7 * 86400; /* outlives any run */
	good_token = mint_google(&o);
	good.google_jwks = jwks;
	good.google_client_ids = AUD;
	good.google_hd = "";
	good.clock_skew = 60;
	fuzzed = good;
	fuzzed.google_jwks = scratch;
	return 0;
}

static void
verify(const struct config *cfg, const char *tok, struct arena *ar)
{
	struct idtoken_id id;

	if (tok != NULL)
		(void)idtoken_verify(cfg, tok, (long long)time(NULL), &id, ar);
}

static void
verify_with_jwks(const char *doc, struct arena *ar)
{
	FILE *fp = fopen(scratch, "w");

	if (fp == NULL)
		return;
	fputs(doc, fp);
	fclose(fp);
	idtoken_forget(); /* the cache would keep the last document */
	verify(&fuzzed, good_token, ar);
	idtoken_forget();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena *ar;
	char *in, *tok = NULL;

	if (size < 1 || (in = fuzz_cstr(data + 1, size - 1)) == NULL)
		return 0;
	ar = arena_new(64 * 1024);
	switch (data[0] % 5) {
	case 0:
		verify(&good, in, ar);
		break;
	case 1:
		verify(&good, tok = fuzz_jws(pk, HEADER, in, 0), ar);
		break;
	case 2:
		verify(&good,
		    tok = fuzz_jws(pk, in,
			"{\"iss\":\"https://accounts.google.com\",\"aud\":\"" AUD
			"\",\"sub\":\"1\",\"email\":\"a@b.c\","
			"\"email_verified\":true,\"iat\":1,"
			"\"exp\":4102444800}",
			0),
		    ar);
		break;
	case 3:
		verify_with_jwks(in, ar);
		break;
	default:
		(void)idtoken_jwk_pem(in, fuzz_split(in), ar);
		break;
	}
	free(tok);
	free(in);
	arena_free(ar);
	return 0;
}
