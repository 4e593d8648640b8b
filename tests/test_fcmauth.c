/*
 * test_fcmauth.c - the service-account side of FCM: the key file, the
 * RS256 assertion (verified here with the public half of a fresh key)
 * and the access-token cache, with a token endpoint that is never
 * reachable, so any fetch the cache should have avoided shows up.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <jwt.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fcmauth.h"

#define TOKEN_URI "http://127.0.0.1:1/token" /* nothing listens on port 1 */
#define EMAIL "relay@unit.iam.gserviceaccount.com"

static char path[64], *pubpem;

static char *
bio_string(BIO *b)
{
	char *p, *s;
	long n = BIO_get_mem_data(b, &p);

	s = malloc((size_t)n + 1);
	memcpy(s, p, (size_t)n);
	s[n] = '\0';
	return s;
}

static void
setup(void)
{
	EVP_PKEY *k = EVP_RSA_gen(2048);
	BIO *priv = BIO_new(BIO_s_mem()), *pub = BIO_new(BIO_s_mem());
	char *pem;
	json_t *o;
	int fd;

	cr_assert_not_null(k);
	PEM_write_bio_PrivateKey(priv, k, NULL, NULL, 0, NULL, NULL);
	PEM_write_bio_PUBKEY(pub, k);
	pem = bio_string(priv);
	pubpem = bio_string(pub);
	strcpy(path, "/tmp/ehz-sa-XXXXXX");
	fd = mkstemp(path);
	close(fd);
	o = json_pack("{s:s,s:s,s:s,s:s,s:s}", "type", "service_account",
	    "project_id", "unit-project", "private_key", pem, "client_email",
	    EMAIL, "token_uri", TOKEN_URI);
	json_dump_file(o, path, 0);
	json_decref(o);
	free(pem);
	EVP_PKEY_free(k);
	BIO_free(priv);
	BIO_free(pub);
}

static void
teardown(void)
{
	unlink(path);
	free(pubpem);
}

TestSuite(fcmauth, .init = setup, .fini = teardown);

Test(fcmauth, the_key_file_gives_the_project)
{
	char err[256];
	struct fcmauth *fa = fcmauth_new(path, err, sizeof(err));

	cr_assert_not_null(fa, "%s", err);
	cr_assert_str_eq(fcmauth_project(fa), "unit-project");
	fcmauth_free(fa);
}

Test(fcmauth, a_key_file_without_a_private_key_is_refused_by_name)
{
	char err[256], p2[] = "/tmp/ehz-sa-bad-XXXXXX";
	int fd = mkstemp(p2);

	cr_assert(write(fd, "{\"client_email\":\"x\"}", 20) == 20);
	close(fd);
	cr_assert_null(fcmauth_new(p2, err, sizeof(err)));
	cr_assert(strstr(err, "private_key") != NULL, "%s", err);
	cr_assert_null(fcmauth_new("/nonexistent/sa.json", err, sizeof(err)));
	unlink(p2);
}

Test(fcmauth, the_assertion_is_rs256_signed_with_googles_claims)
{
	char err[256];
	struct fcmauth *fa = fcmauth_new(path, err, sizeof(err));
	long long now = (long long)time(NULL);
	char *a = fcmauth_assertion(fa, now);
	jwt_t *jwt = NULL;

	cr_assert_not_null(a);
	cr_assert_eq(jwt_decode(&jwt, a, (unsigned char *)pubpem,
			 (int)strlen(pubpem)),
	    0, "the signature verifies with the public key");
	cr_assert_eq(jwt_get_alg(jwt), JWT_ALG_RS256);
	cr_assert_str_eq(jwt_get_grant(jwt, "iss"), EMAIL);
	cr_assert_str_eq(jwt_get_grant(jwt, "aud"), TOKEN_URI);
	cr_assert_str_eq(jwt_get_grant(jwt, "scope"), FCMAUTH_SCOPE);
	cr_assert_eq(jwt_get_grant_int(jwt, "iat"), now);
	cr_assert_eq(jwt_get_grant_int(jwt, "exp"), now + 3600,
	    "an hour at most");
	jwt_free(jwt);
	free(a);
	fcmauth_free(fa);
}

Test(fcmauth, a_cached_token_is_reused_until_shortly_before_it_expires)
{
	char err[256];
	struct fcmauth *fa = fcmauth_new(path, err, sizeof(err));
	unsigned g0 = fcmauth_generation(fa);
	const char *t;

	cr_assert_eq(fcmauth_accept(fa,
			 "{\"access_token\":\"ya29.one\","
			 "\"expires_in\":3600,\"token_type\":"
			 "\"Bearer\"}",
			 1000000),
	    0);
	cr_assert_eq(fcmauth_generation(fa), g0 + 1);
	/* Any fetch would fail (port 1) and give NULL. */
	t = fcmauth_token(fa, 1000000 + 3000 * 1000LL);
	cr_assert_not_null(t, "within its life the token comes from the cache");
	cr_assert_str_eq(t, "ya29.one");
	cr_assert_eq(fcmauth_take_requests(fa), 0, "no token request made");
	/* 5 minutes before the end it is refreshed, not used. */
	cr_assert_null(fcmauth_token(fa, 1000000 + 3301 * 1000LL));
	cr_assert_eq(fcmauth_take_requests(fa), 1);
	fcmauth_free(fa);
}

Test(fcmauth, invalidating_forces_a_new_request)
{
	char err[256];
	struct fcmauth *fa = fcmauth_new(path, err, sizeof(err));

	cr_assert_eq(fcmauth_accept(fa,
			 "{\"access_token\":\"ya29.two\","
			 "\"expires_in\":3600}",
			 0),
	    0);
	fcmauth_invalidate(fa);
	cr_assert_null(fcmauth_token(fa, 1000));
	cr_assert_eq(fcmauth_take_requests(fa), 1);
	fcmauth_free(fa);
}

Test(fcmauth, token_answers_without_a_token_or_a_life_are_refused)
{
	char err[256];
	struct fcmauth *fa = fcmauth_new(path, err, sizeof(err));

	cr_assert_eq(fcmauth_accept(fa, "{\"expires_in\":3600}", 0), -1);
	cr_assert_eq(fcmauth_accept(fa, "{\"access_token\":\"x\"}", 0), -1);
	cr_assert_eq(fcmauth_accept(fa,
			 "{\"access_token\":\"x\","
			 "\"expires_in\":0}",
			 0),
	    -1);
	cr_assert_eq(fcmauth_accept(fa, "garbage", 0), -1);
	fcmauth_free(fa);
}
