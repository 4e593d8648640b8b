/*
 * test_dpop.c - DPoP proofs (dpop.c): a table of proofs, good and broken
 * one way each, every one answered with its own error code; thumbprints,
 * server nonces, the replay key and access tokens bound with cnf.jkt.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dpop.h"
#include "mintdpop.h"
#include "token.h"

#define URL "https://ehazira.example.edu:8443/attendance/submit"
#define TOKEN "header.payload.signature-of-the-access-token"
#define SECRET "unit-test-secret-0123456789abcdef0123"

static struct arena *ar;
static struct mint_dpop_key *key, *other, *p384;

static void
setup(void)
{
	ar = arena_new(1 << 20);
	key = mint_dpop_key_new("P-256");
	other = mint_dpop_key_new("P-256");
	p384 = mint_dpop_key_new("P-384");
	cr_assert(key && other && p384);
}

static void
teardown(void)
{
	mint_dpop_key_free(key);
	mint_dpop_key_free(other);
	mint_dpop_key_free(p384);
	arena_free(ar);
}

TestSuite(dpop, .init = setup, .fini = teardown);

/* What the server expects for a POST to URL with TOKEN bound to key. */
static struct dpop_expect
expect(void)
{
	struct dpop_expect e = { 0 };

	e.htm = "POST";
	e.host = "ehazira.example.edu";
	e.path = "/attendance/submit";
	e.token = TOKEN;
	e.jkt = mint_dpop_key_jkt(key);
	e.now = (long long)time(NULL);
	return e;
}

enum mutation {
	M_NONE,
	M_TYP,
	M_ALG_HS256,
	M_ALG_NONE,
	M_NO_JWK,
	M_CURVE,
	M_PRIVATE,
	M_SIGNATURE,
	M_HTM,
	M_HTU_PATH,
	M_HTU_HOST,
	M_HTU_SCHEME,
	M_HTU_QUERY,
	M_STALE,
	M_FUTURE,
	M_NO_IAT,
	M_ATH,
	M_NO_ATH,
	M_OTHER_KEY,
};

static char *
proof_with(enum mutation m)
{
	struct mint_dpop o;

	mint_dpop_init(&o, key, "POST", URL);
	o.token = TOKEN;
	switch (m) {
	case M_TYP:
		o.typ = "JWT";
		break;
	case M_ALG_HS256:
		o.alg = "HS256";
		break;
	case M_ALG_NONE:
		o.alg = "none";
		break;
	case M_NO_JWK:
		o.no_jwk = 1;
		break;
	case M_CURVE:
		o.key = p384;
		break;
	case M_PRIVATE:
		o.with_private = 1;
		break;
	case M_SIGNATURE:
		o.bad_signature = 1;
		break;
	case M_HTM:
		o.htm = "GET";
		break;
	case M_HTU_PATH:
		o.htu = "https://ehazira.example.edu/me";
		break;
	case M_HTU_HOST:
		o.htu = "https://evil.example/attendance/submit";
		break;
	case M_HTU_SCHEME:
		o.htu = "ftp://ehazira.example.edu/attendance/submit";
		break;
	case M_HTU_QUERY:
		o.htu = URL "?x=1#frag";
		break;
	case M_STALE:
		o.iat_in = -(DPOP_MAX_AGE + 5);
		break;
	case M_FUTURE:
		o.iat_in = DPOP_MAX_SKEW + 5;
		break;
	case M_NO_IAT:
		o.no_iat = 1;
		break;
	case M_ATH:
		o.token = "another.access.token";
		break;
	case M_NO_ATH:
		o.token = NULL;
		break;
	case M_OTHER_KEY:
		o.key = other;
		break;
	case M_NONE:
		break;
	}
	return mint_dpop(&o);
}

