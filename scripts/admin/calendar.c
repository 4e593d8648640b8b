/*
 * calendar.c - `ehazira-admin leave` and `ehazira-admin holiday`: the
 * admin's side of the register.  An admin records leave for any student
 * (approved at once) and declares holidays for the whole institution or
 * one class; the rules and refusals are the workers' (fcgi/domain/
 * calendar.c), so the CLI and the API refuse the same input.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "attstats.h"
#include "calendar.h"

static const char *
refusal(int rc)
{
	switch (rc) {
	case CAL_NOT_FOUND:
		return "no such student, class or period";
	case CAL_OVERLAP:
		return "the student already has leave on some of those days";
	case CAL_OUTSIDE:
		return "the dates are outside the student's class dates";
	case CAL_TAKEN:
		return "attendance was already taken on that day";
	case CAL_DUPLICATE:
		return "that day is already marked";
	default:
		return "the database failed (see the log)";
	}
}

static int
valid_kind(const char *k)
{
	int i;

	for (i = 0; calendar_leave_kinds[i]; i++)
		if (strcmp(calendar_leave_kinds[i], k) == 0)
			return 1;
	return 0;
}

/* leave add EMAIL KIND FROM TO [REASON] */
int
admin_leave(struct admin *ad, int argc, char **argv)
{
	struct calendar_leave l = { 0 };
	long long id = 0;
	long f, t;
	int rc;

	if (argc < 6 || strcmp(argv[1], "add") != 0) {
		fprintf(stderr,
		    "usage: ehazira-admin leave add EMAIL "
		    "MEDICAL|DUTY|OTHER FROM TO [REASON]\n");
		return 2;
	}
	l.student_email = argv[2];
	l.kind = argv[3];
	l.from = argv[4];
	l.to = argv[5];
	l.reason = argc > 6 ? argv[6] : "";
	l.state = "APPROVED";
	l.entered_by = "admin";
	if (!valid_kind(l.kind) || attstats_parse_date(l.from, &f) < 0 ||
	    attstats_parse_date(l.to, &t) < 0 || f > t) {
		fprintf(stderr,
		    "leave: KIND is MEDICAL, DUTY or OTHER; FROM "
		    "and TO are YYYY-MM-DD, FROM <= TO\n");
		return 2;
	}
	if ((rc = calendar_leave_add(ad->db, ad->arena, &l, &id)) != CAL_OK) {
		fprintf(stderr, "leave: refused: %s\n", refusal(rc));
		return 1;
	}
	printf("leave %lld: %s %s %s..%s approved\n", id, l.student_email,
	    l.kind, l.from, l.to);
	return 0;
}

/* holiday add DATE [--class ID] [REASON] */
int
admin_holiday(struct admin *ad, int argc, char **argv)
{
	struct calendar_noclass n = { 0 };
	long long id = 0;
	long day;
	int rc, i = 3;

	if (argc < 3 || strcmp(argv[1], "add") != 0 ||
	    attstats_parse_date(argv[2], &day) < 0) {
		fprintf(stderr,
		    "usage: ehazira-admin holiday add YYYY-MM-DD "
		    "[--class ID] [REASON]\n");
		return 2;
	}
	n.date = argv[2];
	n.created_by = "admin";
	if (argc > 4 && strcmp(argv[3], "--class") == 0) {
		n.class_id = atoll(argv[4]);
		i = 5;
		if (n.class_id <= 0) {
			fprintf(stderr, "holiday: --class needs a class id\n");
			return 2;
		}
	}
	n.reason = argc > i ? argv[i] : "";
	if ((rc = calendar_noclass_add(ad->db, ad->arena, &n, &id)) != CAL_OK) {
		fprintf(stderr, "holiday: refused: %s\n", refusal(rc));
		return 1;
	}
	printf("holiday %lld: %s (%s)\n", id, n.date,
	    n.class_id ? "one class" : "the whole institution");
	return 0;
}
