/*
 * test_webauthn.c - biometric presence (webauthn.c): tables of
 * attestationObjects, COSE_Keys, clientDataJSON and assertions, good and
 * broken one way each, every one answered with its own result; the
 * window-derived and registration challenges; the origin of PUBLIC_URL.
 * The authenticator is tests/support/mintwa.c.
 */
#include <cbor.h>
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "mintwa.h"
#include "webauthn.h"

#define RP "attendance.college.edu"
#define ORIGIN "https://attendance.college.edu"
#define KEY "unit-test-secret-0123456789abcdef0123"
#define UPUV (MINTWA_UP | MINTWA_UV)

static struct arena *ar;
static struct mint_wa *wa, *other, *p384;

static void
setup(void)
{
	ar = arena_new(1 << 20);
	wa = mint_wa_new("P-256");
	other = mint_wa_new("P-256");
	p384 = mint_wa_new("P-384");
	cr_assert(ar && wa && other && p384);
}

static void
teardown(void)
{
	mint_wa_free(wa);
	mint_wa_free(other);
	mint_wa_free(p384);
	arena_free(ar);
}

TestSuite(webauthn, .init = setup, .fini = teardown);

static struct webauthn_expect
expect(const char *type, const char *challenge)
{
	struct webauthn_expect e = { type, challenge, ORIGIN, RP };

	return e;
}

/* ---------- attestationObject ---------- */

enum att_case {
	A_GOOD,
	A_RP,
	A_NO_UV,
	A_GARBAGE,
	A_TRUNCATED,
	A_CURVE,
	A_ARRAY,
	A_TRAILING,
	A_EMPTY,
	A_HUGE
};

Test(webauthn, attestation_objects_are_read_or_refused_with_their_reason)
{
	static const struct {
		enum att_case c;
		int want;
	} cases[] = {
		{ A_GOOD, WA_OK },
		{ A_RP, WA_RP },
		{ A_NO_UV, WA_NO_UV },
		{ A_GARBAGE, WA_MALFORMED },
		{ A_TRUNCATED, WA_MALFORMED },
		{ A_CURVE, WA_KEY },
		{ A_ARRAY, WA_MALFORMED },
		{ A_TRAILING, WA_MALFORMED },
		{ A_EMPTY, WA_MALFORMED },
		{ A_HUGE, WA_MALFORMED },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct webauthn_cred cred;
		unsigned char *att, buf[600];
		size_t n;
		int rc;

		att = mint_wa_attestation(cases[i].c == A_CURVE ? p384 : wa,
		    cases[i].c == A_RP ? "evil.example" : RP,
		    cases[i].c == A_NO_UV ? MINTWA_UP : UPUV, 7, &n);
		cr_assert(att && n < sizeof(buf) - 1);
		memcpy(buf, att, n);
		free(att);
		if (cases[i].c == A_GARBAGE)
			memset(buf, 0xff, 8);
		if (cases[i].c == A_TRUNCATED)
			n -= 10;
		if (cases[i].c == A_ARRAY)
			buf[0] = 0x83; /* a 3-array: not a map */
		if (cases[i].c == A_TRAILING)
			buf[n++] = 0x00;
		if (cases[i].c == A_EMPTY)
			n = 0;
		if (cases[i].c == A_HUGE) /* a map of 2^33 pairs, declared */
			memcpy(buf, "\xbb\x00\x00\x00\x02\x00\x00\x00\x00", 9);
		rc = webauthn_attestation(buf, n, RP, &cred);
		cr_expect_eq(rc, cases[i].want, "case %zu: %d, not %d", i, rc,
		    cases[i].want);
		if (rc == WA_OK) {
			size_t idn, cn;
			const unsigned char *id = mint_wa_id(wa, &idn);
			unsigned char *cose = mint_wa_cose(wa, &cn);

			cr_assert_eq(cred.id_len, idn);
			cr_assert(memcmp(cred.id, id, idn) == 0);
			cr_assert_eq(cred.cose_len, cn);
			cr_assert(memcmp(cred.cose, cose, cn) == 0);
			cr_assert_eq(cred.sign_count, 7);
			free(cose);
		}
	}
}

/* ---------- COSE_Key ---------- */

