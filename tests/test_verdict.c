/*
 * test_verdict.c - the submit rules (verdict.c): every verdict from a
 * table, and the order in which a student hears about them.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>

#include "verdict.h"

/* Inline arrays: Criterion re-runs the binary, so no pointers in params. */
struct verdict_case {
	char what[64];
	int found, enrolled;
	char cur[2], source[8];
	int open;
	char cidrs[32];
	int online;
	char addr[16];
	long long wrong;
	char code[8], otp[8];
	enum verdict want;
};

/* A right code, first time, on campus, in an open window: the base. */
#define OK 1, 1, "", "", 1, "10.0.0.0/8", 0, "10.1.2.3", 0, "1234", "1234"

static struct verdict_case cases[] = {
	{ "a right code in an open window", OK, V_ACCEPT },
	{ "no window for the session", 0, 1, "", "", 1, "", 0, "", 0, "",
	    "1234", V_NO_WINDOW },
	{ "not in the class", 1, 0, "", "", 1, "", 0, "", 0, "1234", "1234",
	    V_NOT_ENROLLED },
	{ "already present", 1, 1, "P", "OTP", 1, "", 0, "", 0, "1234", "1234",
	    V_MARKED },
	{ "already flagged", 1, 1, "R", "OTP", 1, "", 0, "", 0, "1234", "1234",
	    V_MARKED },
	{ "marked absent by the teacher", 1, 1, "A", "MANUAL", 1, "", 0, "", 0,
	    "1234", "1234", V_MANUAL },
	{ "absent after a round: a retake", 1, 1, "A", "TIMEOUT", 1, "", 0, "",
	    0, "1234", "1234", V_ACCEPT },
	{ "the window has ended", 1, 1, "", "", 0, "", 0, "", 0, "1234", "1234",
	    V_CLOSED },
	{ "off campus", 1, 1, "", "", 1, "10.0.0.0/8", 0, "192.168.1.1", 0,
	    "1234", "1234", V_OFF_CAMPUS },
	{ "off campus in an online session", 1, 1, "", "", 1, "10.0.0.0/8", 1,
	    "192.168.1.1", 0, "1234", "1234", V_ACCEPT },
	{ "no campus networks: anywhere", 1, 1, "", "", 1, "", 0, "192.168.1.1",
	    0, "1234", "1234", V_ACCEPT },
	{ "two wrong codes already", 1, 1, "", "", 1, "", 0, "", 2, "1234",
	    "1234", V_NO_TRIES },
	{ "one wrong code: one more try", 1, 1, "", "", 1, "", 0, "", 1, "1234",
	    "1234", V_ACCEPT },
	{ "a wrong code", 1, 1, "", "", 1, "", 0, "", 0, "1234", "1235",
	    V_WRONG },
	{ "a window code of the wrong length", 1, 1, "", "", 1, "", 0, "", 0,
	    "123", "1234", V_WRONG },
	/* the order: the first rule that applies is the answer */
	{ "not enrolled beats a closed window", 1, 0, "", "", 0, "", 0, "", 2,
	    "1234", "0000", V_NOT_ENROLLED },
	{ "marked beats a closed window", 1, 1, "P", "OTP", 0, "", 0, "", 0,
	    "1234", "0000", V_MARKED },
	{ "manual beats a closed window", 1, 1, "A", "MANUAL", 0, "", 0, "", 0,
	    "1234", "1234", V_MANUAL },
	{ "closed beats off campus", 1, 1, "", "", 0, "10.0.0.0/8", 0,
	    "192.168.1.1", 0, "1234", "1234", V_CLOSED },
	{ "off campus beats no tries", 1, 1, "", "", 1, "10.0.0.0/8", 0,
	    "192.168.1.1", 2, "1234", "1234", V_OFF_CAMPUS },
	{ "no tries beats a right code", 1, 1, "", "", 1, "", 0, "", 2, "1234",
	    "1234", V_NO_TRIES },
};

#define NCASES (sizeof(cases) / sizeof(cases[0]))

ParameterizedTestParameters(verdict, each_rule_gives_its_verdict)
{
	return cr_make_param_array(struct verdict_case, cases, NCASES);
}

ParameterizedTest(struct verdict_case *c, verdict, each_rule_gives_its_verdict)
{
	struct verdict_in in = { .found = c->found,
		.enrolled = c->enrolled,
		.cur = c->cur[0] ? c->cur : NULL,
		.source = c->cur[0] ? c->source : NULL,
		.open = c->open,
		.cidrs = c->cidrs,
		.online = c->online,
		.addr = c->addr,
		.wrong = c->wrong,
		.code = c->code,
		.otp = c->otp };

	cr_assert_eq(verdict_decide(&in), c->want, "%s: got %d, want %d",
	    c->what, (int)verdict_decide(&in), (int)c->want);
}

/* Every verdict is reachable from the table above. */
Test(verdict, the_table_covers_every_verdict)
{
	int seen[V_ACCEPT + 1] = { 0 }, v;
	size_t i;

	for (i = 0; i < NCASES; i++)
		seen[cases[i].want] = 1;
	for (v = V_NO_WINDOW; v <= V_ACCEPT; v++)
		cr_assert(seen[v], "verdict %d has no case", v);
}
