/*
 * report.h - what a report is: the plain structs the builders fill
 * (reportbuild.c) and the renderers read (reportjson.c, reportcsv.c,
 * reportxlsx.c).  No functions: nothing here points back at who made it.
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
 * - excused ('E'): an A mark on a day inside one of the student's APPROVED
 *   leave records (student_leave).  LEAVE_COUNTS=excluded (the default)
 *   leaves it out of held, so it lowers neither the percentage nor the
 *   at-risk test; LEAVE_COUNTS=absent counts it as held and absent.
 *   Either way it is counted in `excused` and shown as E.  A P or R mark
 *   on a leave day stays what it is: the student came.
 * - a mark's remark (attendance.remark) travels with its cell / day.
 * - a session taken by a substitute names them (rep_session.taken_by).
 */
#ifndef EHZ_REPORT_H
#define EHZ_REPORT_H

#include "attstats.h"

enum report_format { REPORT_JSON, REPORT_CSV, REPORT_XLSX, REPORT_EDFI };

/* A cell of the register: 'P', 'A', 'R', 'E' (excused), or '-' (not counted). */
#define REPORT_EXCUSED 'E'
#define REPORT_NOT_COUNTED '-'

struct rep_counts {
	int held, present, absent, flagged;
	int excused; /* absences on approved leave (see LEAVE_COUNTS) */
};

struct rep_session {
	long long session_id;
	long day;
	char date[ATTSTATS_DATE_LEN];
	int period_no;
	const char *taken_by; /* who took it (session.taken_by); NULL: the
				 subject's teacher */
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
	const char **remarks;         /* per cell, NULL = none (or no array) */
	char *slow; /* per cell, 1: "slow - possibly relayed" (NULL: none) */
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
	char status;        /* 'P', 'A', 'R', 'E' */
	const char *source; /* "OTP", "TIMEOUT", "MANUAL" */
	const char *remark; /* NULL = none */
	const char *leave;  /* E: the leave's kind (MEDICAL, DUTY, OTHER) */
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

#endif
