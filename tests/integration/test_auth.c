/*
 * test_auth.c - POST /auth/google end to end: only tokens signed with the
 * configured key, for our audience, from a verified registered user, get
 * in; the device policy (first bind, same device, reinstall, new device,
 * WEB, integrity) and the refresh-token rotation, asserted on the rows.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "itauth.h"
#include "token.h"

static long long cls;

static void
setup(void)
{
	if (it_url())
		cls = itauth_class("A");
}

TestSuite(auth, .init = setup);

static char *
student(void)
{
	char *e = strdup(itauth_email("s"));

	itauth_student(e, cls, 1);
	return e;
}

/* Signs in with o's token from a fresh ANDROID device. */
static void
expect_refused(struct mint_google *o, long status, const char *code)
{
	struct it_resp r;
	char *t = mint_google(o), *u = itauth_uuid(), *fp = itauth_fp();

	cr_assert_not_null(t);
	cr_assert_eq(itauth_signin(t, "ANDROID", u, fp, "", &r), 0);
	cr_assert_eq(r.status, status, "%s", r.body);
	cr_assert_str_eq(it_error_code(&r), code, "%s", r.body);
	cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM device WHERE "
				"fingerprint_hash = ?",
			 "s", fp),
	    0, "no device row for a refused sign-in");
	it_resp_free(&r);
	free(t);
}

Test(auth, a_valid_login_binds_the_first_device_and_returns_tokens)
{
	struct it_resp r, me;
	char *e = student(), *u = itauth_uuid(), *fp = itauth_fp(), *h;
	const char *refresh;
	long long dev;

	IT_REQUIRE_STACK();
	cr_assert_eq(itauth_android(e, u, fp, &r), 0);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_assert_str_eq(itauth_str(&r, "token_type"), "Bearer");
	cr_assert_str_eq(itauth_str(&r, "role"), "student");
	cr_assert_str_eq(itauth_str(&r, "status"), "ACTIVE");
	cr_assert_str_eq(itauth_str(&r, "integrity_level"), "BASIC");
	cr_assert_eq(json_integer_value(json_object_get(r.json, "expires_in")),
	    it_config()->access_ttl);
	cr_assert_str_eq(json_string_value(
			     json_object_get(json_object_get(r.json, "user"),
				 "email")),
	    e);
	dev = itauth_device_id(&r);
	cr_assert_eq(it_sql_int("SELECT active FROM device WHERE device_id = ? "
				"AND approval = 'ACTIVE' AND device_uuid = ? "
				"AND fingerprint_hash = ? AND "
				"integrity_level = 'BASIC'",
			 "Iss", dev, u, fp),
	    1);
	/* the refresh token is stored only as its SHA-256 */
	refresh = itauth_str(&r, "refresh_token");
	h = crypto_sha256_hex(refresh, strlen(refresh), it_arena());
	cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM refresh_token WHERE "
				"token_hash = ? AND device_id = ?",
			 "sI", h, dev),
	    1);
	cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM refresh_token WHERE "
				"token_hash = ?",
			 "s", refresh),
	    0);
	cr_assert_eq(it_get("/me", itauth_str(&r, "access_token"), &me), 0);
	cr_assert_eq(me.status, 200, "%s", me.body);
	it_resp_free(&me);
	it_resp_free(&r);
}

Test(auth, a_token_for_another_audience_is_refused)
{
	struct mint_google o;

	IT_REQUIRE_STACK();
	itauth_google_opts(&o, student());
	o.aud = "someone-else.apps.googleusercontent.com";
	expect_refused(&o, 401, "invalid_id_token");
}

Test(auth, a_token_from_another_issuer_is_refused)
{
	struct mint_google o;

	IT_REQUIRE_STACK();
	itauth_google_opts(&o, student());
	o.iss = "https://accounts.google.com.evil.example";
	expect_refused(&o, 401, "invalid_id_token");
}

