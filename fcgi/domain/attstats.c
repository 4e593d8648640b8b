/*
 * attstats.c - the pure arithmetic of attendance reports (see attstats.h).
 *
 * Dates are day numbers so ranges, weeks and "joined on" comparisons are
 * integer compares; the civil-date conversions are the well-known
 * era-based algorithms (valid for the whole proleptic Gregorian calendar),
 * so nothing depends on time_t range or the C library's mktime.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "attstats.h"

long
attstats_day(int y, int m, int d)
{
	long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153L * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void
attstats_civil(long day, int *y, int *m, int *d)
{
	long z = day + 719468, era, doe, yoe, doy, mp;

	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

static int
digits(const char *s, int n, int *out)
{
	int i, v = 0;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

int
attstats_parse_date(const char *s, long *day)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30,
		31 };
	int y, m, d, leap;

	if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	if (digits(s, 4, &y) || digits(s + 5, 2, &m) || digits(s + 8, 2, &d))
		return -1;
	if (y < 1900 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return -1;
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (m == 2 && d == 29 && !leap)
		return -1;
	*day = attstats_day(y, m, d);
	return 0;
}

void
attstats_format_date(long day, char *out)
{
	int y, m, d;

	attstats_civil(day, &y, &m, &d);
	snprintf(out, ATTSTATS_DATE_LEN, "%04u-%02u-%02u", (unsigned)y % 10000u,
	    (unsigned)m % 100u, (unsigned)d % 100u);
}

long
attstats_today(void)
{
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	return attstats_day(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

int
attstats_weekday(long day)
{
	/* 1970-01-01 was a Thursday (4). */
	long w = (day + 3) % 7;

	if (w < 0)
		w += 7;
	return (int)w + 1;
}

int
attstats_iso_week(long day, int *iso_year)
{
	/* The week's Thursday decides the year; week 1 holds January 4. */
	long thursday = day - attstats_weekday(day) + 4;
	int y, m, d;

	attstats_civil(thursday, &y, &m, &d);
	*iso_year = y;
	return (int)((thursday - attstats_day(y, 1, 1)) / 7) + 1;
}

static int
given(const char *s)
{
	return s != NULL && *s != '\0';
}

int
attstats_range(const char *from_s, const char *to_s, long today,
    long default_days, long max_days, long *from, long *to)
{
	long f = 0, t = today;

	if (given(from_s) && attstats_parse_date(from_s, &f) < 0)
		return ATTSTATS_RANGE_BAD_FROM;
	if (given(to_s) && attstats_parse_date(to_s, &t) < 0)
		return ATTSTATS_RANGE_BAD_TO;
	if (!given(from_s))
		f = t - default_days;
	if (f > t)
		return ATTSTATS_RANGE_REVERSED;
	if (t - f > max_days)
		return ATTSTATS_RANGE_TOO_LONG;
	*from = f;
	*to = t;
	return ATTSTATS_RANGE_OK;
}

double
attstats_percent(int present, int held)
{
	return held <= 0
	    ? -1
	    : (double)attstats_percent_tenths(present, held) / 10.0;
}

long
attstats_percent_tenths(long present, long held)
{
	long p = present < 0 ? -present : present;
	/* round half up on exact integers: no 66.66666 -> 66.6 surprises */
	long tenths = (2000L * p + held) / (2L * held);

	return present < 0 ? -tenths : tenths;
}

int
attstats_below(int present, int held, long threshold)
{
	return held > 0 && 100L * present < threshold * held;
}

int
attstats_longest_run(const char *cells, int n, char what, int *first, int *last)
{
	int i, best = 0, cur = 0, start = -1;

	*first = *last = -1;
	for (i = 0; i < n; i++) {
		if (cells[i] != 'P' && cells[i] != 'A' && cells[i] != 'R')
			continue;
		if (cells[i] != what) {
			cur = 0;
			continue;
		}
		if (cur++ == 0)
			start = i;
		if (cur > best) {
			best = cur;
			*first = start;
			*last = i;
		}
	}
	return best;
}

int
attstats_weekly(const long *days, const int *marks, const int *present, int n,
    struct attstats_week *out)
{
	int i, k = -1, y, w;

	for (i = 0; i < n; i++) {
		w = attstats_iso_week(days[i], &y);
		if (k < 0 || out[k].iso_year != y || out[k].week != w) {
			k++;
			out[k].iso_year = y;
			out[k].week = w;
			out[k].marks = out[k].present = 0;
		}
		out[k].marks += marks[i];
		out[k].present += present[i];
	}
	return k + 1;
}

long
attstats_threshold(long percent)
{
	return percent < 0 ? 0 : percent > 100 ? 100 : percent;
}
