/*
 * test_integrity.c - Play Integrity tokens minted locally (JWE A256KW +
 * A256GCM around an ES256 JWS): genuine verdicts are read and mapped to
 * STRONG / BASIC / FAIL; tampered, mis-keyed, stale or foreign ones are
 * refused.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "integrity.h"
#include "mint.h"

#define PKG "in.ehazira.app"

static struct arena *ar;
static struct config cfg;
static char dir[64], dec[128], sign[128], ver[128];

static void
setup(void)
{
	ar = arena_new(16 << 20);
	snprintf(dir, sizeof(dir), "/tmp/ehz-integrity.XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	cr_assert_eq(mint_integrity_keys(dir), 0);
	snprintf(dec, sizeof(dec), "%s/decryption.key", dir);
	snprintf(sign, sizeof(sign), "%s/signing.pem", dir);
	snprintf(ver, sizeof(ver), "%s/verification.pem", dir);
	memset(&cfg, 0, sizeof(cfg));
	cfg.integrity_dec_key = dec;
	cfg.integrity_ver_key = ver;
	cfg.integrity_package = PKG;
	cfg.integrity_max_age = 300;
	cfg.clock_skew = 60;
}

static void
teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
	arena_free(ar);
}

TestSuite(integrity, .init = setup, .fini = teardown);

static long long
now_ms(void)
{
	return (long long)time(NULL) * 1000;
}

static int
check(struct mint_integrity *o, struct integrity_verdict *v)
{
	char *t = mint_integrity(o);
	int rc;

	cr_assert_not_null(t, "minting failed");
	rc = integrity_verify(&cfg, t, now_ms(), v, ar);
	free(t);
	return rc;
}

static struct mint_integrity
opts(const char *device)
{
	struct mint_integrity o;

	mint_integrity_init(&o, dec, sign, PKG, "bm9uY2UtMTIzNDU2Nzg5MA",
	    device);
	return o;
}

Test(integrity, a_genuine_verdict_is_read_with_its_nonce)
{
	struct mint_integrity o = opts("MEETS_DEVICE_INTEGRITY");
	struct integrity_verdict v;

	cr_assert_eq(check(&o, &v), INTEGRITY_OK);
	cr_assert_str_eq(v.nonce, "bm9uY2UtMTIzNDU2Nzg5MA");
	cr_assert_str_eq(v.package, PKG);
	cr_assert(v.app_recognized);
	cr_assert_eq(v.level, INTEGRITY_BASIC);
}

Test(integrity, device_labels_map_to_strong_basic_and_fail)
{
	static const struct {
		char labels[96];
		int level;
	} cases[] = {
		{ "MEETS_BASIC_INTEGRITY,MEETS_DEVICE_INTEGRITY,"
		  "MEETS_STRONG_INTEGRITY",
		    INTEGRITY_STRONG },
		{ "MEETS_DEVICE_INTEGRITY", INTEGRITY_BASIC },
		{ "MEETS_BASIC_INTEGRITY", INTEGRITY_BASIC },
		{ "MEETS_VIRTUAL_INTEGRITY", INTEGRITY_FAIL },
		{ "", INTEGRITY_FAIL },
	};
	struct integrity_verdict v;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mint_integrity o = opts(cases[i].labels);

		cr_assert_eq(check(&o, &v), INTEGRITY_OK);
		cr_assert_eq(v.level, cases[i].level, "labels '%s'",
		    cases[i].labels);
	}
}

Test(integrity, the_strongest_play_label_is_kept)
{
	static const struct {
		char labels[96];
		int label;
		char name[8];
	} cases[] = {
		{ "MEETS_BASIC_INTEGRITY,MEETS_DEVICE_INTEGRITY,"
		  "MEETS_STRONG_INTEGRITY",
		    INTEGRITY_LABEL_STRONG, "STRONG" },
		{ "MEETS_BASIC_INTEGRITY,MEETS_DEVICE_INTEGRITY",
		    INTEGRITY_LABEL_DEVICE, "DEVICE" },
		{ "MEETS_DEVICE_INTEGRITY", INTEGRITY_LABEL_DEVICE, "DEVICE" },
		{ "MEETS_BASIC_INTEGRITY", INTEGRITY_LABEL_BASIC, "BASIC" },
		{ "MEETS_VIRTUAL_INTEGRITY", INTEGRITY_LABEL_NONE, "NONE" },
		{ "", INTEGRITY_LABEL_NONE, "NONE" },
	};
	struct integrity_verdict v;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mint_integrity o = opts(cases[i].labels);

		cr_assert_eq(check(&o, &v), INTEGRITY_OK);
		cr_assert_eq(v.label, cases[i].label, "labels '%s'",
		    cases[i].labels);
		cr_assert_str_eq(integrity_label_name(v.label), cases[i].name);
	}
}

Test(integrity, the_minimum_level_names_play_tiers)
{
	cr_assert_eq(integrity_label_parse("STRONG"), INTEGRITY_LABEL_STRONG);
	cr_assert_eq(integrity_label_parse("DEVICE"), INTEGRITY_LABEL_DEVICE);
	cr_assert_eq(integrity_label_parse("BASIC"), INTEGRITY_LABEL_BASIC);
	cr_assert_eq(integrity_label_parse("FAIL"), -1);
	cr_assert_eq(integrity_label_parse("device"), -1);
	cr_assert_eq(integrity_label_level(INTEGRITY_LABEL_DEVICE),
	    INTEGRITY_BASIC);
	cr_assert_eq(integrity_label_level(INTEGRITY_LABEL_NONE),
	    INTEGRITY_FAIL);
}

Test(integrity, an_unrecognised_app_is_a_fail)
{
	struct mint_integrity o = opts("MEETS_STRONG_INTEGRITY");
	struct integrity_verdict v;

	o.app_verdict = "UNRECOGNIZED_VERSION";
	cr_assert_eq(check(&o, &v), INTEGRITY_OK);
	cr_assert_eq(v.level, INTEGRITY_FAIL);
	cr_assert_not(v.app_recognized);
}

Test(integrity, another_package_is_refused)
{
	struct mint_integrity o = opts("MEETS_DEVICE_INTEGRITY");
	struct integrity_verdict v;

	o.package = "com.example.cheat";
	cr_assert_eq(check(&o, &v), INTEGRITY_PACKAGE);
}

Test(integrity, an_old_verdict_is_refused)
{
	struct mint_integrity o = opts("MEETS_DEVICE_INTEGRITY");
	struct integrity_verdict v;

	o.timestamp_ms = now_ms() - 301 * 1000LL;
	cr_assert_eq(check(&o, &v), INTEGRITY_STALE);
	o.timestamp_ms = now_ms() + 3600 * 1000LL;
	cr_assert_eq(check(&o, &v), INTEGRITY_STALE, "from the future");
	o.timestamp_ms = now_ms() - 200 * 1000LL;
	cr_assert_eq(check(&o, &v), INTEGRITY_OK);
}

Test(integrity, a_token_for_another_decryption_key_is_refused)
{
	struct mint_integrity o = opts("MEETS_DEVICE_INTEGRITY");
	struct integrity_verdict v;

	o.dec_key = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
	cr_assert_eq(check(&o, &v), INTEGRITY_MALFORMED);
}

Test(integrity, a_verdict_signed_by_another_key_is_refused)
{
	struct mint_integrity o = opts("MEETS_STRONG_INTEGRITY");
	struct integrity_verdict v;
	char other[128], osign[160];

	snprintf(other, sizeof(other), "%s/other", dir);
	cr_assert_eq(mint_integrity_keys(other), 0);
	snprintf(osign, sizeof(osign), "%s/signing.pem", other);
	o.sign_key = osign;
	cr_assert_eq(check(&o, &v), INTEGRITY_SIGNATURE);
}

Test(integrity, an_unsigned_inner_token_is_refused)
{
	struct mint_integrity o = opts("MEETS_STRONG_INTEGRITY");
	struct integrity_verdict v;

	o.alg = "none";
	cr_assert_eq(check(&o, &v), INTEGRITY_SIGNATURE);
}

Test(integrity, another_content_encryption_is_refused)
{
	struct mint_integrity o = opts("MEETS_DEVICE_INTEGRITY");
	struct integrity_verdict v;

	o.enc = "A128GCM";
	cr_assert_eq(check(&o, &v), INTEGRITY_MALFORMED);
}

Test(integrity, a_tampered_ciphertext_is_refused)
{
	struct mint_integrity o = opts("MEETS_DEVICE_INTEGRITY");
	struct integrity_verdict v;
	char *t = mint_integrity(&o), *p;

	/* flip one character of the ciphertext (4th part) */
	p = strchr(strchr(strchr(strchr(t, '.') + 1, '.') + 1, '.') + 1, '.');
	p[-2] = p[-2] == 'A' ? 'B' : 'A';
	cr_assert_eq(integrity_verify(&cfg, t, now_ms(), &v, ar),
	    INTEGRITY_MALFORMED);
	free(t);
}

