/*
 * test_webpush.c - Web Push encryption against RFC 8291's worked example,
 * the round trip through the receiving side (tests/support/wpdecrypt.c),
 * VAPID headers as a push service checks them, the subscription checks
 * and the payload filter.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "webpush.h"
#include "wpdecrypt.h"

#define UA_PUB                                                             \
	"BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyP" \
	"js7Vd8pZGH6SRpkNtoIAiw4"
#define UA_PRIV "q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94"
#define AS_PRIV "yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw"
#define AUTH "BTBZMqHH6r4Tts7J_aSIgg"
#define SALT "DGv6ra1nlYgDCS1FRnbzlw"
#define PLAIN "When I grow up, I want to be a watermelon"
#define BODY                                                                 \
	"DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlml" \
	"MoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4M" \
	"qgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN"

static size_t
unb64(const char *s, unsigned char *out)
{
	char buf[512];
	unsigned char tmp[400];
	size_t n = strlen(s), i, pad = (4 - n % 4) % 4;
	int len;

	for (i = 0; i < n; i++)
		buf[i] = s[i] == '-' ? '+' : s[i] == '_' ? '/' : s[i];
	memset(buf + n, '=', pad);
	/* EVP_DecodeBlock writes whole groups of three, padding included:
	 * into tmp, so that only the decoded bytes reach out */
	len = EVP_DecodeBlock(tmp, (unsigned char *)buf, (int)(n + pad));
	cr_assert_geq(len, 0);
	memcpy(out, tmp, (size_t)len - pad);
	return (size_t)len - pad;
}

static void
b64(const unsigned char *in, size_t n, char *out)
{
	int len = EVP_EncodeBlock((unsigned char *)out, in, (int)n);

	while (len > 0 && out[len - 1] == '=')
		len--;
	out[len] = '\0';
	for (int i = 0; i < len; i++)
		out[i] = out[i] == '+' ? '-' : out[i] == '/' ? '_' : out[i];
}

Test(webpush, encrypts_rfc_8291_worked_example_to_the_byte)
{
	unsigned char ua[65], auth[16], salt[16], d[32], *body;
	char got[400];
	size_t n;
	EVP_PKEY *as;

	cr_assert_eq(unb64(UA_PUB, ua), 65);
	cr_assert_eq(unb64(AUTH, auth), 16);
	cr_assert_eq(unb64(SALT, salt), 16);
	cr_assert_eq(unb64(AS_PRIV, d), 32);
	cr_assert_not_null(as = webpush_key_from_raw(d));
	cr_assert_eq(webpush_encrypt(ua, auth, PLAIN, strlen(PLAIN), as, salt,
			 &body, &n),
	    0);
	b64(body, n, got);
	cr_assert_str_eq(got, BODY);
	free(body);
	EVP_PKEY_free(as);
}

Test(webpush, the_receiver_decrypts_the_worked_example)
{
	unsigned char ua_d[32], auth[16], body[200];
	size_t n = unb64(BODY, body), plen;
	EVP_PKEY *ua;
	char *plain;

	unb64(UA_PRIV, ua_d);
	unb64(AUTH, auth);
	cr_assert_not_null(ua = webpush_key_from_raw(ua_d));
	cr_assert_null(wp_decrypt(ua, auth, body, n, &plain, &plen));
	cr_assert_str_eq(plain, PLAIN);
	free(plain);
	/* one flipped bit anywhere in the ciphertext: the tag refuses it */
	body[100] ^= 1;
	cr_assert_not_null(wp_decrypt(ua, auth, body, n, &plain, &plen));
	cr_assert_null(plain);
	EVP_PKEY_free(ua);
}

Test(webpush, fresh_keys_and_salt_round_trip_and_never_repeat)
{
	unsigned char ua_d[32], ua_pub[65], auth[16], *b1, *b2;
	size_t n1, n2, plen;
	EVP_PKEY *ua;
	char *plain;

	unb64(UA_PRIV, ua_d);
	unb64(UA_PUB, ua_pub);
	unb64(AUTH, auth);
	ua = webpush_key_from_raw(ua_d);
	cr_assert_eq(webpush_encrypt(ua_pub, auth, "{}", 2, NULL, NULL, &b1,
			 &n1),
	    0);
	cr_assert_eq(webpush_encrypt(ua_pub, auth, "{}", 2, NULL, NULL, &b2,
			 &n2),
	    0);
	cr_assert_eq(n1, 86 + 2 + 1 + 16);
	cr_assert_neq(memcmp(b1, b2, 86), 0, "salt and key are per message");
	cr_assert_null(wp_decrypt(ua, auth, b2, n2, &plain, &plen));
	cr_assert_str_eq(plain, "{}");
	free(plain);
	free(b1);
	free(b2);
	EVP_PKEY_free(ua);
}

