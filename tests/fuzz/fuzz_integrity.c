/*
 * fuzz_integrity.c - Play Integrity tokens (integrity_verify): the JWE
 * (A256KW + A256GCM), the ES256 JWS inside it and the verdict JSON.  The
 * first byte picks what the rest of the input is:
 *   0  the whole JWE
 *   1  the inner JWS, encrypted here with the right key
 *   2  the verdict, signed and encrypted here with the right keys
 *   3  the JWE header's enc, around a good JWS
 *   4  the inner JWS header, signed and encrypted here
 */
#include "arena.h"
#include "config.h"
#include "fuzz.h"
#include "fuzzsign.h"
#include "integrity.h"

#define PKG "in.ehazira.app"
#define NOW_MS 1700000000000LL
#define VERDICT                                                             \
	"{\"requestDetails\":{\"requestPackageName\":\"" PKG "\","          \
	"\"timestampMillis\":\"1700000000000\",\"nonce\":\"abc\"},"         \
	"\"appIntegrity\":{\"appRecognitionVerdict\":\"PLAY_RECOGNIZED\"}," \
	"\"deviceIntegrity\":{\"deviceRecognitionVerdict\":"                \
	"[\"MEETS_DEVICE_INTEGRITY\"]}}"

static struct config cfg;
static EVP_PKEY *pk;
static unsigned char *kek;
static char dec[128], ver[128], *good_jws;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir = fuzz_keydir();
	char sign_key[128], *text;
	size_t n = 0;

	(void)argc;
	(void)argv;
	if (dir == NULL || mint_integrity_keys(dir) < 0)
		abort();
	snprintf(dec, sizeof(dec), "%s/decryption.key", dir);
	snprintf(ver, sizeof(ver), "%s/verification.pem", dir);
	snprintf(sign_key, sizeof(sign_key), "%s/signing.pem", dir);
	if ((pk = read_private(sign_key)) == NULL ||
	    (text = mint_slurp(dec)) == NULL ||
	    (kek = b64dec(text, &n)) == NULL || n != 32)
		abort();
	free(text);
	good_jws = fuzz_jws(pk, "{\"alg\":\"ES256\"}", VERDICT, 1);
	cfg.integrity_dec_key = dec;
	cfg.integrity_ver_key = ver;
	cfg.integrity_package = PKG;
	cfg.integrity_max_age = 300;
	cfg.clock_skew = 60;
	return 0;
}

static int
utf8_ok(const char *s)
{
	json_t *j = json_string(s);

	json_decref(j);
	return j != NULL;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct integrity_verdict v;
	struct arena *ar;
	char *in, *jws = NULL, *tok = NULL;

	if (size < 1 || (in = fuzz_cstr(data + 1, size - 1)) == NULL)
		return 0;
	ar = arena_new(64 * 1024);
	switch (data[0] % 5) {
	case 0:
		tok = strdup(in);
		break;
	case 1:
		tok = jwe(kek, "A256GCM", in);
		break;
	case 2:
		if ((jws = fuzz_jws(pk, "{\"alg\":\"ES256\"}", in, 1)) != NULL)
			tok = jwe(kek, "A256GCM", jws);
		break;
	case 3: /* jwe() builds its header with jansson: UTF-8 only */
		if (utf8_ok(in))
			tok = jwe(kek, in, good_jws);
		break;
	default:
		if ((jws = fuzz_jws(pk, in, VERDICT, 1)) != NULL)
			tok = jwe(kek, "A256GCM", jws);
		break;
	}
	if (tok != NULL)
		(void)integrity_verify(&cfg, tok, NOW_MS, &v, ar);
	free(tok);
	free(jws);
	free(in);
	arena_free(ar);
	return 0;
}
