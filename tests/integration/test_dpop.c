/*
 * test_dpop.c - access tokens bound to a device key (DPoP, RFC 9449)
 * against the real stack: a sign-in with a proof binds the key to the
 * device row and the token (cnf.jkt); a bound token without a proof, a
 * copied token with another key's proof, a replayed proof, a proof for
 * another URL are 401 with their codes; refresh needs the key; the
 * WebSocket upgrade carries its proof as a "dpop." subprotocol entry.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "itauth.h"
#include "mintdpop.h"
#include "ws.h"

static struct mint_dpop_key *key, *thief;
static long long cls;

static void
setup(void)
{
	key = mint_dpop_key_new("P-256");
	thief = mint_dpop_key_new("P-256");
	if (it_url())
		cls = itauth_class("DP");
}

static void
teardown(void)
{
	mint_dpop_key_free(key);
	mint_dpop_key_free(thief);
}

TestSuite(dpop, .init = setup, .fini = teardown);

static char *
url(const char *path)
{
	static char buf[4][512];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s%s", it_url(), path);
	return buf[i];
}

/* A proof by k for method + path (+ ath of token); malloc'd. */
static char *
proof(const struct mint_dpop_key *k, const char *method, const char *path,
    const char *token)
{
	struct mint_dpop o;

	mint_dpop_init(&o, k, method, url(path));
	o.token = token;
	return mint_dpop(&o);
}

/* method path with "Authorization: DPoP token" and the given proof. */
static void
call(const char *method, const char *path, const char *token, const char *dpop,
    const char *body, struct it_resp *r)
{
	char auth[2048], hdr[2048];
	const char *h[4] = { NULL };
	int n = 0;

	if (token) {
		snprintf(auth, sizeof(auth), "Authorization: DPoP %s", token);
		h[n++] = auth;
	}
	if (dpop) {
		snprintf(hdr, sizeof(hdr), "DPoP: %s", dpop);
		h[n++] = hdr;
	}
	if (body)
		h[n++] = "Content-Type: application/json";
	cr_assert_eq(it_request(method, path, body, body ? strlen(body) : 0, h,
			 r),
	    0);
}

/* Signs in with a proof of k; the reply (status asserted by callers). */
static void
signin(const char *email, const char *platform, const struct mint_dpop_key *k,
    struct it_resp *r)
{
	char *t = itauth_id_token(email),
	     *p = proof(k, "POST", "/auth/google", NULL);
	json_t *dev = json_pack("{s:s}", "platform", platform), *b;
	char *body;

	if (strcmp(platform, "WEB") != 0) {
		char *u = itauth_uuid(), *f = itauth_fp();

		json_object_set_new(dev, "uuid", json_string(u));
		json_object_set_new(dev, "fingerprint_hash", json_string(f));
	}
	if (strcmp(platform, "ANDROID") == 0) {
		char *n = itauth_nonce(),
		     *v = itauth_integrity(n, "MEETS_DEVICE_INTEGRITY");

		json_object_set_new(dev, "integrity_token", json_string(v));
	}
	b = json_pack("{s:s,s:o}", "id_token", t, "device", dev);
	body = json_dumps(b, JSON_COMPACT);
	call("POST", "/auth/google", NULL, p, body, r);
	free(body);
	json_decref(b);
	free(p);
}

static char *
bound_teacher(struct it_resp *r)
{
	char *te = strdup(itauth_email("dpt"));

	itauth_teacher(te, cls, 1);
	signin(te, "WEB", key, r);
	cr_assert_eq(r->status, 200, "%s", r->body);
	free(te);
	return strdup(itauth_str(r, "access_token"));
}

Test(dpop, a_web_sign_in_with_a_key_makes_the_key_the_device)
{
	struct it_resp r, me;
	char *tok, *p;
	long long dev;

	IT_REQUIRE_STACK();
	tok = bound_teacher(&r);
	dev = itauth_device_id(&r);
	cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM device WHERE "
				"device_id = ? AND dpop_jkt = ? AND "
				"fingerprint_hash = LOWER(HEX(FROM_BASE64("
				"REPLACE(REPLACE(CONCAT(?, '='), '-', '+'), "
				"'_', '/')))) AND device_uuid <> 'DUMMY' AND "
				"dpop_jwk LIKE '%\"crv\":\"P-256\"%'",
			 "Iss", dev, mint_dpop_key_jkt(key),
			 mint_dpop_key_jkt(key)),
	    1, "the device row is the key");
	p = proof(key, "GET", "/me", tok);
	call("GET", "/me", tok, p, NULL, &me);
	cr_assert_eq(me.status, 200, "%s", me.body);
	it_resp_free(&me);
	free(p);
	free(tok);
	it_resp_free(&r);
}

