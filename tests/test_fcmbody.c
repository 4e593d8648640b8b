/*
 * test_fcmbody.c - the push job's request bodies with the last message
 * reused: every body is byte for byte push_message's, for a run of rows
 * and for whatever breaks the run (another payload, collapse key or TTL,
 * a token that needs escaping, a payload that is not an object).
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdlib.h>
#include <string.h>

#include "fcmbody.h"
#include "push.h"

#define P1                                                                      \
	"{\"notification\":{\"title\":\"Attendance open\",\"body\":\"Maths\"}," \
	"\"data\":{\"type\":\"attendance.started\",\"session_id\":\"12\"}}"
#define P2 "{\"data\":{\"type\":\"absent\",\"n\":3,\"otp\":\"123456\"}}"

struct row {
	const char *payload, *token, *collapse;
	long long expires_ms, now_ms;
};

/* One sequence through one cache: runs, and each way a run ends. */
static const struct row rows[] = {
	{ P1, "tok-A:1", "session-12", 200000, 100000 },
	{ P1, "tok-B_2", "session-12", 200000, 100400 }, /* same run */
	{ P1, "tok.C-3", "session-12", 200000, 100999 }, /* same ttl */
	{ P1, "tok-D", "session-12", 200000, 101000 },   /* ttl 99 s */
	{ P1, "tok-E", "session-13", 200000, 101000 },   /* collapse */
	{ P1, "tok-F", NULL, 200000, 101000 },           /* no collapse */
	{ P2, "tok-G", NULL, 0, 101000 },                /* payload, ttl */
	{ P2, "quote\"and\\slash", NULL, 0, 101000 },    /* escaping */
	{ P2, "tok-H", NULL, 0, 101000 },                /* run resumed */
	{ "[1,2]", "tok-I", NULL, 0, 101000 },           /* not an object */
	{ P1, "fcmbody\"mark", "session-12", 200000, 101000 }, /* the mark */
	{ P1, "tok-J", "session-12", 200000, 101000 },
};

static char *
expected(const struct row *r)
{
	json_t *m = push_message(r->payload, r->token, r->collapse,
	    r->expires_ms, r->now_ms);
	char *s = m ? json_dumps(m, JSON_COMPACT) : NULL;

	json_decref(m);
	return s;
}

Test(fcmbody, every_body_is_push_messages_own_bytes_in_and_out_of_a_run)
{
	struct fcmbody c = { 0 };
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char *want = expected(&rows[i]);
		char *got = fcmbody_build(&c, rows[i].payload, rows[i].token,
		    rows[i].collapse, rows[i].expires_ms, rows[i].now_ms);

		if (want == NULL)
			cr_assert_null(got, "row %zu: no body", i);
		else
			cr_assert_str_eq(got, want, "row %zu", i);
		free(want);
		free(got);
	}
	fcmbody_clear(&c);
}

Test(fcmbody, a_run_reuses_the_message_and_only_the_token_changes)
{
	struct fcmbody c = { 0 };
	char *a = fcmbody_build(&c, P1, "first", "k", 200000, 100000), *b, *d;

	cr_assert_not_null(strstr(a, "\"token\":\"first\""));
	/* Mark what was learnt: only a row that reuses it shows the mark. */
	cr_assert_not_null(c.head, "the run was learnt");
	free(c.head);
	c.head = strdup("HEAD:");
	b = fcmbody_build(&c, P1, "second", "k", 200000, 100000);
	d = fcmbody_build(&c, P2, "third", "k", 200000, 100000);
	cr_assert_eq(strncmp(b, "HEAD:second\"", 12), 0, "reused: %s", b);
	cr_assert_neq(strncmp(d, "HEAD:", 5), 0, "another payload: learnt");
	cr_assert_not_null(strstr(d, "\"token\":\"third\""));
	free(a);
	free(b);
	free(d);
	fcmbody_clear(&c);
}