Test(webpush, too_long_a_payload_or_a_bad_key_is_refused)
{
	unsigned char ua_pub[65], auth[16], *b;
	static char big[WEBPUSH_PLAIN_MAX + 1];
	size_t n;

	unb64(UA_PUB, ua_pub);
	unb64(AUTH, auth);
	cr_assert_eq(webpush_encrypt(ua_pub, auth, big, sizeof(big), NULL, NULL,
			 &b, &n),
	    -1);
	ua_pub[40] ^= 1; /* off the curve */
	cr_assert_eq(webpush_encrypt(ua_pub, auth, "x", 1, NULL, NULL, &b, &n),
	    -1);
}

Test(webpush, vapid_header_passes_the_push_services_checks)
{
	unsigned char d[32];
	char k[128], pub[WEBPUSH_PUB_B64_LEN + 1], *h;
	long long now = (long long)time(NULL);
	EVP_PKEY *key;

	unb64(AS_PRIV, d);
	key = webpush_key_from_raw(d);
	webpush_pub_b64(key, pub);
	h = webpush_vapid(key, "https://push.example.net:8443/wp/abc?x=1",
	    "mailto:ops@example.edu", now + 3600);
	cr_assert_not_null(h);
	cr_assert_null(wp_check_vapid(h, "https://push.example.net:8443", now,
	    k, sizeof(k)));
	cr_assert_str_eq(k, pub);
	cr_assert_str_eq(wp_check_vapid(h, "https://other.example", now, k,
			     sizeof(k)),
	    "aud is not this push service");
	cr_assert_str_eq(wp_check_vapid(h, "https://push.example.net:8443",
			     now + 7200, k, sizeof(k)),
	    "exp is not within 24 hours");
	h[20] = h[20] == 'A' ? 'B' : 'A'; /* tampered claims */
	cr_assert_not_null(wp_check_vapid(h, "https://push.example.net:8443",
	    now, k, sizeof(k)));
	free(h);
	EVP_PKEY_free(key);
}

struct sub_case {
	char endpoint[64], p256dh[100], auth[40]; /* "-": absent */
	int allow_http, ok;
};

ParameterizedTestParameters(webpush, subscriptions_are_checked)
{
	static struct sub_case cases[] = {
		{ "https://fcm.googleapis.com/fcm/send/abc:APA91b", UA_PUB,
		    AUTH, 0, 1 },
		{ "http://127.0.0.1:9999/wp/1", UA_PUB, AUTH, 1, 1 },
		{ "http://127.0.0.1:9999/wp/1", UA_PUB, AUTH, 0, 0 },
		{ "ftp://push.example/x", UA_PUB, AUTH, 1, 0 },
		{ "https:///nohost", UA_PUB, AUTH, 0, 0 },
		{ "https://a.example/with space", UA_PUB, AUTH, 0, 0 },
		{ "https://user@a.example/x", UA_PUB, AUTH, 0, 0 },
		{ "", UA_PUB, AUTH, 0, 0 },
		{ "https://a.example/x", "BCVx", AUTH, 0, 0 },
		{ "https://a.example/x", AUTH, AUTH, 0, 0 },
		{ "https://a.example/x", "not base64!", AUTH, 0, 0 },
		{ "https://a.example/x", UA_PUB, "AAAA", 0, 0 },
		{ "https://a.example/x", UA_PUB, "-", 0, 0 },
		{ "https://a.example/x", "-", AUTH, 0, 0 },
		/* a valid encoding of 65 bytes that is not on the curve */
		{ "https://a.example/x",
		    "BAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
		    "AAAAAAAAAAAAAAAAAAAAAAAAAAA",
		    AUTH, 0, 0 },
	};
	return cr_make_param_array(struct sub_case, cases,
	    sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct sub_case *c, webpush, subscriptions_are_checked)
{
	const char *why = webpush_check(c->endpoint,
	    strcmp(c->p256dh, "-") ? c->p256dh : NULL,
	    strcmp(c->auth, "-") ? c->auth : NULL, c->allow_http);

	cr_assert_eq(why == NULL, c->ok, "%s: %s", c->endpoint,
	    why ? why : "accepted");
}

Test(webpush, an_endpoint_over_1024_bytes_is_refused)
{
	char ep[1100];

	memset(ep, 'x', sizeof(ep) - 1);
	memcpy(ep, "https://a.example/", 18);
	ep[sizeof(ep) - 1] = '\0';
	cr_assert_not_null(webpush_check(ep, UA_PUB, AUTH, 0));
	ep[1024] = '\0';
	cr_assert_null(webpush_check(ep, UA_PUB, AUTH, 0));
}

Test(webpush, the_payload_never_carries_a_code)
{
	char *s = webpush_payload("{\"notification\":{\"title\":\"T\"},"
				  "\"data\":{\"session_id\":\"7\",\"OTP\":"
				  "\"123456\",\"otp\":\"1\"}}");

	cr_assert_str_eq(s,
	    "{\"data\":{\"session_id\":\"7\"},\"notification\":{\"title\":"
	    "\"T\"}}");
	free(s);
	cr_assert_null(webpush_payload("[1,2]"));
	cr_assert_null(webpush_payload("not json"));
}