Test(dpop, a_bound_token_without_a_proof_is_refused)
{
	struct it_resp r, me;
	char *tok;

	IT_REQUIRE_STACK();
	tok = bound_teacher(&r);
	cr_assert_eq(it_get("/me", tok, &me), 0); /* Bearer, no proof */
	cr_assert_eq(me.status, 401, "%s", me.body);
	cr_assert_str_eq(it_error_code(&me), "dpop_required");
	cr_assert_not_null(strstr(me.headers, "DPoP error="));
	it_resp_free(&me);
	free(tok);
	it_resp_free(&r);
}

Test(dpop, a_copied_token_with_another_keys_proof_is_refused)
{
	struct it_resp r, me;
	char *tok, *p;

	IT_REQUIRE_STACK();
	tok = bound_teacher(&r);
	p = proof(thief, "GET", "/me", tok); /* a perfect proof, wrong key */
	call("GET", "/me", tok, p, NULL, &me);
	cr_assert_eq(me.status, 401, "%s", me.body);
	cr_assert_str_eq(it_error_code(&me), "dpop_wrong_key");
	it_resp_free(&me);
	free(p);
	free(tok);
	it_resp_free(&r);
}

Test(dpop, a_replayed_proof_is_refused)
{
	struct it_resp r, a, b;
	char *tok, *p;

	IT_REQUIRE_STACK();
	tok = bound_teacher(&r);
	p = proof(key, "GET", "/me", tok);
	call("GET", "/me", tok, p, NULL, &a);
	cr_assert_eq(a.status, 200, "%s", a.body);
	call("GET", "/me", tok, p, NULL, &b);
	cr_assert_eq(b.status, 401, "%s", b.body);
	cr_assert_str_eq(it_error_code(&b), "dpop_replayed");
	it_resp_free(&a);
	it_resp_free(&b);
	free(p);
	free(tok);
	it_resp_free(&r);
}

Test(dpop, a_proof_for_another_url_or_method_is_refused)
{
	struct it_resp r, a;
	char *tok, *p;

	IT_REQUIRE_STACK();
	tok = bound_teacher(&r);
	p = proof(key, "GET", "/timetable", tok);
	call("GET", "/me", tok, p, NULL, &a);
	cr_assert_eq(a.status, 401, "%s", a.body);
	cr_assert_str_eq(it_error_code(&a), "dpop_wrong_url");
	it_resp_free(&a);
	free(p);
	p = proof(key, "POST", "/me", tok);
	call("GET", "/me", tok, p, NULL, &a);
	cr_assert_str_eq(it_error_code(&a), "dpop_wrong_method");
	it_resp_free(&a);
	free(p);
	free(tok);
	it_resp_free(&r);
}

Test(dpop, a_key_bound_device_refreshes_only_with_its_key)
{
	struct it_resp r, a, me;
	char *tok, *p, body[256];

	IT_REQUIRE_STACK();
	tok = bound_teacher(&r);
	snprintf(body, sizeof(body), "{\"refresh_token\":\"%s\"}",
	    itauth_str(&r, "refresh_token"));
	call("POST", "/auth/refresh", NULL, NULL, body, &a);
	cr_assert_eq(a.status, 401, "%s", a.body);
	cr_assert_str_eq(it_error_code(&a), "dpop_required");
	it_resp_free(&a);
	p = proof(thief, "POST", "/auth/refresh", NULL);
	call("POST", "/auth/refresh", NULL, p, body, &a);
	cr_assert_str_eq(it_error_code(&a), "dpop_wrong_key");
	it_resp_free(&a);
	free(p);
	p = proof(key, "POST", "/auth/refresh", NULL);
	call("POST", "/auth/refresh", NULL, p, body, &a);
	cr_assert_eq(a.status, 200, "%s", a.body);
	free(p);
	free(tok);
	tok = strdup(itauth_str(&a, "access_token"));
	cr_assert_eq(it_get("/me", tok, &me), 0);
	cr_assert_str_eq(it_error_code(&me), "dpop_required",
	    "the new token is bound too");
	it_resp_free(&me);
	it_resp_free(&a);
	free(tok);
	it_resp_free(&r);
}