Test(integrity, the_key_may_be_given_inline_in_base64)
{
	struct mint_integrity o = opts("MEETS_DEVICE_INTEGRITY");
	struct integrity_verdict v;

	cfg.integrity_dec_key = mint_slurp(dec);
	cr_assert_eq(check(&o, &v), INTEGRITY_OK);
	free((char *)cfg.integrity_dec_key);
}

Test(integrity, missing_keys_are_a_configuration_error)
{
	struct mint_integrity o = opts("MEETS_DEVICE_INTEGRITY");
	struct integrity_verdict v;

	cfg.integrity_dec_key = "";
	cr_assert_eq(check(&o, &v), INTEGRITY_KEYS);
	cfg.integrity_dec_key = dec;
	cfg.integrity_ver_key = "";
	cr_assert_eq(check(&o, &v), INTEGRITY_KEYS);
}

Test(integrity, garbage_is_malformed_not_a_crash)
{
	struct integrity_verdict v;
	const char *bad[] = { "", "a.b.c.d.e", "....", "a.b.c", "x" };
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(integrity_verify(&cfg, bad[i], now_ms(), &v, ar),
		    INTEGRITY_MALFORMED, "%s", bad[i]);
}

Test(integrity, level_names_round_trip)
{
	cr_assert_eq(integrity_level_parse("STRONG"), INTEGRITY_STRONG);
	cr_assert_eq(integrity_level_parse("BASIC"), INTEGRITY_BASIC);
	cr_assert_eq(integrity_level_parse("FAIL"), INTEGRITY_FAIL);
	cr_assert_eq(integrity_level_parse("basic"), -1);
	cr_assert_str_eq(integrity_level_name(INTEGRITY_STRONG), "STRONG");
}
