/*
 * test_calendar.c - the pure part of the register's calendar rules: how
 * many days back a class is (BACKDATE_DAYS compares against it).  The
 * database rules (overlap, class dates, taken days) are exercised against
 * the stack in tests/integration/test_register.c.
 */
#include <criterion/criterion.h>

#include "calendar.h"

struct days_case {
	const char *today, *date;
	long want;
};

static const struct days_case days_cases[] = {
	{ "2026-12-05", "2026-12-05", 0 },
	{ "2026-12-05", "2026-12-04", 1 },
	{ "2026-12-05", "2026-11-28", 7 },
	{ "2026-03-01", "2026-02-28", 1 },       /* not a leap year */
	{ "2028-03-01", "2028-02-28", 2 },       /* a leap year */
	{ "2027-01-01", "2026-12-31", 1 },       /* across a year */
	{ "2026-12-05", "2026-12-06", -1 },      /* the future */
	{ "2026-12-05", "2026-02-30", -100000 }, /* not a date */
	{ "2026-12-05", "05-12-2026", -100000 },
	{ "nonsense", "2026-12-05", -100000 },
};

Test(calendar, days_back_counts_calendar_days_and_rejects_non_dates)
{
	size_t i;

	for (i = 0; i < sizeof(days_cases) / sizeof(days_cases[0]); i++)
		cr_expect_eq(calendar_days_back(days_cases[i].today,
				 days_cases[i].date),
		    days_cases[i].want, "%s - %s", days_cases[i].today,
		    days_cases[i].date);
}
