/*
 * test_token.c - the access-token middleware: only HS256 tokens signed
 * with our secret, unexpired, with the right claims, get through.
 */
#include <criterion/criterion.h>
#include <jwt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto.h"
#include "token.h"

#define SECRET "unit-test-secret-0123456789abcdef0123"

static struct arena *ar;

static void
setup(void)
{
	ar = arena_new(1 << 20);
}

static void
teardown(void)
{
	arena_free(ar);
}

TestSuite(token, .init = setup, .fini = teardown);

static char *
issue(const char *secret, long ttl)
{
	struct auth a = { .email = "asha@college.edu",
		.role = ROLE_STUDENT,
		.device_id = 7,
		.jti = "j1" };

	return token_issue(secret, &a, ttl, ar);
}

Test(token, a_fresh_token_verifies_with_its_claims)
{
	struct auth out;
	char *t = issue(SECRET, 900);

	cr_assert_not_null(t);
	cr_assert_eq(token_verify(SECRET, t, time(NULL), &out, ar), TOKEN_OK);
	cr_assert_str_eq(out.email, "asha@college.edu");
	cr_assert_eq(out.role, ROLE_STUDENT);
	cr_assert_eq(out.device_id, 7);
	cr_assert_str_eq(out.jti, "j1");
}

Test(token, an_expired_token_is_refused)
{
	struct auth out;
	char *t = issue(SECRET, -5);

	cr_assert_eq(token_verify(SECRET, t, time(NULL), &out, ar),
	    TOKEN_EXPIRED);
}

Test(token, a_token_signed_with_another_secret_is_refused)
{
	struct auth out;
	char *t = issue("another-secret-0123456789abcdef012345", 900);

	cr_assert_eq(token_verify(SECRET, t, time(NULL), &out, ar),
	    TOKEN_MALFORMED);
}

Test(token, a_tampered_payload_is_refused)
{
	struct auth out;
	char *t = issue(SECRET, 900), *dot = strchr(t, '.');

	dot[3] = dot[3] == 'A' ? 'B' : 'A';
	cr_assert_neq(token_verify(SECRET, t, time(NULL), &out, ar), TOKEN_OK);
}

static char *
forge(jwt_alg_t alg, const char *key)
{
	jwt_t *j;
	char *s, *out;

	jwt_new(&j);
	jwt_add_grant(j, "sub", "mallory@college.edu");
	jwt_add_grant(j, "role", "teacher");
	jwt_add_grant(j, "jti", "x");
	jwt_add_grant(j, "typ", "access");
	jwt_add_grant_int(j, "dev", 1);
	jwt_add_grant_int(j, "exp", time(NULL) + 900);
	jwt_set_alg(j, alg, (const unsigned char *)key,
	    key ? (int)strlen(key) : 0);
	s = jwt_encode_str(j);
	out = arena_strdup(ar, s);
	free(s);
	jwt_free(j);
	return out;
}

Test(token, alg_none_is_refused)
{
	struct auth out;
	char *t = forge(JWT_ALG_NONE, NULL);

	cr_assert_not_null(t);
	cr_assert_eq(token_verify(SECRET, t, time(NULL), &out, ar),
	    TOKEN_MALFORMED);
}

Test(token, hs512_with_the_right_secret_is_still_refused)
{
	struct auth out;
	char *t = forge(JWT_ALG_HS512, SECRET);

	cr_assert_eq(token_verify(SECRET, t, time(NULL), &out, ar),
	    TOKEN_MALFORMED);
}

Test(token, a_refresh_or_foreign_typ_is_not_an_access_token)
{
	jwt_t *j;
	char *s;
	struct auth out;

	jwt_new(&j);
	jwt_add_grant(j, "sub", "a@b.c");
	jwt_add_grant(j, "role", "student");
	jwt_add_grant(j, "jti", "x");
	jwt_add_grant(j, "typ", "id");
	jwt_add_grant_int(j, "dev", 1);
	jwt_add_grant_int(j, "exp", time(NULL) + 900);
	jwt_set_alg(j, JWT_ALG_HS256, (const unsigned char *)SECRET,
	    (int)strlen(SECRET));
	s = jwt_encode_str(j);
	cr_assert_eq(token_verify(SECRET, s, time(NULL), &out, ar),
	    TOKEN_CLAIMS);
	free(s);
	jwt_free(j);
}

Test(token, base64url_round_trips)
{
	static const unsigned char in[] = { 0xfb, 0xff, 0x00, 0x10, 0x3e };
	size_t k, n;
	char *e;
	unsigned char *d;

	for (k = 0; k <= sizeof(in); k++) {
		e = crypto_b64url(in, k, ar);
		cr_assert_null(strpbrk(e, "+/="), "%s", e);
		d = crypto_b64url_decode(e, &n, ar);
		cr_assert_not_null(d);
		cr_assert_eq(n, k);
		cr_assert_eq(memcmp(d, in, k), 0);
	}
	cr_assert_null(crypto_b64url_decode("a", &n, ar));
	cr_assert_null(crypto_b64url_decode("ab$d", &n, ar));
}

Test(token, constant_time_compare_tells_equal_from_different)
{
	cr_assert(crypto_equal("1234", "1234", 4));
	cr_assert(!crypto_equal("1234", "1235", 4));
}

Test(token, role_names_go_both_ways_and_unknowns_are_none)
{
	enum role roles[] = { ROLE_STUDENT, ROLE_TEACHER, ROLE_HEAD,
		ROLE_ADMIN };
	size_t i;

	for (i = 0; i < sizeof(roles) / sizeof(roles[0]); i++) {
		cr_assert_eq(token_role_from_name(token_role_name(roles[i])),
		    roles[i]);
		cr_assert_eq(token_role_from_short(
				 token_role_name_short(roles[i])),
		    roles[i]);
	}
	cr_assert_str_eq(token_role_name((enum role)99), "none");
	cr_assert_str_eq(token_role_name_short((enum role)99), "-");
	cr_assert_eq(token_role_from_name("janitor"), ROLE_NONE);
	cr_assert_eq(token_role_from_name(NULL), ROLE_NONE);
	cr_assert_eq(token_role_from_short("x"), ROLE_NONE);
	cr_assert_eq(token_role_from_short(NULL), ROLE_NONE);
}