Test(dpop, each_broken_proof_is_refused_with_its_own_code)
{
	static const struct {
		enum mutation m;
		int rc;
		const char *code;
	} cases[] = {
		{ M_NONE, DPOP_OK, NULL },
		{ M_HTU_QUERY, DPOP_OK, NULL }, /* query and fragment ignored */
		{ M_TYP, DPOP_HEADER, "dpop_bad_header" },
		{ M_ALG_HS256, DPOP_HEADER, "dpop_bad_header" },
		{ M_ALG_NONE, DPOP_HEADER, "dpop_bad_header" },
		{ M_NO_JWK, DPOP_JWK, "dpop_bad_jwk" },
		{ M_CURVE, DPOP_JWK_CURVE, "dpop_wrong_curve" },
		{ M_PRIVATE, DPOP_JWK_PRIVATE, "dpop_private_key" },
		{ M_SIGNATURE, DPOP_SIGNATURE, "dpop_bad_signature" },
		{ M_HTM, DPOP_HTM, "dpop_wrong_method" },
		{ M_HTU_PATH, DPOP_HTU, "dpop_wrong_url" },
		{ M_HTU_HOST, DPOP_HTU, "dpop_wrong_url" },
		{ M_HTU_SCHEME, DPOP_HTU, "dpop_wrong_url" },
		{ M_STALE, DPOP_IAT, "dpop_stale" },
		{ M_FUTURE, DPOP_IAT, "dpop_stale" },
		{ M_NO_IAT, DPOP_CLAIMS, "dpop_bad_claims" },
		{ M_ATH, DPOP_ATH, "dpop_wrong_token" },
		{ M_NO_ATH, DPOP_ATH, "dpop_wrong_token" },
		{ M_OTHER_KEY, DPOP_KEY, "dpop_wrong_key" },
	};
	struct dpop_expect e = expect();
	struct dpop_proof p;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *proof = proof_with(cases[i].m);
		int rc;

		cr_assert_not_null(proof, "case %zu", i);
		rc = dpop_verify(proof, &e, &p, ar);
		cr_expect_eq(rc, cases[i].rc, "case %zu: rc %d (%s), want %d",
		    i, rc, dpop_code(rc), cases[i].rc);
		if (cases[i].code)
			cr_expect_str_eq(dpop_code(rc), cases[i].code);
		else
			cr_expect_str_eq(p.jkt, mint_dpop_key_jkt(key));
		free(proof);
	}
}

Test(dpop, malformed_proofs_are_refused_not_crashed_on)
{
	static const char *const bad[] = { "abc", "a.b", "a.b.c.d", "..",
		"!!!.e30.AAAA", "W10.e30.AAAA", /* header [] */
		"eyJ0eXAiOiJkcG9wK2p3dCJ9.bm90IGpzb24.AAAA" };
	struct dpop_expect e = expect();
	struct dpop_proof p;
	size_t i;
	char *huge = malloc(5000);

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_expect_eq(dpop_verify(bad[i], &e, &p, ar), DPOP_MALFORMED,
		    "%s", bad[i]);
	/* {} . {} . nothing: JSON, but no typ/alg */
	cr_expect_eq(dpop_verify("e30.e30.", &e, &p, ar), DPOP_HEADER);
	cr_expect_eq(dpop_verify(NULL, &e, &p, ar), DPOP_MISSING);
	cr_expect_eq(dpop_verify("", &e, &p, ar), DPOP_MISSING);
	cr_expect_str_eq(dpop_code(DPOP_MISSING), "dpop_required");
	memset(huge, 'a', 4999);
	huge[4999] = '\0';
	huge[100] = huge[200] = '.';
	cr_expect_eq(dpop_verify(huge, &e, &p, ar), DPOP_MALFORMED);
	free(huge);
}

Test(dpop, a_proof_may_come_from_any_key_when_no_token_is_bound)
{
	struct dpop_expect e = expect();
	struct dpop_proof p;
	struct mint_dpop o;
	char *proof;

	e.token = NULL; /* sign-in: the proof introduces the key */
	e.jkt = NULL;
	mint_dpop_init(&o, other, "POST", URL);
	proof = mint_dpop(&o);
	cr_assert_eq(dpop_verify(proof, &e, &p, ar), DPOP_OK);
	cr_assert_str_eq(p.jkt, mint_dpop_key_jkt(other));
	cr_assert_not_null(strstr(p.jwk, "\"crv\":\"P-256\""));
	cr_assert_null(strstr(p.jwk, "\"d\""));
	free(proof);
}