Test(auth, an_expired_token_is_refused)
{
	struct mint_google o;

	IT_REQUIRE_STACK();
	itauth_google_opts(&o, student());
	o.exp_in = -600;
	o.iat_in = -4200;
	expect_refused(&o, 401, "invalid_id_token");
}

Test(auth, a_bad_signature_is_refused)
{
	struct mint_google o;

	IT_REQUIRE_STACK();
	itauth_google_opts(&o, student());
	o.bad_signature = 1;
	expect_refused(&o, 401, "invalid_id_token");
}

Test(auth, an_unknown_kid_is_refused)
{
	struct mint_google o;

	IT_REQUIRE_STACK();
	itauth_google_opts(&o, student());
	o.kid = "not-a-google-key";
	expect_refused(&o, 401, "invalid_id_token");
}

Test(auth, alg_none_is_refused)
{
	struct mint_google o;

	IT_REQUIRE_STACK();
	itauth_google_opts(&o, student());
	o.alg = "none";
	expect_refused(&o, 401, "invalid_id_token");
}

Test(auth, hs256_signed_with_the_public_key_is_refused)
{
	struct mint_google o;

	IT_REQUIRE_STACK();
	itauth_google_opts(&o, student());
	o.alg = "HS256";
	expect_refused(&o, 401, "invalid_id_token");
}

Test(auth, an_unverified_google_email_is_refused)
{
	struct mint_google o;

	IT_REQUIRE_STACK();
	itauth_google_opts(&o, student());
	o.email_unverified = 1;
	expect_refused(&o, 401, "invalid_id_token");
}

Test(auth, an_unregistered_email_is_refused)
{
	struct mint_google o;

	IT_REQUIRE_STACK();
	itauth_google_opts(&o, itauth_email("stranger"));
	expect_refused(&o, 403, "not_registered");
}

Test(auth, a_registered_but_unverified_student_is_refused)
{
	struct mint_google o;
	char *e = strdup(itauth_email("unverified"));

	IT_REQUIRE_STACK();
	itauth_student(e, cls, 0);
	itauth_google_opts(&o, e);
	expect_refused(&o, 403, "not_verified");
}

Test(auth, a_blocked_account_cannot_sign_in)
{
	struct mint_google o;
	char *e = student();

	IT_REQUIRE_STACK();
	it_sql("UPDATE student SET blocked = TRUE WHERE student_email = ?", "s",
	    e);
	itauth_google_opts(&o, e);
	expect_refused(&o, 403, "account_blocked");
}

Test(auth, the_same_device_signs_in_again)
{
	struct it_resp r1, r2;
	char *e = student(), *u = itauth_uuid(), *fp = itauth_fp();

	IT_REQUIRE_STACK();
	cr_assert_eq(itauth_android(e, u, fp, &r1), 0);
	cr_assert_eq(r1.status, 200, "%s", r1.body);
	cr_assert_eq(itauth_android(e, u, fp, &r2), 0);
	cr_assert_eq(r2.status, 200, "%s", r2.body);
	cr_assert_eq(itauth_device_id(&r1), itauth_device_id(&r2));
	cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM device WHERE "
				"user_email = ?",
			 "s", e),
	    1);
	it_resp_free(&r1);
	it_resp_free(&r2);
}

Test(auth, a_reinstall_keeps_the_device_with_the_new_uuid_and_is_audited)
{
	struct it_resp r1, r2;
	char *e = student(), *u1 = itauth_uuid(), *u2 = itauth_uuid(),
	     *fp = itauth_fp();

	IT_REQUIRE_STACK();
	cr_assert_eq(itauth_android(e, u1, fp, &r1), 0);
	cr_assert_eq(r1.status, 200, "%s", r1.body);
	cr_assert_eq(itauth_android(e, u2, fp, &r2), 0);
	cr_assert_eq(r2.status, 200, "%s", r2.body);
	cr_assert_eq(itauth_device_id(&r1), itauth_device_id(&r2));
	cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM device WHERE "
				"user_email = ? AND device_uuid = ? AND "
				"active = TRUE",
			 "ss", e, u2),
	    1);
	cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM audit_log WHERE "
				"action = 'device.reinstall' AND subject = ? "
				"AND old_value = ? AND new_value = ?",
			 "sss", e, u1, u2),
	    1);
	it_resp_free(&r1);
	it_resp_free(&r2);
}

