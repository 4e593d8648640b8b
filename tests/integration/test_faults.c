/*
 * test_faults.c - a database statement that fails at any point of a
 * handler (the test build's X-Ehazira-Test-Fail-Statement, testhook.c):
 * for each request below and each n, the nth statement of its handler
 * fails.  The answer must be a 5xx with the JSON error shape (never a
 * success over a half-done write), and the same request without the
 * fault must then succeed: nothing was left half-written in the way.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "it.h"
#include "itclass.h"

#define MAX_STATEMENTS 16

/* strings inline: Criterion runs each case in a process of its own */
struct fault_case {
	char method[8];
	char path[128]; /* <sid> <pid> <subj> <cls> <stu> <today> replaced */
	char body[200];
	char who;   /* 't' teacher, 's' student */
	int window; /* an open window first */
	int rotate; /* the class asks for rotating codes (10 s) */
};

static struct fault_case cases[] = {
	{ "POST", "/attendance/initiate", "{\"period_id\":<pid>}", 't', 0 },
	/* rotation longer than half the test stack's OTP_TTL: not applied */
	{ "POST", "/attendance/initiate", "{\"period_id\":<pid>}", 't', 0, 1 },
	{ "POST", "/attendance/close", "{\"session_id\":<sid>}", 't', 1 },
	{ "GET", "/attendance/live-status?session_id=<sid>", "", 't', 1 },
	{ "POST", "/attendance/manual-mark",
	    "{\"session_id\":<sid>,\"student_email\":\"<stu>\","
	    "\"status\":\"P\",\"reason\":\"seen in class\"}",
	    't', 1 },
	{ "GET", "/attendance/qr?session_id=<sid>", "", 't', 1 },
	{ "POST", "/attendance/telemetry",
	    "{\"type\":\"app_switch\",\"session_id\":<sid>}", 's', 1 },
	{ "GET", "/attendance/open", "", 's', 1 },
	{ "GET", "/timetable", "", 't', 0 },
	{ "GET", "/me", "", 't', 0 },
	{ "GET", "/me", "", 's', 0 },
	{ "POST", "/me/lang", "{\"lang\":\"hi\"}", 's', 0 },
	{ "POST", "/devices/push-token",
	    "{\"push_token\":\"fault-token-<sid>-abcdefghijkl\"}", 's', 0 },
	{ "POST", "/holidays",
	    "{\"date\":\"<today>\",\"class_id\":<cls>,\"reason\":\"rain\"}",
	    't', 0 },
	{ "GET", "/holidays", "", 's', 0 },
	{ "GET", "/attendance/class-summary?subject_id=<subj>", "", 't', 1 },
	{ "GET", "/attendance/class-summary?subject_id=<subj>&format=csv", "",
	    't', 1 },
	{ "GET", "/attendance/student-summary", "", 's', 1 },
	{ "GET", "/attendance/student-summary?format=xlsx", "", 's', 1 },
	{ "GET", "/leave", "", 's', 0 },
	{ "GET", "/register/day?period_id=<pid>&date=<today>", "", 't', 0 },
	{ "GET", "/register/settings", "", 't', 0 },
	{ "GET", "/devices/pending", "", 't', 0 },
	{ "GET", "/substitutes", "", 't', 0 },
	{ "GET", "/leave", "", 't', 0 },
	{ "GET", "/holidays", "", 't', 0 },
	{ "GET", "/timetable", "", 's', 0 },
	{ "GET", "/attendance/student-summary?student_email=<stu>", "", 't',
	    1 },
	{ "DELETE", "/devices/web-push", "", 's', 0 },
	{ "POST", "/auth/logout", "", 's', 0 },
	/* a class policy change: 503, never the 422 of a bad value */
	{ "PUT", "/classes/<cls>/policy", "{\"flag_slow\":true}", 't', 0 },
};