/* A COSE_Key of wa's point with one member changed. */
static unsigned char *
cose_with(int kty, int alg, int crv, size_t xlen, int drop_y, int off_curve,
    size_t *n)
{
	size_t cn;
	unsigned char *good = mint_wa_cose(wa, &cn), *out = NULL, x[64] = { 0 },
		      y[32] = { 0 };
	struct cbor_load_result res;
	cbor_item_t *g = cbor_load(good, cn, &res), *m;
	struct cbor_pair *pp = cbor_map_handle(g);
	size_t i, size = 0;

	for (i = 0; i < cbor_map_size(g); i++) {
		if (cbor_isa_negint(pp[i].key) && cbor_get_int(pp[i].key) == 1)
			memcpy(x, cbor_bytestring_handle(pp[i].value), 32);
		if (cbor_isa_negint(pp[i].key) && cbor_get_int(pp[i].key) == 2)
			memcpy(y, cbor_bytestring_handle(pp[i].value), 32);
	}
	if (off_curve)
		y[31] ^= 1;
	m = cbor_new_definite_map(5);
#define PUT(k, v)       \
	cbor_map_add(m, \
	    (struct cbor_pair){ .key = cbor_move(k), .value = cbor_move(v) })
	PUT(cbor_build_uint8(1), cbor_build_uint8((uint8_t)kty));
	PUT(cbor_build_uint8(3), cbor_build_negint8((uint8_t)(-1 - alg)));
	PUT(cbor_build_negint8(0), cbor_build_uint8((uint8_t)crv));
	PUT(cbor_build_negint8(1), cbor_build_bytestring(x, xlen));
	if (!drop_y)
		PUT(cbor_build_negint8(2), cbor_build_bytestring(y, 32));
#undef PUT
	*n = cbor_serialize_alloc(m, &out, &size);
	cbor_decref(&m);
	cbor_decref(&g);
	free(good);
	return out;
}

Test(webauthn, cose_keys_must_be_es256_points_on_p256)
{
	static const struct {
		int kty, alg, crv;
		size_t xlen;
		int drop_y, off_curve, want;
	} cases[] = {
		{ 2, -7, 1, 32, 0, 0, WA_OK },
		{ 3, -7, 1, 32, 0, 0, WA_KEY }, /* RSA */
		{ 2, -8, 1, 32, 0, 0, WA_KEY }, /* EdDSA */
		{ 2, -7, 2, 32, 0, 0, WA_KEY }, /* P-384 named */
		{ 2, -7, 1, 31, 0, 0, WA_KEY }, /* short x */
		{ 2, -7, 1, 48, 0, 0, WA_KEY }, /* long x */
		{ 2, -7, 1, 32, 1, 0, WA_KEY }, /* no y */
		{ 2, -7, 1, 32, 0, 1, WA_KEY }, /* not on the curve */
	};
	unsigned char pt[65];
	size_t i, n;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unsigned char *c =
		    cose_with(cases[i].kty, cases[i].alg, cases[i].crv,
			cases[i].xlen, cases[i].drop_y, cases[i].off_curve, &n);
		int rc = webauthn_cose_es256(c, n, pt);

		cr_expect_eq(rc, cases[i].want, "case %zu: %d", i, rc);
		free(c);
	}
	cr_expect_eq(webauthn_cose_es256((const unsigned char *)"\xa5", 1, pt),
	    WA_MALFORMED);
	/* declared sizes beyond the input, indefinite, too deep */
	cr_expect_eq(webauthn_cose_es256((const unsigned char *)"\xbb\x00\x00"
								"\x00\x08\x31"
								"\xd9\x76\x30",
			 9, pt),
	    WA_MALFORMED);
	cr_expect_eq(webauthn_cose_es256((const unsigned char *)"\x5a\xff\xff"
								"\xff\xff",
			 5, pt),
	    WA_MALFORMED);
	cr_expect_eq(webauthn_cose_es256((const unsigned char *)"\xbf\xff", 2,
			 pt),
	    WA_MALFORMED);
	cr_expect_eq(webauthn_cose_es256((const unsigned char
						 *)"\x81\x81\x81\x81\x81\x81"
						   "\x81\x81\x81\x81\x00",
			 11, pt),
	    WA_MALFORMED);
	cr_expect_eq(webauthn_cose_es256((const unsigned char *)"\x80", 1, pt),
	    WA_KEY); /* an empty array */
}

/* ---------- clientDataJSON ---------- */