Test(auth, a_new_phone_is_pending_once_and_refused)
{
	struct it_resp r;
	char *e = student(), *fp2 = itauth_fp();
	int i;

	IT_REQUIRE_STACK();
	cr_assert_eq(itauth_android(e, itauth_uuid(), itauth_fp(), &r), 0);
	cr_assert_eq(r.status, 200, "%s", r.body);
	it_resp_free(&r);
	for (i = 0; i < 2; i++) {
		cr_assert_eq(itauth_android(e, itauth_uuid(), fp2, &r), 0);
		cr_assert_eq(r.status, 403, "%s", r.body);
		cr_assert_str_eq(it_error_code(&r), "device_pending_approval");
		cr_assert_null(json_object_get(r.json, "access_token"));
		it_resp_free(&r);
	}
	cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM device WHERE "
				"user_email = ? AND fingerprint_hash = ? AND "
				"approval = 'PENDING' AND active = FALSE",
			 "ss", e, fp2),
	    1, "one pending row, not one per attempt");
	cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM device WHERE "
				"user_email = ? AND active = TRUE",
			 "s", e),
	    1);
}

Test(auth, integrity_fail_blocks_and_every_later_request_is_refused)
{
	struct it_resp r, me;
	char *e = student(), *u = itauth_uuid(), *fp = itauth_fp(), *nonce,
	     *bad, *t, *access, *refresh, body[256];

	IT_REQUIRE_STACK();
	cr_assert_eq(itauth_android(e, u, fp, &r), 0);
	cr_assert_eq(r.status, 200, "%s", r.body);
	access = arena_strdup(it_arena(), itauth_str(&r, "access_token"));
	refresh = arena_strdup(it_arena(), itauth_str(&r, "refresh_token"));
	it_resp_free(&r);

	nonce = itauth_nonce();
	bad = itauth_integrity(nonce, "");
	t = itauth_id_token(e);
	cr_assert_eq(itauth_signin(t, "ANDROID", u, fp, bad, &r), 0);
	cr_assert_eq(r.status, 403, "%s", r.body);
	cr_assert_str_eq(it_error_code(&r), "account_blocked");
	it_resp_free(&r);
	cr_assert_eq(it_sql_int("SELECT blocked + flagged FROM student WHERE "
				"student_email = ?",
			 "s", e),
	    2);
	cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM audit_log WHERE "
				"action = 'integrity.fail' AND subject = ?",
			 "s", e),
	    1);
	/* the token issued before is refused at once, not at expiry */
	cr_assert_eq(it_get("/me", access, &me), 0);
	cr_assert_eq(me.status, 403, "%s", me.body);
	cr_assert_str_eq(it_error_code(&me), "account_blocked");
	it_resp_free(&me);
	snprintf(body, sizeof(body), "{\"refresh_token\":\"%s\"}", refresh);
	cr_assert_eq(it_post_json("/auth/refresh", NULL, body, &r), 0);
	cr_assert_eq(r.status, 401, "%s", r.body);
	it_resp_free(&r);
	/* and a clean verdict does not unblock */
	cr_assert_eq(itauth_android(e, u, fp, &r), 0);
	cr_assert_eq(r.status, 403, "%s", r.body);
	cr_assert_str_eq(it_error_code(&r), "account_blocked");
	it_resp_free(&r);
}

