/*
 * test_idtoken.c - Google ID-token verification against a locally generated
 * RSA key and JWKS file: the one good token passes, and every forgery and
 * policy violation is refused with its own reason.
 */
#include <criterion/criterion.h>
#include <poll.h>
#include <jansson.h>
#include <jwt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "idtoken.h"
#include "mint.h"

#define AUD "client-1.apps.googleusercontent.com"

static struct arena *ar;
static struct config cfg;
static char dir[64], key[128], jwks[128];

static void
setup(void)
{
	ar = arena_new(16 << 20);
	snprintf(dir, sizeof(dir), "/tmp/ehz-idtoken.XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(key, sizeof(key), "%s/key.pem", dir);
	snprintf(jwks, sizeof(jwks), "%s/jwks.json", dir);
	cr_assert_eq(mint_google_keys(dir, "k1"), 0);
	memset(&cfg, 0, sizeof(cfg));
	cfg.google_jwks = jwks;
	cfg.google_client_ids = "other-client, " AUD;
	cfg.google_hd = "";
	cfg.clock_skew = 60;
}

static pid_t server_pid;

static void
teardown(void)
{
	char cmd[128];

	if (server_pid > 0) {
		kill(server_pid, SIGKILL);
		waitpid(server_pid, NULL, 0);
	}

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
	idtoken_forget();
	arena_free(ar);
}

TestSuite(idtoken, .init = setup, .fini = teardown);

static int
verify(struct mint_google *o, struct idtoken_id *id)
{
	char *t = mint_google(o);
	int rc;

	cr_assert_not_null(t, "minting failed");
	rc = idtoken_verify(&cfg, t, (long long)time(NULL), id, ar);
	free(t);
	return rc;
}

static struct mint_google
opts(void)
{
	struct mint_google o;

	mint_google_init(&o, key, "k1", "asha@college.edu", AUD);
	o.name = "Asha Rao";
	return o;
}

Test(idtoken, a_valid_token_verifies_with_its_identity)
{
	struct mint_google o = opts();
	struct idtoken_id id;

	cr_assert_eq(verify(&o, &id), IDTOKEN_OK);
	cr_assert_str_eq(id.email, "asha@college.edu");
	cr_assert_str_eq(id.name, "Asha Rao");
	cr_assert_not_null(id.sub);
}

Test(idtoken, both_google_issuer_spellings_are_accepted)
{
	struct mint_google o = opts();
	struct idtoken_id id;

	o.iss = "accounts.google.com";
	cr_assert_eq(verify(&o, &id), IDTOKEN_OK);
}

Test(idtoken, a_wrong_audience_is_refused)
{
	struct mint_google o = opts();
	struct idtoken_id id;

	o.aud = "client-1.apps.googleusercontent.co";
	cr_assert_eq(verify(&o, &id), IDTOKEN_AUD);
	cfg.google_client_ids = "";
	o.aud = AUD;
	cr_assert_eq(verify(&o, &id), IDTOKEN_AUD, "no client ids: nothing");
}

Test(idtoken, a_wrong_issuer_is_refused)
{
	struct mint_google o = opts();
	struct idtoken_id id;

	o.iss = "https://evil.example.com";
	cr_assert_eq(verify(&o, &id), IDTOKEN_ISS);
}

Test(idtoken, an_expired_token_is_refused_beyond_the_skew)
{
	struct mint_google o = opts();
	struct idtoken_id id;

	o.exp_in = -120;
	o.iat_in = -3720;
	cr_assert_eq(verify(&o, &id), IDTOKEN_EXPIRED);
	o.exp_in = -30;
	cr_assert_eq(verify(&o, &id), IDTOKEN_OK, "within CLOCK_SKEW");
}

Test(idtoken, a_token_issued_in_the_future_is_refused)
{
	struct mint_google o = opts();
	struct idtoken_id id;

	o.iat_in = 600;
	cr_assert_eq(verify(&o, &id), IDTOKEN_IAT);
}

Test(idtoken, a_bad_signature_is_refused)
{
	struct mint_google o = opts();
	struct idtoken_id id;

	o.bad_signature = 1;
	cr_assert_eq(verify(&o, &id), IDTOKEN_SIGNATURE);
}

Test(idtoken, a_token_from_another_key_with_our_kid_is_refused)
{
	struct mint_google o = opts();
	struct idtoken_id id;
	char other[128], okey[160];

	snprintf(other, sizeof(other), "%s/other", dir);
	cr_assert_eq(mint_google_keys(other, "k1"), 0);
	snprintf(okey, sizeof(okey), "%s/key.pem", other);
	o.key = okey;
	cr_assert_eq(verify(&o, &id), IDTOKEN_SIGNATURE);
}

Test(idtoken, an_unknown_kid_is_refused)
{
	struct mint_google o = opts();
	struct idtoken_id id;

	o.kid = "k-unknown";
	cr_assert_eq(verify(&o, &id), IDTOKEN_KID);
	o.kid = NULL;
	cr_assert_eq(verify(&o, &id), IDTOKEN_KID);
}

Test(idtoken, alg_none_is_refused)
{
	struct mint_google o = opts();
	struct idtoken_id id;

	o.alg = "none";
	cr_assert_eq(verify(&o, &id), IDTOKEN_ALG);
}

Test(idtoken, hs256_signed_with_the_public_key_is_refused)
{
	struct mint_google o = opts();
	struct idtoken_id id;
	char *t, *pem, pub[160];
	jwt_t *jwt = NULL;

	o.alg = "HS256";
	t = mint_google(&o);
	cr_assert_not_null(t);
	/* The forgery is real: a library trusting the header accepts it. */
	snprintf(pub, sizeof(pub), "%s/pub.pem", dir);
	pem = mint_slurp(pub);
	pem = realloc(pem, strlen(pem) + 2);
	strcat(pem, "\n");
	cr_assert_eq(jwt_decode(&jwt, t, (unsigned char *)pem,
			 (int)strlen(pem)),
	    0, "the confusion token should fool plain libjwt");
	jwt_free(jwt);
	free(pem);
	cr_assert_eq(idtoken_verify(&cfg, t, (long long)time(NULL), &id, ar),
	    IDTOKEN_ALG);
	free(t);
}

Test(idtoken, any_algorithm_but_rs256_is_refused)
{
	struct mint_google o = opts();
	struct idtoken_id id;

	o.alg = "RS512";
	cr_assert_eq(verify(&o, &id), IDTOKEN_ALG);
	o.alg = "ES256";
	cr_assert_eq(verify(&o, &id), IDTOKEN_ALG);
}

Test(idtoken, an_unverified_email_is_refused)
{
	struct mint_google o = opts();
	struct idtoken_id id;

	o.email_unverified = 1;
	cr_assert_eq(verify(&o, &id), IDTOKEN_EMAIL);
}

Test(idtoken, the_hosted_domain_policy_is_enforced)
{
	struct mint_google o = opts();
	struct idtoken_id id;

	cfg.google_hd = "college.edu";
	cr_assert_eq(verify(&o, &id), IDTOKEN_HD, "no hd claim");
	o.hd = "gmail.com";
	cr_assert_eq(verify(&o, &id), IDTOKEN_HD);
	o.hd = "college.edu";
	cr_assert_eq(verify(&o, &id), IDTOKEN_OK);
}

Test(idtoken, garbage_is_malformed_not_a_crash)
{
	struct idtoken_id id;
	const char *bad[] = { "", "abc", "a.b", "a.b.c.d", "!!.??.**",
		"eyJhbGciOiJSUzI1NiJ9.e30.", "e30.e30.e30" };
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_neq(idtoken_verify(&cfg, bad[i], time(NULL), &id, ar),
		    IDTOKEN_OK, "%s", bad[i]);
	cr_assert_eq(idtoken_verify(&cfg, "a.b", time(NULL), &id, ar),
	    IDTOKEN_MALFORMED);
}

Test(idtoken, a_missing_jwks_is_a_key_error)
{
	struct mint_google o = opts();
	struct idtoken_id id;

	cfg.google_jwks = "/nonexistent/jwks.json";
	cr_assert_eq(verify(&o, &id), IDTOKEN_KEYS);
}

Test(idtoken, the_jwk_becomes_the_same_pem_openssl_wrote)
{
	char pub[160], *want, *text;
	json_t *doc, *k;
	char *pem;

	snprintf(pub, sizeof(pub), "%s/pub.pem", dir);
	want = mint_slurp(pub);
	text = mint_slurp(jwks);
	doc = json_loads(text, 0, NULL);
	k = json_array_get(json_object_get(doc, "keys"), 0);
	pem = idtoken_jwk_pem(json_string_value(json_object_get(k, "n")),
	    json_string_value(json_object_get(k, "e")), ar);
	cr_assert_not_null(pem);
	cr_assert_eq(strncmp(pem, want, strlen(want)), 0);
	cr_assert_null(idtoken_jwk_pem("AQAB", "AQAB", ar), "short modulus");
	json_decref(doc);
	free(want);
	free(text);
}

Test(idtoken, rotated_keys_in_the_file_are_picked_up)
{
	struct mint_google o = opts();
	struct idtoken_id id;

	cr_assert_eq(verify(&o, &id), IDTOKEN_OK);
	sleep(1); /* a new mtime */
	cr_assert_eq(mint_google_keys(dir, "k2"), 0);
	o.kid = "k2";
	cr_assert_eq(verify(&o, &id), IDTOKEN_OK, "new kid after rotation");
	o.kid = "k1";
	cr_assert_eq(verify(&o, &id), IDTOKEN_KID, "the old key is gone");
}

static char *shared_token;

static void *
verify_many(void *arg)
{
	struct arena *a = arena_new(4 << 20);
	struct idtoken_id id;
	long ok = 0;
	int i;

	(void)arg;
	for (i = 0; i < 50; i++) {
		ok += idtoken_verify(&cfg, shared_token, time(NULL), &id, a) ==
		    IDTOKEN_OK;
		arena_reset(a);
	}
	arena_free(a);
	return (void *)ok;
}

Test(idtoken, threads_share_the_key_cache_safely)
{
	struct mint_google o = opts();
	pthread_t t[8];
	void *ok;
	int i;

	shared_token = mint_google(&o);
	for (i = 0; i < 8; i++)
		pthread_create(&t[i], NULL, verify_many, NULL);
	for (i = 0; i < 8; i++) {
		pthread_join(t[i], &ok);
		cr_assert_eq((long)ok, 50);
	}
	free(shared_token);
}

/*
 * A JWKS server on loopback answering with Cache-Control max-age=3; it
 * writes one byte to hits per request served.
 */
static pid_t
jwks_server(int *port, int *hits)
{
	struct sockaddr_in a = { 0 };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), p[2], c;
	char *body = mint_slurp(jwks), head[256], req[4096];
	pid_t pid;

	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	cr_assert_eq(listen(fd, 8), 0);
	getsockname(fd, (struct sockaddr *)&a, &len);
	*port = ntohs(a.sin_port);
	cr_assert_eq(pipe(p), 0);
	if ((pid = fork()) == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (;;) {
			if ((c = accept(fd, NULL, NULL)) < 0)
				_exit(0);
			if (read(c, req, sizeof(req)) <= 0) {
				close(c);
				continue;
			}
			snprintf(head, sizeof(head),
			    "HTTP/1.1 200 OK\r\nContent-Type: application/json"
			    "\r\nCache-Control: public, max-age=3\r\n"
			    "Content-Length: %zu\r\nConnection: close\r\n\r\n",
			    strlen(body));
			if (write(c, head, strlen(head)) < 0 ||
			    write(c, body, strlen(body)) < 0 ||
			    write(p[1], "x", 1) < 0)
				_exit(1);
			close(c);
		}
	}
	close(fd);
	close(p[1]);
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	*hits = p[0];
	free(body);
	return pid;
}

