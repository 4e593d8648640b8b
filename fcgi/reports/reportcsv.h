/*
 * reportcsv.h - reports as CSV (RFC 4180) and as Ed-Fi-shaped attendance
 * events for student information systems.
 */
#ifndef EHZ_REPORTCSV_H
#define EHZ_REPORTCSV_H

#include <stdio.h>

struct class_report;
struct student_report;

/* Ed-Fi attendance event categories (default Ed-Fi descriptors). */
#define REPORTCSV_EDFI_PRESENT \
	"uri://ed-fi.org/AttendanceEventCategoryDescriptor#In Attendance"
#define REPORTCSV_EDFI_ABSENT \
	"uri://ed-fi.org/AttendanceEventCategoryDescriptor#Unexcused Absence"
#define REPORTCSV_EDFI_EXCUSED \
	"uri://ed-fi.org/AttendanceEventCategoryDescriptor#Excused Absence"

/*
 * Writes one field: quoted when it holds a comma, quote, CR or LF; a
 * leading = + - @ or tab gets a ' so spreadsheets never run it as a
 * formula.  No separator is written.
 */
void reportcsv_field(FILE *fp, const char *s);

/*
 * The class register: one row per student (roll_no, name, email, held,
 * present, absent, flagged, percent, longest_absent_run, at_risk) then one
 * column per held session ("YYYY-MM-DD P<n>") with P/A/R/E (empty = not
 * counted), then "remarks": "YYYY-MM-DD P<n>: remark" joined by "; ".
 * 0 or -1.
 */
int reportcsv_class(FILE *fp, const struct class_report *rep);
/* A student's day-by-day list (date, period_no, subject, status ...). */
int reportcsv_student(FILE *fp, const struct student_report *rep);
/*
 * Ed-Fi attendance events, one per counted mark: the header is
 * attendanceEventCategoryDescriptor, eventDate, sectionIdentifier,
 * studentUniqueId, attendanceEventReason, classPeriodName.
 */
int reportcsv_edfi_class(FILE *fp, const struct class_report *rep);
int reportcsv_edfi_student(FILE *fp, const struct student_report *rep);
/*
 * At-risk rows of a class report (cron's list), with the header when
 * header is 1: date range, class, subject and the student's numbers.
 */
int reportcsv_at_risk(FILE *fp, const struct class_report *rep, int header);

#endif
