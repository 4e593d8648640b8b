/*
 * reportxlsx.h - reports as Excel workbooks (libxlsxwriter).
 */
#ifndef EHZ_REPORTXLSX_H
#define EHZ_REPORTXLSX_H

struct class_report;
struct student_report;

/*
 * Writes the class workbook to path: "Register" (students x held
 * sessions, P/A/R coloured, header row and name columns frozen),
 * "Summary" (counts and percentages, at-risk rows highlighted, totals) and
 * "Weekly" (ISO week -> % present).  libxlsxwriter's own temporary files
 * go to tmpdir.  0, or -1 (logged).
 */
int reportxlsx_class(const char *path, const char *tmpdir,
    const struct class_report *rep);
/*
 * A student's workbook: "Register" (the day-by-day list, coloured) and
 * "Summary" (one row per subject, at-risk rows highlighted).
 */
int reportxlsx_student(const char *path, const char *tmpdir,
    const struct student_report *rep);

#endif