Test(auth, a_nonce_is_single_use)
{
	struct it_resp r;
	char *e = student(), *u = itauth_uuid(), *fp = itauth_fp(), *nonce, *v1,
	     *v2, *t;

	IT_REQUIRE_STACK();
	nonce = itauth_nonce();
	cr_assert_not_null(nonce);
	v1 = itauth_integrity(nonce, "MEETS_DEVICE_INTEGRITY");
	v2 = itauth_integrity(nonce, "MEETS_STRONG_INTEGRITY");
	t = itauth_id_token(e);
	cr_assert_eq(itauth_signin(t, "ANDROID", u, fp, v1, &r), 0);
	cr_assert_eq(r.status, 200, "%s", r.body);
	it_resp_free(&r);
	cr_assert_eq(itauth_signin(t, "ANDROID", u, fp, v2, &r), 0);
	cr_assert_eq(r.status, 403, "%s", r.body);
	cr_assert_str_eq(it_error_code(&r), "integrity_nonce");
	it_resp_free(&r);
	v1 = itauth_integrity("bm90LWEtY2hhbGxlbmdlLWZyb20tdXM", "");
	cr_assert_eq(itauth_signin(t, "ANDROID", u, fp, v1, &r), 0);
	cr_assert_eq(r.status, 403, "an unknown nonce: %s", r.body);
	cr_assert_str_eq(it_error_code(&r), "integrity_nonce");
	cr_assert_eq(it_sql_int("SELECT blocked FROM student WHERE "
				"student_email = ?",
			 "s", e),
	    0, "an unbound FAIL verdict must not block");
	it_resp_free(&r);
}

Test(auth, integrity_labels_are_kept_and_basic_alone_is_below_the_minimum)
{
	static const struct {
		char labels[96];
		long status;
		char verdict[8]; /* integrity_verdict stored; "" refused */
		char level[8];
	} cases[] = {
		/* rooted or unlocked phones: below INTEGRITY_MIN_LEVEL=DEVICE */
		{ "MEETS_BASIC_INTEGRITY", 403, "", "" },
		{ "MEETS_BASIC_INTEGRITY,MEETS_DEVICE_INTEGRITY", 200, "DEVICE",
		    "BASIC" },
		{ "MEETS_BASIC_INTEGRITY,MEETS_DEVICE_INTEGRITY,"
		  "MEETS_STRONG_INTEGRITY",
		    200, "STRONG", "STRONG" },
	};
	struct it_resp r;
	size_t i;

	IT_REQUIRE_STACK();
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *e = student(), *fp = itauth_fp(), *n = itauth_nonce(),
		     *v = itauth_integrity(n, cases[i].labels),
		     *t = itauth_id_token(e);

		cr_assert_eq(itauth_signin(t, "ANDROID", itauth_uuid(), fp, v,
				 &r),
		    0);
		cr_assert_eq(r.status, cases[i].status, "%s: %s",
		    cases[i].labels, r.body);
		if (r.status == 403)
			cr_assert_str_eq(it_error_code(&r),
			    "integrity_too_low");
		else
			cr_assert_str_eq(itauth_str(&r, "integrity_verdict"),
			    cases[i].verdict);
		cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM device WHERE "
					"fingerprint_hash = ? AND "
					"integrity_verdict = ? AND "
					"integrity_level = ?",
				 "sss", fp, cases[i].verdict, cases[i].level),
		    r.status == 200, "%s", cases[i].labels);
		it_resp_free(&r);
		free(e);
	}
}

Test(auth, android_without_an_integrity_token_is_refused)
{
	struct it_resp r;
	char *t = itauth_id_token(student());

	IT_REQUIRE_STACK();
	cr_assert_eq(itauth_signin(t, "ANDROID", itauth_uuid(), itauth_fp(),
			 NULL, &r),
	    0);
	cr_assert_eq(r.status, 403, "%s", r.body);
	cr_assert_str_eq(it_error_code(&r), "integrity_required");
	it_resp_free(&r);
}