/*
 * Fetches the server has reported so far.  The server child reports a
 * fetch after answering it, so wait until it has been quiet for 50 ms.
 */
static int
count(int fd)
{
	static int total;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char b[64];
	ssize_t n;

	do {
		while ((n = read(fd, b, sizeof(b))) > 0)
			total += (int)n;
	} while (poll(&pfd, 1, 50) > 0 && (pfd.revents & POLLIN));
	return total;
}

Test(idtoken, a_jwks_url_is_cached_by_max_age_and_unknown_kids_do_not_refetch)
{
	struct mint_google o = opts();
	struct idtoken_id id;
	char url[64];
	int port, hits;

	server_pid = jwks_server(&port, &hits);

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/certs", port);
	cfg.google_jwks = url;
	cr_assert_eq(verify(&o, &id), IDTOKEN_OK);
	cr_assert_eq(verify(&o, &id), IDTOKEN_OK);
	cr_assert_eq(count(hits), 1, "cached");
	o.kid = "forged-kid";
	cr_assert_eq(verify(&o, &id), IDTOKEN_KID);
	cr_assert_eq(verify(&o, &id), IDTOKEN_KID);
	cr_assert_eq(count(hits), 1, "unknown kids are rate-limited");
	sleep(4);
	o.kid = "k1";
	cr_assert_eq(verify(&o, &id), IDTOKEN_OK);
	cr_assert_eq(count(hits), 2, "refetched after max-age");
}
