/*
 * test_push.c - the FCM protocol pieces of the push job, without a
 * network: the v1 message built from an outbox payload, what each FCM
 * answer means for the row, the backoff and Retry-After.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <ctype.h>
#include <string.h>

#include "push.h"

#define PAYLOAD                                                               \
	"{\"notification\":{\"title\":\"Attendance open\",\"body\":\"Maths, " \
	"room 4\"},\"data\":{\"type\":\"attendance_started\",\"session_id\":" \
	"\"12\",\"subject\":\"Maths\",\"expires_at\":\"1795294500\"}}"

static json_t *
android(json_t *m)
{
	return json_object_get(json_object_get(m, "message"), "android");
}

static const char *
str(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

Test(push, message_has_token_high_priority_ttl_collapse_key_and_notification)
{
	json_t *m = push_message(PAYLOAD, "tok-1", "session-12",
	    1000000 + 120500, 1000000);
	json_t *msg = json_object_get(m, "message");

	cr_assert_not_null(m);
	cr_assert_str_eq(str(msg, "token"), "tok-1");
	cr_assert_str_eq(str(android(m), "priority"), "high");
	cr_assert_str_eq(str(android(m), "ttl"), "120s",
	    "whole seconds left until expiry");
	cr_assert_str_eq(str(android(m), "collapse_key"), "session-12");
	cr_assert_str_eq(str(json_object_get(msg, "notification"), "title"),
	    "Attendance open");
	cr_assert_str_eq(str(json_object_get(msg, "data"), "session_id"), "12");
	cr_assert_str_eq(str(json_object_get(msg, "data"), "subject"), "Maths");
	json_decref(m);
}

Test(push, ttl_is_never_negative_and_defaults_to_the_fcm_maximum)
{
	json_t *late = push_message(PAYLOAD, "t", "k", 5000, 9000);
	json_t *none = push_message(PAYLOAD, "t", "k", 0, 9000);
	json_t *far = push_message(PAYLOAD, "t", "k", 1LL << 50, 0);

	cr_assert_str_eq(str(android(late), "ttl"), "0s");
	cr_assert_str_eq(str(android(none), "ttl"), "2419200s");
	cr_assert_str_eq(str(android(far), "ttl"), "2419200s");
	json_decref(late);
	json_decref(none);
	json_decref(far);
}

Test(push, data_values_are_all_strings_and_an_otp_never_leaves)
{
	json_t *m = push_message("{\"notification\":{\"title\":\"a\",\"body\":"
				 "\"b\"},\"data\":{\"n\":5,\"ok\":true,\"x\":"
				 "1.5,\"OTP\":\"4821\",\"otp\":4821,\"nested\":"
				 "{\"a\":1},\"s\":\"v\"}}",
	    "t", NULL, 0, 0);
	json_t *data = json_object_get(json_object_get(m, "message"), "data"),
	       *v;
	const char *k;

	cr_assert_not_null(data);
	json_object_foreach(data, k, v)
	{
		cr_assert(json_is_string(v), "data.%s is not a string", k);
		cr_assert(strcasecmp(k, "otp") != 0, "an otp key was sent");
	}
	cr_assert_str_eq(str(data, "n"), "5");
	cr_assert_str_eq(str(data, "ok"), "true");
	cr_assert_str_eq(str(data, "s"), "v");
	cr_assert_null(json_object_get(data, "nested"));
	cr_assert_null(json_object_get(android(m), "collapse_key"),
	    "no collapse key given, none sent");
	json_decref(m);
}

Test(push, a_payload_that_is_not_an_object_builds_nothing)
{
	cr_assert_null(push_message("[1,2]", "t", "k", 0, 0));
	cr_assert_null(push_message("not json", "t", "k", 0, 0));
	cr_assert_null(push_message(PAYLOAD, NULL, "k", 0, 0));
}

struct verdict_case {
	long status;
	char body[320];
	int verdict;
	char code[32];
};

#define FCMERR(c, s, e)                                                     \
	"{\"error\":{\"code\":" #c ",\"message\":\"m\",\"status\":\"" s     \
	"\",\"details\":[{\"@type\":\"type.googleapis.com/google.firebase." \
	"fcm.v1.FcmError\",\"errorCode\":\"" e "\"}]}}"

ParameterizedTestParameters(push, fcm_answers_map_to_verdicts)
{
	static struct verdict_case cases[] = {
		{ 200, "{\"name\":\"projects/p/messages/1\"}", PUSH_OK, "" },
		{ 404, FCMERR(404, "NOT_FOUND", "UNREGISTERED"),
		    PUSH_UNREGISTERED, "UNREGISTERED" },
		{ 400, FCMERR(400, "INVALID_ARGUMENT", "UNREGISTERED"),
		    PUSH_UNREGISTERED, "UNREGISTERED" },
		{ 404, "{\"error\":{\"code\":404,\"status\":\"NOT_FOUND\"}}",
		    PUSH_UNREGISTERED, "NOT_FOUND" },
		{ 404, "<html>not here</html>", PUSH_DROP, "HTTP 404" },
		{ 400, FCMERR(400, "INVALID_ARGUMENT", "INVALID_ARGUMENT"),
		    PUSH_DROP, "INVALID_ARGUMENT" },
		{ 403, FCMERR(403, "PERMISSION_DENIED", "SENDER_ID_MISMATCH"),
		    PUSH_DROP, "SENDER_ID_MISMATCH" },
		{ 429, FCMERR(429, "RESOURCE_EXHAUSTED", "QUOTA_EXCEEDED"),
		    PUSH_RETRY, "QUOTA_EXCEEDED" },
		{ 503, FCMERR(503, "UNAVAILABLE", "UNAVAILABLE"), PUSH_RETRY,
		    "UNAVAILABLE" },
		{ 500, "", PUSH_RETRY, "HTTP 500" },
		{ 502, "<html>bad gateway</html>", PUSH_RETRY, "HTTP 502" },
		{ 0, "", PUSH_RETRY, "transport error" },
		{ 401, FCMERR(401, "UNAUTHENTICATED", "THIRD_PARTY_AUTH_ERROR"),
		    PUSH_REAUTH, "THIRD_PARTY_AUTH_ERROR" },
	};
	return cr_make_param_array(struct verdict_case, cases,
	    sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct verdict_case *c, push, fcm_answers_map_to_verdicts)
{
	char code[64];

	cr_assert_eq(push_classify(c->status, c->body, code, sizeof(code)),
	    c->verdict, "status %ld body %s", c->status, c->body);
	cr_assert_str_eq(code, c->code);
}

Test(push, backoff_doubles_with_jitter_up_to_half_again)
{
	int tries;
	long long base = 1000, lo, hi;

	for (tries = 1; tries <= 6; tries++, base *= 2) {
		lo = push_backoff(tries, -1, 0, 1000, 900000);
		hi = push_backoff(tries, -1, (unsigned long)base / 2, 1000,
		    900000);
		cr_assert_eq(lo, base, "try %d: %lld", tries, lo);
		cr_assert_eq(hi, base + base / 2, "try %d: %lld", tries, hi);
		cr_assert_leq(push_backoff(tries, -1, 123456789UL, 1000,
				  900000),
		    base + base / 2);
	}
}

Test(push, backoff_is_capped_and_survives_huge_try_counts)
{
	long long d = push_backoff(1000, -1, 0, 1000, 900000);

	cr_assert_eq(d, 15 * 60 * 1000LL);
	cr_assert_leq(push_backoff(1000, -1, ~0UL, 1000, 900000),
	    15 * 60 * 1500LL);
}

Test(push, retry_after_is_a_floor_not_a_suggestion)
{
	long long d = push_backoff(1, 30, 0, 1000, 900000);

	cr_assert_geq(d, 30000, "Retry-After 30 s honoured: %lld", d);
	cr_assert_leq(push_backoff(1, 30, ~0UL, 1000, 900000), 30000 + 7500);
	/* a short Retry-After does not shorten the exponential delay */
	cr_assert_geq(push_backoff(4, 1, 0, 1000, 900000), 8000);
}