Test(webauthn, client_data_names_the_ceremony_the_challenge_and_the_origin)
{
	static const struct {
		const char *json;
		int want;
	} cases[] = {
		{ "{\"type\":\"webauthn.get\",\"challenge\":\"abc\","
		  "\"origin\":\"" ORIGIN "\"}",
		    WA_OK },
		{ "{\"type\":\"webauthn.create\",\"challenge\":\"abc\","
		  "\"origin\":\"" ORIGIN "\"}",
		    WA_TYPE },
		{ "{\"type\":\"webauthn.get\",\"challenge\":\"abd\","
		  "\"origin\":\"" ORIGIN "\"}",
		    WA_CHALLENGE },
		{ "{\"type\":\"webauthn.get\",\"challenge\":\"abcd\","
		  "\"origin\":\"" ORIGIN "\"}",
		    WA_CHALLENGE },
		{ "{\"type\":\"webauthn.get\",\"challenge\":\"abc\","
		  "\"origin\":\"https://evil.example\"}",
		    WA_ORIGIN },
		{ "{\"type\":\"webauthn.get\",\"challenge\":\"abc\","
		  "\"origin\":\"" ORIGIN ":8443\"}",
		    WA_ORIGIN },
		{ "{\"type\":\"webauthn.get\",\"challenge\":\"abc\","
		  "\"origin\":\"" ORIGIN "\",\"crossOrigin\":true}",
		    WA_ORIGIN },
		{ "{\"type\":\"webauthn.get\",\"challenge\":\"abc\"}",
		    WA_MALFORMED },
		{ "{\"type\":\"webauthn.get\",\"challenge\":7,"
		  "\"origin\":\"" ORIGIN "\"}",
		    WA_MALFORMED },
		{ "[1,2]", WA_MALFORMED },
		{ "{\"type\":", WA_MALFORMED },
		{ "{\"type\":\"webauthn.get\",\"type\":\"webauthn.get\"}",
		    WA_MALFORMED },
		{ "", WA_MALFORMED },
	};
	struct webauthn_expect e = expect("webauthn.get", "abc");
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc =
		    webauthn_client_data((const unsigned char *)cases[i].json,
			strlen(cases[i].json), &e, ar);

		cr_expect_eq(rc, cases[i].want, "case %zu (%s): %d", i,
		    cases[i].json, rc);
	}
}

/* ---------- assertions ---------- */

enum as_case {
	S_GOOD,
	S_RP,
	S_NO_UV,
	S_NO_UP,
	S_SIG,
	S_OTHER_KEY,
	S_CHALLENGE,
	S_ORIGIN,
	S_TYPE,
	S_LOWER,
	S_EQUAL,
	S_ZERO,
	S_CURVE,
	S_TRUNCATED,
	S_CD_BROKEN,
	S_SIG_EMPTY
};

Test(webauthn, assertions_pass_only_with_uv_the_key_the_window_and_a_new_count)
{
	static const struct {
		enum as_case c;
		uint32_t stored, count;
		int want;
	} cases[] = {
		{ S_GOOD, 5, 6, WA_OK },
		{ S_RP, 5, 6, WA_RP },
		{ S_NO_UV, 5, 6, WA_NO_UV },
		{ S_NO_UP, 5, 6, WA_NO_UP },
		{ S_SIG, 5, 6, WA_SIGNATURE },
		{ S_OTHER_KEY, 5, 6, WA_SIGNATURE },
		{ S_CHALLENGE, 5, 6, WA_CHALLENGE },
		{ S_ORIGIN, 5, 6, WA_ORIGIN },
		{ S_TYPE, 5, 6, WA_TYPE },
		{ S_LOWER, 5, 4, WA_REPLAY },
		{ S_EQUAL, 5, 5, WA_REPLAY },
		{ S_ZERO, 0, 0, WA_OK },
		{ S_CURVE, 5, 6, WA_KEY },
		{ S_TRUNCATED, 5, 6, WA_MALFORMED },
		{ S_CD_BROKEN, 5, 6, WA_MALFORMED },
		{ S_SIG_EMPTY, 5, 6, WA_SIGNATURE },
	};
	const char *ch = webauthn_window_challenge(KEY, 10, 20, 30, ar);
	const char *ch2 = webauthn_window_challenge(KEY, 10, 21, 30, ar);
	struct webauthn_expect e = expect("webauthn.get", ch);
	size_t i, cn, pn;
	unsigned char *cose = mint_wa_cose(wa, &cn),
		      *cose384 = mint_wa_cose(p384, &pn);

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum as_case c = cases[i].c;
		char *cd = mint_wa_client_data(c == S_TYPE ? "webauthn.create"
							   : "webauthn.get",
		    c == S_CHALLENGE ? ch2 : ch,
		    c == S_ORIGIN ? "https://evil.example" : ORIGIN);
		unsigned char *ad, *sig;
		size_t adn, sn;
		struct webauthn_assertion a;
		uint32_t got = 0;
		int rc;

		cr_assert_eq(mint_wa_assert(c == S_OTHER_KEY ? other : wa,
				 c == S_RP ? "evil.example" : RP,
				 c == S_NO_UV       ? MINTWA_UP
				     : c == S_NO_UP ? MINTWA_UV
						    : UPUV,
				 cases[i].count, cd, &ad, &adn, &sig, &sn),
		    0);
		if (c == S_SIG)
			sig[sn - 1] ^= 0x01;
		if (c == S_CD_BROKEN)
			cd[strlen(cd) - 1] = ',';
		a = (struct webauthn_assertion){ ad, (unsigned char *)cd, sig,
			c == S_TRUNCATED ? 36 : adn, strlen(cd),
			c == S_SIG_EMPTY ? 0 : sn };
		rc = webauthn_verify(&a, c == S_CURVE ? cose384 : cose,
		    c == S_CURVE ? pn : cn, cases[i].stored, &e, &got, ar);
		cr_expect_eq(rc, cases[i].want, "case %zu: %d, not %d", i, rc,
		    cases[i].want);
		if (rc == WA_OK)
			cr_expect_eq(got, cases[i].count);
		free(cd);
		free(ad);
		free(sig);
	}
	free(cose);
	free(cose384);
}