Test(auth, refresh_tokens_rotate_and_a_reused_one_revokes_the_family)
{
	struct it_resp r, r2;
	char *e = student(), body[256], *first, *second;

	IT_REQUIRE_STACK();
	cr_assert_eq(itauth_android(e, itauth_uuid(), itauth_fp(), &r), 0);
	cr_assert_eq(r.status, 200, "%s", r.body);
	first = arena_strdup(it_arena(), itauth_str(&r, "refresh_token"));
	it_resp_free(&r);
	snprintf(body, sizeof(body), "{\"refresh_token\":\"%s\"}", first);
	cr_assert_eq(it_post_json("/auth/refresh", NULL, body, &r), 0);
	cr_assert_eq(r.status, 200, "%s", r.body);
	second = arena_strdup(it_arena(), itauth_str(&r, "refresh_token"));
	cr_assert_str_neq(first, second);
	cr_assert_eq(it_get("/me", itauth_str(&r, "access_token"), &r2), 0);
	cr_assert_eq(r2.status, 200, "%s", r2.body);
	it_resp_free(&r2);
	it_resp_free(&r);
	/* the old one again: refused, and the whole chain dies */
	cr_assert_eq(it_post_json("/auth/refresh", NULL, body, &r), 0);
	cr_assert_eq(r.status, 401, "%s", r.body);
	cr_assert_str_eq(it_error_code(&r), "refresh_token_reused");
	it_resp_free(&r);
	snprintf(body, sizeof(body), "{\"refresh_token\":\"%s\"}", second);
	cr_assert_eq(it_post_json("/auth/refresh", NULL, body, &r), 0);
	cr_assert_eq(r.status, 401, "%s", r.body);
	cr_assert_str_eq(it_error_code(&r), "invalid_refresh_token");
	it_resp_free(&r);
}

Test(auth, logout_revokes_the_refresh_token)
{
	struct it_resp r, out;
	char *e = student(), body[256];

	IT_REQUIRE_STACK();
	cr_assert_eq(itauth_android(e, itauth_uuid(), itauth_fp(), &r), 0);
	cr_assert_eq(r.status, 200, "%s", r.body);
	snprintf(body, sizeof(body), "{\"refresh_token\":\"%s\"}",
	    itauth_str(&r, "refresh_token"));
	cr_assert_eq(it_post_json("/auth/logout",
			 itauth_str(&r, "access_token"), NULL, &out),
	    0);
	cr_assert_eq(out.status, 200, "%s", out.body);
	it_resp_free(&out);
	it_resp_free(&r);
	cr_assert_eq(it_post_json("/auth/refresh", NULL, body, &r), 0);
	cr_assert_eq(r.status, 401, "%s", r.body);
	it_resp_free(&r);
}

Test(auth, web_students_are_refused_when_the_policy_is_off_but_teachers_may)
{
	struct it_resp r;
	char *t = itauth_id_token(student()), *te = strdup(itauth_email("t"));

	IT_REQUIRE_STACK();
	cr_assert_eq(itauth_signin(t, "WEB", NULL, NULL, NULL, &r), 0);
	cr_assert_eq(r.status, 403, "%s", r.body);
	cr_assert_str_eq(it_error_code(&r), "web_not_allowed");
	it_resp_free(&r);
	itauth_teacher(te, cls, 1);
	t = itauth_id_token(te);
	cr_assert_eq(itauth_signin(t, "WEB", "DUMMY", NULL, NULL, &r), 0);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_assert_str_eq(itauth_str(&r, "role"), "teacher");
	cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM device WHERE "
				"device_id = ? AND device_uuid = 'DUMMY' AND "
				"fingerprint_hash = '127.0.0.1' AND "
				"platform = 'WEB'",
			 "I", itauth_device_id(&r)),
	    1, "WEB: DUMMY uuid and the address nginx saw");
	it_resp_free(&r);
}

