/*
 * verdict.c - the submit rules: which of P/R or which refusal a student's
 * code earns, from what one read found.  Pure: no database, no clock (the
 * window's openness was decided by the database's clock in the read), so
 * every rule is tested from a table (tests/test_verdict.c).
 */
#include <string.h>

#include "cidr.h"
#include "crypto.h"
#include "verdict.h"

enum verdict
verdict_decide(const struct verdict_in *in)
{
	if (!in->found)
		return V_NO_WINDOW;
	if (!in->enrolled)
		return V_NOT_ENROLLED;
	if (in->cur && (in->cur[0] == 'P' || in->cur[0] == 'R'))
		return V_MARKED;
	if (in->cur && in->source && strcmp(in->source, "MANUAL") == 0)
		return V_MANUAL;
	if (!in->open)
		return V_CLOSED;
	if (*in->cidrs && !in->online && !cidr_match(in->cidrs, in->addr))
		return V_OFF_CAMPUS;
	if (in->wrong >= 2)
		return V_NO_TRIES;
	/* constant time: the comparison must not tell how much matched */
	if (strlen(in->code) != 4 || strlen(in->otp) != 4 ||
	    !crypto_equal(in->otp, in->code, 4))
		return V_WRONG;
	return V_ACCEPT;
}
