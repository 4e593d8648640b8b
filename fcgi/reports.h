/*
 * reports.h - attendance reports built from the database, shared by the
 * HTTP endpoints (summary.c), the admin CLI and cron (scripts/admin/
 * report.c), plus the low-attendance warnings.
 *
 * Counting rules (documented in openapi.yaml and README):
 * - A session is "held" when it has at least one attendance row.
 * - A student counts in a held session when it is on or after their
 *   joined_on and they have a row in it; a held session without their row
 *   (enrolled later, window not finalised yet) is not counted at all.
 * - held = present + absent + flagged: P is present, A absent, R flagged
 *   (the code came with anti-proxy evidence): flagged is NOT present.
 * - percent = present / held * 100, one decimal; null when held is 0.
 * - at risk: held > 0 and present/held below AT_RISK_PERCENT.
 */
#ifndef EHZ_REPORTS_H
#define EHZ_REPORTS_H

#include <jansson.h>
#include <stddef.h>

#include "arena.h"
#include "attstats.h"

struct config;
struct db;

enum report_format { REPORT_JSON, REPORT_CSV, REPORT_XLSX, REPORT_EDFI };

/* A cell of the register: 'P', 'A', 'R', or '-' (not counted). */
#define REPORT_NOT_COUNTED '-'

struct rep_counts {
	int held, present, absent, flagged;
};

struct rep_session {
	long long session_id;
	long day;
	char date[ATTSTATS_DATE_LEN];
	int period_no;
};

struct rep_student {
	const char *email, *name, *roll_no;
	const char *joined_on; /* NULL: from the start */
	struct rep_counts n;
	double percent; /* -1 when n.held is 0 */
	int at_risk;
	int run_len;             /* longest run of consecutive absences */
	int run_first, run_last; /* session indexes, -1 when run_len is 0 */
};

/* Who the report is about, for titles and file names. */
struct rep_subject {
	long long subject_id, class_id;
	const char *course_id, *course_name, *teacher_email;
	const char *department, *batch, *section;
	int semester;
};

struct class_report {
	struct rep_subject subj;
	long from, to;
	char from_s[ATTSTATS_DATE_LEN], to_s[ATTSTATS_DATE_LEN];
	long threshold;
	int nsessions, nstudents, nweeks, nat_risk;
	struct rep_session *sessions; /* held sessions, by date, period */
	struct rep_student *students; /* by roll number */
	char *cells;                  /* [student * nsessions + session] */
	char *sources;                /* 'O'TP, 'T'IMEOUT, 'M'ANUAL, 0 */
	struct rep_counts total;
	double total_percent;
	struct attstats_week *weeks;
};

/* One counted mark of a student: a line of the day-by-day list. */
struct rep_day {
	long long session_id;
	char date[ATTSTATS_DATE_LEN];
	int period_no;
	int subject;        /* index into student_report.subjects */
	char status;        /* 'P', 'A', 'R' */
	const char *source; /* "OTP", "TIMEOUT", "MANUAL" */
};

struct rep_subject_line {
	struct rep_subject subj;
	struct rep_counts n;
	double percent;
	int at_risk;
};

struct student_report {
	const char *email, *name, *roll_no, *joined_on;
	long long class_id;
	long from, to;
	char from_s[ATTSTATS_DATE_LEN], to_s[ATTSTATS_DATE_LEN];
	long threshold;
	int nsubjects, ndays;
	struct rep_subject_line *subjects;
	struct rep_day *days; /* by date, period */
	struct rep_counts total;
	double total_percent;
};

/* A builder's answer when the caller may not see the report. */
#define REPORTS_FORBIDDEN 100

/*
 * Builds the class report of one subject over [from, to] (day numbers).
 * Three queries however big the class: the subject, its class's students,
 * and every attendance row of the subject in the range.  Arena memory.
 * When teacher is not NULL and does not teach the subject, stops after the
 * first query with REPORTS_FORBIDDEN (out->subj is filled).  Returns DB_OK,
 * DB_NOTFOUND (no such subject), REPORTS_FORBIDDEN or a DB_* error.
 */
int reports_build_class(struct db *db, struct arena *a,
    const struct config *cfg, long long subject_id, const char *teacher,
    long from, long to, struct class_report *out);
/*
 * Builds a student's report over [from, to]: every subject of their class,
 * or only subject_id when it is not 0, or only the subjects `teacher`
 * teaches when teacher is not NULL.  DB_NOTFOUND when there is no such
 * student; out->nsubjects is 0 when the filters leave nothing.
 */
int reports_build_student(struct db *db, struct arena *a,
    const struct config *cfg, const char *email, long long subject_id,
    const char *teacher, long from, long to, struct student_report *out);

/* The JSON bodies of the two endpoints (new references; NULL on OOM). */
json_t *reports_class_json(const struct class_report *rep);
json_t *reports_student_json(const struct student_report *rep);

/* "json", "csv", "xlsx", "edfi" -> REPORT_*, or -1. */
int reports_format(const char *s);
/* The MIME type and file extension of a non-JSON format. */
const char *reports_mime(int fmt);
const char *reports_ext(int fmt);
/*
 * A download name: "attendance_<what>_<from>_<to>.<ext>", reduced to
 * [A-Za-z0-9._-].  Arena memory.
 */
char *reports_class_filename(struct arena *a, const struct class_report *rep,
    int fmt);
char *reports_student_filename(struct arena *a,
    const struct student_report *rep, int fmt);
/*
 * Renders a report in a file format (CSV, XLSX, EDFI) into arena memory.
 * XLSX goes through a temporary file in tmpdir, removed before returning.
 * 0, or -1 (logged).
 */
int reports_export_class(const struct class_report *rep, int fmt,
    const char *tmpdir, struct arena *a, char **buf, size_t *len);
int reports_export_student(const struct student_report *rep, int fmt,
    const char *tmpdir, struct arena *a, char **buf, size_t *len);
/* STATE/tmp, created if missing; arena memory. */
const char *reports_tmpdir(struct arena *a, const struct config *cfg);

/*
 * Low-attendance warnings.  For every (student, subject) in scope it
 * computes the percentage over the last REPORT_DAYS days (the same counting
 * rules) and flips attendance_warning.below: on false -> true it queues one
 * "push.low_attendance" to each of the student's active devices (collapse
 * key "low-<subject_id>") in the same transaction as the flip; on true ->
 * false it only clears the flag, so the next crossing warns again.  A flip
 * is a conditional UPDATE, so concurrent runs warn once.
 * subject_id 0 means every subject.  *flipped_down (may be NULL) gets the
 * number of new warnings.  Opens its own transactions: call it outside any.
 * Returns DB_OK or a DB_* error.
 */
int reports_check_warnings(struct db *db, struct arena *a,
    const struct config *cfg, long long subject_id, int *flipped_down);
/*
 * The hook for the attendance flow: call after a window's finalisation
 * has committed.  Checks the subject of session_id; errors are logged and
 * returned, never worth failing the caller's request for.
 */
int reports_warn_after_session(struct db *db, struct arena *a,
    const struct config *cfg, long long session_id);

#endif