Test(auth, teachers_may_use_several_devices)
{
	struct it_resp r1, r2;
	char *te = strdup(itauth_email("t")), *t;

	IT_REQUIRE_STACK();
	itauth_teacher(te, cls, 1);
	t = itauth_id_token(te);
	cr_assert_eq(itauth_signin(t, "IOS", itauth_uuid(), itauth_fp(), NULL,
			 &r1),
	    0);
	cr_assert_eq(r1.status, 200, "%s", r1.body);
	cr_assert_str_eq(itauth_str(&r1, "integrity_level"), "BASIC",
	    "iOS is recorded BASIC");
	cr_assert_eq(itauth_android(te, itauth_uuid(), itauth_fp(), &r2), 0);
	cr_assert_eq(r2.status, 200, "%s", r2.body);
	cr_assert_neq(itauth_device_id(&r1), itauth_device_id(&r2));
	cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM device WHERE "
				"user_email = ? AND active = TRUE",
			 "s", te),
	    2);
	it_resp_free(&r1);
	it_resp_free(&r2);
}

Test(auth, hardware_identifiers_are_refused)
{
	static const struct {
		char uuid[64];
		char fp[80];
	} cases[] = {
		{ "00:1a:2b:3c:4d:5e", "" },
		{ "", "00:1A:2B:3C:4D:5E" },
		{ "2f1c8e9a-4b7d-11ee-be56-0242ac120002", "" }, /* v1: MAC */
		{ "", "356938035643809" },                      /* IMEI */
		{ "DUMMY", "" },
	};
	struct it_resp r;
	char *t = itauth_id_token(student());
	size_t i;

	IT_REQUIRE_STACK();
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *u =
		    cases[i].uuid[0] ? cases[i].uuid : itauth_uuid();
		const char *fp = cases[i].fp[0] ? cases[i].fp : itauth_fp();

		cr_assert_eq(itauth_signin(t, "ANDROID", u, fp, NULL, &r), 0);
		cr_assert_eq(r.status, 400, "case %zu: %s", i, r.body);
		it_resp_free(&r);
		cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM device WHERE "
					"device_uuid = ? OR "
					"fingerprint_hash = ?",
				 "ss", u, fp),
		    0);
	}
}

Test(auth, the_push_token_is_stored_on_the_device)
{
	struct it_resp r;
	char *e = student(), *t = itauth_id_token(e), body[4096], *nonce, *v;

	IT_REQUIRE_STACK();
	nonce = itauth_nonce();
	v = itauth_integrity(nonce, "MEETS_STRONG_INTEGRITY");
	snprintf(body, sizeof(body),
	    "{\"id_token\":\"%s\",\"device\":{\"platform\":\"ANDROID\","
	    "\"uuid\":\"%s\",\"fingerprint_hash\":\"%s\","
	    "\"integrity_token\":\"%s\",\"push_token\":\"fcm-token-xyz-0123456789abcdef\"}}",
	    t, itauth_uuid(), itauth_fp(), v);
	cr_assert_eq(it_post_json("/auth/google", NULL, body, &r), 0);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_assert_str_eq(itauth_str(&r, "integrity_level"), "STRONG");
	cr_assert_eq(
	    it_sql_int("SELECT COUNT(*) FROM device WHERE "
		       "device_id = ? AND push_token = "
		       "'fcm-token-xyz-0123456789abcdef' AND integrity_level = "
		       "'STRONG'",
		"I", itauth_device_id(&r)),
	    1);
	it_resp_free(&r);
}

Test(auth, a_challenge_is_a_fresh_web_safe_nonce)
{
	struct it_resp r;
	const char *n;

	IT_REQUIRE_STACK();
	cr_assert_eq(it_get("/auth/challenge", NULL, &r), 0);
	cr_assert_eq(r.status, 200, "%s", r.body);
	n = itauth_str(&r, "nonce");
	cr_assert_geq(strlen(n), 16);
	cr_assert_eq(strspn(n,
			 "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrst"
			 "uvwxyz0123456789-_"),
	    strlen(n));
	cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM auth_challenge WHERE "
				"nonce = ? AND used_at IS NULL AND "
				"expires_at > NOW()",
			 "s", n),
	    1);
	it_resp_free(&r);
}
