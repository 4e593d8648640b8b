/*
 * test_reportcsv.c - CSV quoting and formula neutralising, and the exact
 * bytes of the class register, Ed-Fi events and at-risk rows for a small
 * hand-made report.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reportcsv.h"
#include "report.h"

struct field_case {
	char in[32], out[40];
};

ParameterizedTestParameters(reportcsv, fields_are_quoted_and_defused)
{
	static struct field_case cases[] = {
		{ "plain", "plain" },
		{ "", "" },
		{ "a,b", "\"a,b\"" },
		{ "say \"hi\"", "\"say \"\"hi\"\"\"" },
		{ "two\nlines", "\"two\nlines\"" },
		{ "=1+2", "\"'=1+2\"" },
		{ "+91 999", "\"'+91 999\"" },
		{ "-5", "\"'-5\"" },
		{ "@SUM(A1)", "\"'@SUM(A1)\"" },
		{ "a=b", "a=b" },
		{ "Anne-Marie", "Anne-Marie" },
	};
	return cr_make_param_array(struct field_case, cases,
	    sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct field_case *c, reportcsv,
    fields_are_quoted_and_defused)
{
	char *mem = NULL;
	size_t n = 0;
	FILE *fp = open_memstream(&mem, &n);

	reportcsv_field(fp, c->in);
	fclose(fp);
	cr_assert_str_eq(mem, c->out);
	free(mem);
}

/* Two students, three sessions; B joined after the first session. */
static struct rep_session sessions[] = {
	{ 11, 0, "2025-01-06", 1 },
	{ 12, 0, "2025-01-07", 2 },
	{ 13, 0, "2025-01-08", 1 },
};
static struct rep_student students[] = {
	{ "a@x.edu", "Asha", "01", NULL, { 3, 1, 1, 1 }, 33.3, 1, 1, 1, 1 },
	{ "b@x.edu", "Bo, Jr", "02", "2025-01-07", { 2, 2, 0, 0 }, 100.0, 0, 0,
	    -1, -1 },
};

static void
fill(struct class_report *rep)
{
	memset(rep, 0, sizeof(*rep));
	rep->subj = (struct rep_subject){ 7, 3, "CS101", "Programming",
		"t@x.edu", "CSE", "2024", "A", 3 };
	strcpy(rep->from_s, "2025-01-01");
	strcpy(rep->to_s, "2025-01-31");
	rep->threshold = 75;
	rep->nsessions = 3;
	rep->nstudents = 2;
	rep->sessions = sessions;
	rep->students = students;
	rep->cells = "PAR-PP";
	rep->sources = "OTM\0MO";
	rep->nat_risk = 1;
}

static char *
render(int (*fn)(FILE *, const struct class_report *))
{
	struct class_report rep;
	char *mem = NULL;
	size_t n = 0;
	FILE *fp = open_memstream(&mem, &n);

	fill(&rep);
	cr_assert_eq(fn(fp, &rep), 0);
	fclose(fp);
	return mem;
}

Test(reportcsv, the_class_register_has_counts_then_one_column_per_session)
{
	char *s = render(reportcsv_class);

	cr_assert_str_eq(s,
	    "roll_no,name,email,held,present,absent,flagged,percent,"
	    "longest_absent_run,at_risk,2025-01-06 P1,2025-01-07 P2,"
	    "2025-01-08 P1,remarks\r\n"
	    "01,Asha,a@x.edu,3,1,1,1,33.3,1,yes,P,A,R,\r\n"
	    "02,\"Bo, Jr\",b@x.edu,2,2,0,0,100.0,0,no,,P,P,\r\n");
	free(s);
}

Test(reportcsv, edfi_events_cover_counted_marks_only)
{
	char *s = render(reportcsv_edfi_class);
	const char *want =
	    "attendanceEventCategoryDescriptor,eventDate,sectionIdentifier,"
	    "studentUniqueId,attendanceEventReason,classPeriodName\r\n" REPORTCSV_EDFI_PRESENT
	    ",2025-01-06,CS101-2024-S3-A,a@x.edu,"
	    "attendance code entered,P1\r\n" REPORTCSV_EDFI_ABSENT
	    ",2025-01-07,CS101-2024-S3-A,a@x.edu,"
	    "no attendance code entered,P2\r\n" REPORTCSV_EDFI_PRESENT
	    ",2025-01-07,CS101-2024-S3-A,b@x.edu,"
	    "marked present by the teacher,P2\r\n" REPORTCSV_EDFI_ABSENT
	    ",2025-01-08,CS101-2024-S3-A,a@x.edu,"
	    "flagged by the anti-proxy checks; pending review,P1\r\n" REPORTCSV_EDFI_PRESENT
	    ",2025-01-08,CS101-2024-S3-A,b@x.edu,"
	    "attendance code entered,P1\r\n";

	cr_assert_str_eq(s, want);
	free(s);
}

static int
at_risk_with_header(FILE *fp, const struct class_report *rep)
{
	return reportcsv_at_risk(fp, rep, 1);
}

Test(reportcsv, the_at_risk_list_has_only_students_below_the_threshold)
{
	char *s = render(at_risk_with_header);
	char *second = strstr(s, "\r\n") + 2;

	cr_assert(strncmp(s, "from,to,class_id,", 17) == 0, "%s", s);
	cr_assert_str_eq(second,
	    "2025-01-01,2025-01-31,3,CSE 2024 S3 A,7,CS101,Programming,"
	    "t@x.edu,01,Asha,a@x.edu,3,1,1,1,33.3,75\r\n");
	free(s);
}

Test(reportcsv, excused_cells_and_remarks_reach_the_csv_and_edfi)
{
	static const char *remarks[6] = { NULL, "fever, note given", NULL, NULL,
		NULL, NULL };
	struct class_report rep;
	char *mem = NULL;
	size_t n = 0;
	FILE *fp = open_memstream(&mem, &n);

	fill(&rep);
	rep.cells = "PER-PP";
	rep.remarks = remarks;
	cr_assert_eq(reportcsv_class(fp, &rep), 0);
	fclose(fp);
	cr_assert(strstr(mem,
		      "01,Asha,a@x.edu,3,1,1,1,33.3,1,yes,P,E,R,"
		      "\"2025-01-07 P2: fever, note given\"\r\n"),
	    "%s", mem);
	free(mem);
	mem = NULL;
	fp = open_memstream(&mem, &n);
	cr_assert_eq(reportcsv_edfi_class(fp, &rep), 0);
	fclose(fp);
	cr_assert(strstr(mem,
		      REPORTCSV_EDFI_EXCUSED
		      ",2025-01-07,CS101-2024-S3-A,a@x.edu,"
		      "absent on approved leave,P2\r\n"),
	    "%s", mem);
	free(mem);
}

Test(reportcsv, a_slow_mark_is_marked_in_its_cell)
{
	char slow[6] = { 0, 0, 1, 0, 1, 0 };
	struct class_report rep;
	char *mem = NULL;
	size_t n = 0;
	FILE *fp = open_memstream(&mem, &n);

	fill(&rep);
	rep.slow = slow;
	cr_assert_eq(reportcsv_class(fp, &rep), 0);
	fclose(fp);
	cr_assert(strstr(mem,
		      "01,Asha,a@x.edu,3,1,1,1,33.3,1,yes,P,A,"
		      "R (slow),\r\n"),
	    "%s", mem);
	cr_assert(strstr(mem, ",no,,P (slow),P,\r\n"), "%s", mem);
	free(mem);
}