/* ---------- challenges and codes ---------- */

Test(webauthn, a_window_challenge_fits_one_session_round_and_device)
{
	const char *c = webauthn_window_challenge(KEY, 1, 2, 3, ar);

	cr_assert_eq(strlen(c), 43);
	cr_expect_str_eq(c, webauthn_window_challenge(KEY, 1, 2, 3, ar));
	cr_expect_str_neq(c, webauthn_window_challenge(KEY, 2, 2, 3, ar));
	cr_expect_str_neq(c, webauthn_window_challenge(KEY, 1, 3, 3, ar));
	cr_expect_str_neq(c, webauthn_window_challenge(KEY, 1, 2, 4, ar));
	cr_expect_str_neq(c,
	    webauthn_window_challenge("another-secret-0123456789abcdef", 1, 2,
		3, ar));
}

Test(webauthn, a_registration_challenge_is_ours_for_this_device_and_fresh)
{
	const char *c = webauthn_reg_challenge(KEY, 9, 1000000, ar);
	char *t = arena_strdup(ar, c);

	cr_expect_eq(webauthn_reg_challenge_ok(KEY, 9, c, 1000100, 300, ar),
	    WA_OK);
	cr_expect_eq(webauthn_reg_challenge_ok(KEY, 8, c, 1000100, 300, ar),
	    WA_CHALLENGE);
	cr_expect_eq(webauthn_reg_challenge_ok(KEY, 9, c, 1000301, 300, ar),
	    WA_EXPIRED);
	cr_expect_eq(webauthn_reg_challenge_ok(KEY, 9, c, 999000, 300, ar),
	    WA_EXPIRED);
	t[20] = t[20] == 'A' ? 'B' : 'A';
	cr_expect_eq(webauthn_reg_challenge_ok(KEY, 9, t, 1000100, 300, ar),
	    WA_CHALLENGE);
	cr_expect_eq(webauthn_reg_challenge_ok(KEY, 9, "%%", 1000100, 300, ar),
	    WA_CHALLENGE);
	cr_expect_eq(webauthn_reg_challenge_ok(KEY, 9, NULL, 1000100, 300, ar),
	    WA_CHALLENGE);
}

Test(webauthn, the_origin_and_rp_id_come_from_public_url)
{
	static const struct {
		const char *url, *origin, *rp;
	} cases[] = {
		{ "https://attendance.college.edu", ORIGIN, RP },
		{ "https://attendance.college.edu/", ORIGIN, RP },
		{ "http://localhost:8080/app", "http://localhost:8080",
		    "localhost" },
		{ "http://127.0.0.1:8080", "http://127.0.0.1:8080",
		    "127.0.0.1" },
		{ "no-scheme", NULL, NULL },
		{ "https://:8443", NULL, NULL },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *o = NULL, *rp = NULL;
		int rc = webauthn_origin(cases[i].url, &o, &rp, ar);

		if (cases[i].origin == NULL) {
			cr_expect_eq(rc, -1, "%s", cases[i].url);
			continue;
		}
		cr_assert_eq(rc, 0, "%s", cases[i].url);
		cr_expect_str_eq(o, cases[i].origin);
		cr_expect_str_eq(rp, cases[i].rp);
	}
}

Test(webauthn, every_refusal_has_a_code_and_a_4xx)
{
	static const struct {
		int rc;
		const char *code;
		int status;
	} cases[] = {
		{ WA_MALFORMED, "uv_malformed", 400 },
		{ WA_NO_UV, "uv_not_verified", 403 },
		{ WA_SIGNATURE, "uv_invalid", 403 },
		{ WA_CHALLENGE, "uv_invalid", 403 },
		{ WA_REPLAY, "uv_replayed", 403 },
		{ WA_KEY, "uv_bad_key", 400 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cr_expect_str_eq(webauthn_code(cases[i].rc), cases[i].code);
		cr_expect_eq(webauthn_status(cases[i].rc), cases[i].status);
		cr_expect(strlen(webauthn_reason(cases[i].rc)) > 10);
	}
}