Test(dpop, the_server_nonce_is_demanded_and_only_a_current_one_passes)
{
	struct dpop_expect e = expect();
	struct dpop_proof p;
	struct mint_dpop o;
	const char *now_n = dpop_nonce(SECRET, e.now, ar);
	const char *prev_n = dpop_nonce(SECRET, e.now - DPOP_NONCE_PERIOD, ar);
	const char *old_n =
	    dpop_nonce(SECRET, e.now - 2 * DPOP_NONCE_PERIOD, ar);
	const char *forged =
	    dpop_nonce("another-secret-0123456789abcdef", e.now, ar);
	const struct {
		const char *nonce;
		int rc;
	} cases[] = { { NULL, DPOP_NONCE }, { now_n, DPOP_OK },
		{ prev_n, DPOP_OK }, { old_n, DPOP_NONCE },
		{ forged, DPOP_NONCE }, { "1.2", DPOP_NONCE } };
	size_t i;

	e.nonce_key = SECRET;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *proof;

		mint_dpop_init(&o, key, "POST", URL);
		o.token = TOKEN;
		o.nonce = cases[i].nonce;
		proof = mint_dpop(&o);
		cr_expect_eq(dpop_verify(proof, &e, &p, ar), cases[i].rc,
		    "case %zu", i);
		free(proof);
	}
	cr_expect_str_eq(dpop_code(DPOP_NONCE), "use_dpop_nonce");
}

Test(dpop, a_replay_has_the_same_jti_key_and_another_key_does_not)
{
	struct dpop_expect e = expect();
	struct dpop_proof p1, p2, p3;
	struct mint_dpop o;
	char *a, *b;
	const char *k1, *k2, *k3;

	mint_dpop_init(&o, key, "POST", URL);
	o.token = TOKEN;
	o.jti = "the-same-jti";
	a = mint_dpop(&o);
	cr_assert_eq(dpop_verify(a, &e, &p1, ar), DPOP_OK);
	cr_assert_eq(dpop_verify(a, &e, &p2, ar), DPOP_OK);
	e.jkt = NULL;
	o.key = other;
	b = mint_dpop(&o);
	cr_assert_eq(dpop_verify(b, &e, &p3, ar), DPOP_OK);
	k1 = dpop_jti_key(&p1, ar);
	k2 = dpop_jti_key(&p2, ar);
	k3 = dpop_jti_key(&p3, ar);
	cr_assert_str_eq(k1, k2);
	cr_assert_str_neq(k1, k3);
	cr_assert_eq(strlen(k1), 64);
	free(a);
	free(b);
}

Test(dpop, a_bound_access_token_names_its_key_and_an_unbound_one_none)
{
	struct auth a = { .email = "asha@college.edu",
		.role = ROLE_STUDENT,
		.device_id = 7,
		.jti = "j1",
		.jkt = mint_dpop_key_jkt(key) };
	struct auth out;
	char *t = token_issue(SECRET, &a, 60, ar);

	cr_assert_not_null(t);
	cr_assert_eq(token_verify(SECRET, t, (long long)time(NULL), &out, ar),
	    TOKEN_OK);
	cr_assert_str_eq(out.jkt, mint_dpop_key_jkt(key));
	a.jkt = NULL;
	t = token_issue(SECRET, &a, 60, ar);
	cr_assert_eq(token_verify(SECRET, t, (long long)time(NULL), &out, ar),
	    TOKEN_OK);
	cr_assert_null(out.jkt);
}

Test(dpop, the_thumbprint_is_rfc_7638s)
{
	/* RFC 7638 has only an RSA example; this is the P-256 key of RFC
	 * 7515 A.3, its thumbprint computed apart (Python's hashlib over
	 * the canonical members {"crv","kty","x","y"}). */
	json_t *jwk = json_pack("{s:s,s:s,s:s,s:s}", "kty", "EC", "crv",
	    "P-256", "x", "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU", "y",
	    "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0");
	const char *t = dpop_thumbprint(jwk, ar);

	cr_assert_not_null(t);
	cr_assert_str_eq(t, "oKIywvGUpTVTyxMQ3bwIIeQUudfr_CkLMjCE19ECD-U");
	json_object_set_new(jwk, "crv", json_string("P-384"));
	cr_assert_null(dpop_thumbprint(jwk, ar));
	json_decref(jwk);
}