Test(push, backoff_base_and_cap_come_from_the_settings)
{
	cr_assert_eq(push_backoff(1, -1, 0, 50, 400), 50);
	cr_assert_eq(push_backoff(3, -1, 0, 50, 400), 200);
	cr_assert_eq(push_backoff(30, -1, 0, 50, 400), 400);
}

Test(push, a_row_is_retried_until_its_expiry_or_else_for_retry_for)
{
	static const struct {
		long long expires, created;
		long retry_for;
		long long deadline;
	} cases[] = {
		{ 5000, 1000, 10, 5000 },     /* its own expiry */
		{ 0, 1000, 10, 11000 },       /* none: created + retry_for */
		{ 0, 1000, 86400, 86401000 }, /* a day */
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		cr_assert_eq(push_deadline(cases[i].expires, cases[i].created,
				 cases[i].retry_for),
		    cases[i].deadline, "case %zu", i);
}

Test(push, retry_after_reads_seconds_and_http_dates)
{
	cr_assert_eq(push_retry_after(" 120\r\n", 0), 120);
	cr_assert_eq(push_retry_after("0", 0), 0);
	cr_assert_eq(push_retry_after("Wed, 21 Oct 2015 07:28:00 GMT",
			 1445412480 - 60),
	    60);
	cr_assert_eq(push_retry_after("Wed, 21 Oct 2015 07:28:00 GMT",
			 1445412480 + 60),
	    0, "a date in the past means now");
	cr_assert_eq(push_retry_after("soon", 0), -1);
	cr_assert_eq(push_retry_after("12abc", 0), -1);
	cr_assert_eq(push_retry_after(NULL, 0), -1);
}
