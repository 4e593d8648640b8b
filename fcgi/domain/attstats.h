/*
 * attstats.h - the pure arithmetic of attendance reports: calendar dates as
 * day numbers, report ranges, percentages, absence runs and ISO-week trends.
 * No I/O and no database, so every rule here is unit-tested directly.
 */
#ifndef EHZ_ATTSTATS_H
#define EHZ_ATTSTATS_H

/* A date is a day number: days since 1970-01-01 (may be negative). */
#define ATTSTATS_DATE_LEN 11 /* "YYYY-MM-DD" and the NUL */

/* Days since 1970-01-01 of a proleptic Gregorian date. */
long attstats_day(int y, int m, int d);
/* The date of a day number. */
void attstats_civil(long day, int *y, int *m, int *d);
/*
 * Parses exactly "YYYY-MM-DD" (a real calendar date, years 1900..9999).
 * 0 and *day set, or -1.
 */
int attstats_parse_date(const char *s, long *day);
/* Writes "YYYY-MM-DD" into out (ATTSTATS_DATE_LEN bytes). */
void attstats_format_date(long day, char *out);
/* Today in the process's local time zone (TZ = the TIMEZONE key). */
long attstats_today(void);
/* 1 = Monday ... 7 = Sunday. */
int attstats_weekday(long day);
/* ISO 8601 week number (1..53); *iso_year gets the week-numbering year. */
int attstats_iso_week(long day, int *iso_year);

enum attstats_range_err {
	ATTSTATS_RANGE_OK = 0,
	ATTSTATS_RANGE_BAD_FROM, /* from is not YYYY-MM-DD */
	ATTSTATS_RANGE_BAD_TO,   /* to is not YYYY-MM-DD */
	ATTSTATS_RANGE_REVERSED, /* from > to */
	ATTSTATS_RANGE_TOO_LONG, /* to - from > max_days */
};

/*
 * Resolves a report range from optional query values (NULL or "" = not
 * given): no bounds -> [today - default_days, today]; only from ->
 * [from, today]; only to -> [to - default_days, to].  Returns an
 * attstats_range_err; *from and *to are set on ATTSTATS_RANGE_OK.
 */
int attstats_range(const char *from_s, const char *to_s, long today,
    long default_days, long max_days, long *from, long *to);

/*
 * Percentage present, rounded to one decimal: present / held * 100.
 * -1 when held is 0 (no percentage: nothing was held).
 */
double attstats_percent(int present, int held);
/*
 * The same in tenths of a percent, held > 0: exactly as MariaDB gives
 * ROUND(100 * present / held, 1), half away from zero.
 */
long attstats_percent_tenths(long present, long held);
/* A configured threshold clamped to 0..100 percent. */
long attstats_threshold(long percent);
/*
 * 1 when present/held is strictly below threshold percent, in exact integer
 * arithmetic (so 3 of 4 is not below 75); never when held is 0.
 */
int attstats_below(int present, int held, long threshold);

/*
 * The longest run of consecutive `what` marks in cells[0..n), where cells
 * that are not P, A or R (not counted for the student) are skipped: they
 * neither break nor extend a run.  Returns the length; *first and *last
 * get the cell indexes of the run's ends (-1 when the length is 0).  The
 * earliest of equal runs wins.
 */
int attstats_longest_run(const char *cells, int n, char what, int *first,
    int *last);

struct attstats_week {
	int iso_year, week; /* "2025-W03" */
	int marks, present; /* counted marks and P marks in the week */
};

/*
 * Folds per-session counts into ISO weeks.  days[] must be ascending; each
 * session i contributes marks[i] counted marks of which present[i] are P.
 * Sessions with no counted marks still open their week.  out must hold n
 * entries; returns the number of weeks written.
 */
int attstats_weekly(const long *days, const int *marks, const int *present,
    int n, struct attstats_week *out);

#endif
