/*
 * test_attstats.c - the arithmetic of reports: dates, ranges, percentages,
 * the at-risk comparison, absence runs and ISO-week trends.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>

#include "attstats.h"

/* Inline arrays: Criterion re-runs the binary, so no pointers in params. */
struct date_case {
	char text[16];
	int ok;
	int y, m, d;
};

ParameterizedTestParameters(attstats, dates_parse_only_real_calendar_days)
{
	static struct date_case cases[] = {
		{ "2025-01-06", 1, 2025, 1, 6 },
		{ "1970-01-01", 1, 1970, 1, 1 },
		{ "2024-02-29", 1, 2024, 2, 29 },
		{ "2000-02-29", 1, 2000, 2, 29 },
		{ "2023-02-29", 0, 0, 0, 0 },
		{ "1900-02-29", 0, 0, 0, 0 },
		{ "2025-04-31", 0, 0, 0, 0 },
		{ "2025-13-01", 0, 0, 0, 0 },
		{ "2025-00-10", 0, 0, 0, 0 },
		{ "2025-1-06", 0, 0, 0, 0 },
		{ "2025-01-6", 0, 0, 0, 0 },
		{ "2025/01/06", 0, 0, 0, 0 },
		{ "20250106", 0, 0, 0, 0 },
		{ "2025-01-06x", 0, 0, 0, 0 },
		{ " 2025-01-06", 0, 0, 0, 0 },
		{ "", 0, 0, 0, 0 },
		{ "abcd-ef-gh", 0, 0, 0, 0 },
		{ "1899-12-31", 0, 0, 0, 0 },
		{ "9999-12-31", 1, 9999, 12, 31 },
	};
	return cr_make_param_array(struct date_case, cases,
	    sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct date_case *c, attstats,
    dates_parse_only_real_calendar_days)
{
	long day = 12345;
	int y, m, d;
	char back[ATTSTATS_DATE_LEN];

	cr_assert_eq(attstats_parse_date(c->text, &day) == 0, c->ok, "%s",
	    c->text);
	if (!c->ok)
		return;
	cr_assert_eq(day, attstats_day(c->y, c->m, c->d));
	attstats_civil(day, &y, &m, &d);
	cr_assert(y == c->y && m == c->m && d == c->d, "%s round trip",
	    c->text);
	attstats_format_date(day, back);
	cr_assert_str_eq(back, c->text);
}

Test(attstats, day_numbers_count_from_the_unix_epoch)
{
	cr_assert_eq(attstats_day(1970, 1, 1), 0);
	cr_assert_eq(attstats_day(1970, 1, 2), 1);
	cr_assert_eq(attstats_day(1969, 12, 31), -1);
	cr_assert_eq(attstats_day(2000, 3, 1) - attstats_day(2000, 2, 28), 2);
	cr_assert_eq(attstats_day(2025, 1, 1) - attstats_day(2024, 1, 1), 366);
}

struct week_case {
	char date[12];
	int weekday, iso_year, week;
};

ParameterizedTestParameters(attstats, iso_weeks_follow_iso_8601)
{
	static struct week_case cases[] = {
		{ "2025-01-06", 1, 2025, 2 },  /* a Monday */
		{ "2025-01-05", 7, 2025, 1 },  /* a Sunday */
		{ "2024-12-30", 1, 2025, 1 },  /* belongs to next year */
		{ "2021-01-03", 7, 2020, 53 }, /* belongs to last year */
		{ "2020-12-31", 4, 2020, 53 },
		{ "2026-01-01", 4, 2026, 1 },
		{ "2027-01-01", 5, 2026, 53 },
		{ "1970-01-01", 4, 1970, 1 },
		{ "2023-06-15", 4, 2023, 24 },
	};
	return cr_make_param_array(struct week_case, cases,
	    sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct week_case *c, attstats, iso_weeks_follow_iso_8601)
{
	long day;
	int y;

	cr_assert_eq(attstats_parse_date(c->date, &day), 0);
	cr_assert_eq(attstats_weekday(day), c->weekday, "%s weekday", c->date);
	cr_assert_eq(attstats_iso_week(day, &y), c->week, "%s week", c->date);
	cr_assert_eq(y, c->iso_year, "%s year", c->date);
}

struct range_case {
	char from[16], to[16]; /* "" = not given */
	int rc;
	char want_from[12], want_to[12];
};

/* today is 2025-03-31; default 120 days; at most 400 days */
ParameterizedTestParameters(attstats, ranges_default_and_validate)
{
	static struct range_case cases[] = {
		{ "", "", ATTSTATS_RANGE_OK, "2024-12-01", "2025-03-31" },
		{ "2025-01-01", "", ATTSTATS_RANGE_OK, "2025-01-01",
		    "2025-03-31" },
		{ "", "2025-02-01", ATTSTATS_RANGE_OK, "2024-10-04",
		    "2025-02-01" },
		{ "2025-01-01", "2025-01-01", ATTSTATS_RANGE_OK, "2025-01-01",
		    "2025-01-01" },
		{ "2024-01-01", "2025-02-04", ATTSTATS_RANGE_OK, "2024-01-01",
		    "2025-02-04" }, /* exactly 400 days */
		{ "2024-01-01", "2025-02-05", ATTSTATS_RANGE_TOO_LONG, "", "" },
		{ "2025-02-02", "2025-02-01", ATTSTATS_RANGE_REVERSED, "", "" },
		{ "2025-04-01", "", ATTSTATS_RANGE_REVERSED, "", "" },
		{ "2025-02-30", "", ATTSTATS_RANGE_BAD_FROM, "", "" },
		{ "", "yesterday", ATTSTATS_RANGE_BAD_TO, "", "" },
		{ "2025-01-01", "2025-1-2", ATTSTATS_RANGE_BAD_TO, "", "" },
	};
	return cr_make_param_array(struct range_case, cases,
	    sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct range_case *c, attstats, ranges_default_and_validate)
{
	long today = attstats_day(2025, 3, 31), f = -1, t = -1;
	char fs[ATTSTATS_DATE_LEN], ts[ATTSTATS_DATE_LEN];

	cr_assert_eq(attstats_range(c->from[0] ? c->from : NULL, c->to, today,
			 120, 400, &f, &t),
	    c->rc, "from=%s to=%s", c->from, c->to);
	if (c->rc != ATTSTATS_RANGE_OK)
		return;
	attstats_format_date(f, fs);
	attstats_format_date(t, ts);
	cr_assert_str_eq(fs, c->want_from);
	cr_assert_str_eq(ts, c->want_to);
}

struct pct_case {
	int present, held;
	double percent;
	long threshold;
	int below;
};

ParameterizedTestParameters(attstats, percentages_round_and_compare_exactly)
{
	static struct pct_case cases[] = {
		{ 3, 4, 75.0, 75, 0 }, /* exactly at the threshold */
		{ 2, 3, 66.7, 75, 1 }, { 1, 3, 33.3, 75, 1 },
		{ 0, 5, 0.0, 75, 1 }, { 5, 5, 100.0, 75, 0 },
		{ 0, 0, -1, 75, 0 },       /* nothing held: no %, not at risk */
		{ 1, 8, 12.5, 75, 1 },     /* half rounds up */
		{ 1, 16, 6.3, 75, 1 },     /* 6.25 -> 6.3 */
		{ 149, 200, 74.5, 75, 1 }, /* rounds to 74.5, still below */
		{ 299, 400, 74.8, 75,
		    1 }, /* 74.75: below though it prints 74.8 */
		{ 2, 3, 66.7, 66, 0 }, { 2, 3, 66.7, 67, 1 },
		{ 0, 1, 0.0, 0, 0 }, /* threshold 0: nobody is at risk */
	};
	return cr_make_param_array(struct pct_case, cases,
	    sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct pct_case *c, attstats,
    percentages_round_and_compare_exactly)
{
	double p = attstats_percent(c->present, c->held);

	cr_assert(p > c->percent - 1e-9 && p < c->percent + 1e-9,
	    "%d/%d gave %f, want %f", c->present, c->held, p, c->percent);
	cr_assert_eq(attstats_below(c->present, c->held, c->threshold),
	    c->below, "%d/%d below %ld", c->present, c->held, c->threshold);
}

struct tenths_case {
	long present, held, tenths;
};

/* Each answer is what MariaDB 10.11 gave for ROUND(100 * p / h, 1) of
 * SUMs (decimals), as the dashboard's shortage list printed it. */
ParameterizedTestParameters(attstats, tenths_of_a_percent_are_mariadbs_rounding)
{
	static struct tenths_case cases[] = {
		{ 2, 3, 667 },
		{ 1, 8, 125 },
		{ 1, 16, 63 },
		{ 1, 80, 13 },
		{ 0, 7, 0 },
		{ 7, 7, 1000 },
		{ -1, 8, -125 },
		/* 0.049995..: rounded once, not at four places first */
		{ 5, 10001, 0 },
		{ 3336, 10003, 333 },
		{ 5719, 10007, 571 },
	};
	return cr_make_param_array(struct tenths_case, cases,
	    sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct tenths_case *c, attstats,
    tenths_of_a_percent_are_mariadbs_rounding)
{
	cr_assert_eq(attstats_percent_tenths(c->present, c->held), c->tenths,
	    "%ld/%ld", c->present, c->held);
}

struct run_case {
	char cells[32];
	char what;
	int len, first, last;
};

ParameterizedTestParameters(attstats, absence_runs_skip_uncounted_sessions)
{
	static struct run_case cases[] = {
		{ "", 'A', 0, -1, -1 },
		{ "PPPP", 'A', 0, -1, -1 },
		{ "A", 'A', 1, 0, 0 },
		{ "PAAPAAAP", 'A', 3, 4, 6 },
		{ "AAPAA", 'A', 2, 0, 1 }, /* the earliest of equal runs */
		{ "AA-A", 'A', 3, 0, 3 },  /* '-' neither breaks nor counts */
		{ "--A--A--", 'A', 2, 2, 5 },
		{ "AARAA", 'A', 2, 0, 1 }, /* flagged breaks a run */
		{ "PAAAA", 'A', 4, 1, 4 }, /* a run at the end */
		{ "RRPRRR", 'R', 3, 3, 5 },
		{ "----", 'A', 0, -1, -1 },
	};
	return cr_make_param_array(struct run_case, cases,
	    sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct run_case *c, attstats,
    absence_runs_skip_uncounted_sessions)
{
	int first, last;

	cr_assert_eq(attstats_longest_run(c->cells, (int)strlen(c->cells),
			 c->what, &first, &last),
	    c->len, "%s", c->cells);
	cr_assert_eq(first, c->first, "%s first", c->cells);
	cr_assert_eq(last, c->last, "%s last", c->cells);
}

Test(attstats, weekly_trend_folds_sessions_into_iso_weeks)
{
	/* Mon 2024-12-30 (2025-W01), Fri 2025-01-03 (W01), Mon 01-06 (W02),
	 * Tue 01-07 (W02), Mon 01-20 (W04): week 3 had no session. */
	const char *dates[] = { "2024-12-30", "2025-01-03", "2025-01-06",
		"2025-01-07", "2025-01-20" };
	long days[5];
	int marks[] = { 10, 10, 10, 8, 0 };
	int present[] = { 9, 6, 5, 8, 0 };
	struct attstats_week w[5];
	int i, n;

	for (i = 0; i < 5; i++)
		cr_assert_eq(attstats_parse_date(dates[i], &days[i]), 0);
	n = attstats_weekly(days, marks, present, 5, w);
	cr_assert_eq(n, 3);
	cr_assert(w[0].iso_year == 2025 && w[0].week == 1);
	cr_assert_eq(w[0].marks, 20);
	cr_assert_eq(w[0].present, 15);
	cr_assert(w[1].iso_year == 2025 && w[1].week == 2);
	cr_assert_eq(w[1].marks, 18);
	cr_assert_eq(w[1].present, 13);
	cr_assert_eq(w[2].week, 4);
	cr_assert_eq(w[2].marks, 0);
	cr_assert_eq(attstats_percent(w[2].present, w[2].marks), -1);
	cr_assert_eq(attstats_weekly(days, marks, present, 0, w), 0);
}