/* Replaces the <name> placeholders of in with the fixture's values. */
static void
fill(char *out, size_t cap, const char *in, const struct it_class *k,
    long long sid)
{
	char today[16], val[160];
	time_t now = time(NULL);
	size_t n = 0, l;
	const char *e;

	strftime(today, sizeof(today), "%Y-%m-%d", gmtime(&now));
	while (*in && n + 1 < cap) {
		if (*in != '<' || (e = strchr(in, '>')) == NULL) {
			out[n++] = *in++;
			continue;
		}
		l = (size_t)(e - in) + 1;
		val[0] = '\0';
		if (strncmp(in, "<sid>", l) == 0)
			snprintf(val, sizeof(val), "%lld", sid);
		else if (strncmp(in, "<pid>", l) == 0)
			snprintf(val, sizeof(val), "%lld", k->period_id);
		else if (strncmp(in, "<subj>", l) == 0)
			snprintf(val, sizeof(val), "%lld", k->subject_id);
		else if (strncmp(in, "<cls>", l) == 0)
			snprintf(val, sizeof(val), "%lld", k->class_id);
		else if (strncmp(in, "<stu>", l) == 0)
			snprintf(val, sizeof(val), "%s", k->students[0]);
		else if (strncmp(in, "<today>", l) == 0)
			snprintf(val, sizeof(val), "%s", today);
		else
			snprintf(val, sizeof(val), "%.*s", (int)l, in);
		n += (size_t)snprintf(out + n, cap - n, "%s", val);
		if (n >= cap)
			n = cap - 1;
		in = e + 1;
	}
	out[n] = '\0';
}

/* The case's request, the nth statement failing (0: none). */
static void
send(const struct fault_case *c, const struct it_class *k, long long sid,
    int nth, struct it_resp *r)
{
	char path[256], body[400], auth[4200], fault[64];
	const char *hdrs[4] = { auth, NULL, NULL, NULL };
	int h = 1;

	fill(path, sizeof(path), c->path, k, sid);
	fill(body, sizeof(body), c->body, k, sid);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s",
	    c->who == 's' ? k->tokens[0] : k->teacher_tok);
	if (body[0])
		hdrs[h++] = "Content-Type: application/json";
	if (nth > 0) {
		snprintf(fault, sizeof(fault),
		    "X-Ehazira-Test-Fail-Statement: %d", nth);
		hdrs[h++] = fault;
	}
	cr_assert_eq(it_request(c->method, path, body[0] ? body : NULL,
			 strlen(body), hdrs, r),
	    0);
}

ParameterizedTestParameters(faults, a_failed_statement_is_a_5xx_and_harmless)
{
	return cr_make_param_array(struct fault_case, cases,
	    sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct fault_case *c, faults,
    a_failed_statement_is_a_5xx_and_harmless, .timeout = 120)
{
	struct it_class k;
	struct it_resp r;
	char otp[5];
	long long sid = 0;
	int nth, failed = 0, fine = 0;

	IT_REQUIRE_STACK();
	/* past the handler's last statement every answer is a success: three
	 * in a row end the walk (one may be a statement allowed to fail, as
	 * the rate limiter's, which lets the request through) */
	for (nth = 1; nth <= MAX_STATEMENTS && fine < 3; nth++) {
		it_class_make(&k, "fault", 1, "ANDROID");
		if (c->rotate)
			cr_assert_eq(
			    it_sql("UPDATE class SET rotate_every = 10 "
				   "WHERE class_id = ?",
				"I", k.class_id),
			    DB_OK);
		if (c->window)
			sid = it_class_initiate(&k, otp);
		send(c, &k, sid, nth, &r);
		if (r.status < 500) {
			cr_assert_lt(r.status, 300, "%s %s (statement %d): %s",
			    c->method, c->path, nth, r.body);
			fine++;
		} else {
			failed++;
			fine = 0;
			cr_assert(it_error_code(&r)[0],
			    "%s %s (statement %d): %ld %s", c->method, c->path,
			    nth, r.status, r.body);
		}
		it_resp_free(&r);
		if (fine > 0)
			continue; /* it succeeded: a second one is another request */
		/* a close refused left the window open (and so out of the
		 * relay's hands, which would otherwise finalise it first) */
		if (strcmp(c->path, "/attendance/close") == 0)
			cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM "
						"attendance_window WHERE "
						"session_id = ? AND closed_at "
						"IS NULL",
					 "I", sid),
			    1, "close: statement %d failed, the window closed",
			    nth);
		/* refused: nothing was done, so the same request succeeds */
		send(c, &k, sid, 0, &r);
		cr_assert_lt(r.status, 300,
		    "%s %s again after statement %d failed: %ld %s", c->method,
		    c->path, nth, r.status, r.body);
		it_resp_free(&r);
	}
	cr_assert_gt(failed, 0, "%s %s runs a statement", c->method, c->path);
	cr_assert_eq(fine, 3, "%s %s ran out of statements", c->method,
	    c->path);
}