Test(dpop, a_student_phone_bound_to_a_key_is_refused_a_copied_token)
{
	struct it_resp r, a;
	char *st = strdup(itauth_email("dps")), *tok, *p;

	IT_REQUIRE_STACK();
	itauth_student(st, cls, 1);
	/* The native app can use the same scheme (Android Keystore key). */
	signin(st, "ANDROID", key, &r);
	cr_assert_eq(r.status, 200, "%s", r.body);
	tok = strdup(itauth_str(&r, "access_token"));
	p = proof(key, "GET", "/attendance/open", tok);
	call("GET", "/attendance/open", tok, p, NULL, &a);
	cr_assert_eq(a.status, 200, "%s", a.body);
	it_resp_free(&a);
	free(p);
	cr_assert_eq(it_get("/attendance/open", tok, &a), 0);
	cr_assert_eq(a.status, 401, "%s", a.body);
	it_resp_free(&a);
	free(tok);
	free(st);
	it_resp_free(&r);
}

Test(dpop, a_sign_in_proof_with_a_private_key_or_another_curve_is_refused)
{
	static const struct {
		const char *curve;
		int with_private;
		const char *code;
	} cases[] = { { "P-256", 1, "dpop_private_key" },
		{ "P-384", 0, "dpop_wrong_curve" } };
	size_t i;

	IT_REQUIRE_STACK();
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mint_dpop_key *k = mint_dpop_key_new(cases[i].curve);
		char *te = strdup(itauth_email("dpx")), *t, *p, body[9000];
		struct mint_dpop o;
		struct it_resp r;

		itauth_teacher(te, cls, 1);
		t = itauth_id_token(te);
		mint_dpop_init(&o, k, "POST", url("/auth/google"));
		o.with_private = cases[i].with_private;
		p = mint_dpop(&o);
		snprintf(body, sizeof(body),
		    "{\"id_token\":\"%s\",\"device\":{\"platform\":"
		    "\"WEB\"}}",
		    t);
		call("POST", "/auth/google", NULL, p, body, &r);
		cr_expect_eq(r.status, 401, "%s", r.body);
		cr_expect_str_eq(it_error_code(&r), cases[i].code);
		cr_expect_eq(it_sql_int("SELECT COUNT(*) FROM device WHERE "
					"user_email = ?",
				 "s", te),
		    0, "no device for a refused key");
		it_resp_free(&r);
		free(p);
		free(te);
		mint_dpop_key_free(k);
	}
}

static int
port(void)
{
	const char *p = getenv("EHAZIRA_HTTP_PORT");

	return p ? atoi(p) : 8080;
}

Test(dpop, the_websocket_upgrade_needs_the_proof_as_a_subprotocol)
{
	struct it_resp r;
	char *tok, *p, offer[4096];
	struct ws *w;
	int status = 0;

	IT_REQUIRE_STACK();
	tok = bound_teacher(&r);
	snprintf(offer, sizeof(offer), "ws+meta.nchan, bearer.%s", tok);
	w = ws_connect(port(), "/ws", offer, 5000, &status);
	cr_assert_null(w);
	cr_assert_eq(status, 401, "no proof: %d", status);
	p = proof(thief, "GET", "/ws", tok);
	snprintf(offer, sizeof(offer), "ws+meta.nchan, bearer.%s, dpop.%s", tok,
	    p);
	free(p);
	w = ws_connect(port(), "/ws", offer, 5000, &status);
	cr_assert_null(w);
	cr_assert_eq(status, 401, "another key: %d", status);
	p = proof(key, "GET", "/ws", tok);
	snprintf(offer, sizeof(offer), "ws+meta.nchan, bearer.%s, dpop.%s", tok,
	    p);
	free(p);
	w = ws_connect(port(), "/ws", offer, 5000, &status);
	cr_assert_not_null(w, "status %d", status);
	cr_assert_eq(status, 101);
	ws_close(w);
	/* the same proof again: a replay */
	w = ws_connect(port(), "/ws", offer, 5000, &status);
	cr_assert_null(w);
	cr_assert_eq(status, 401, "replayed: %d", status);
	free(tok);
	it_resp_free(&r);
}
