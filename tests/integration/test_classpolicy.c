/*
 * test_classpolicy.c - a class's anti-proxy policy from the places people
 * work: ehazira-admin class-policy show/set and the classes CSV import.
 * Values are checked (IPv4 and IPv6 CIDRs, booleans, known keys) with a
 * clear message and nothing half-applied; every change is audited.
 */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "itadmin.h"
#include "itauth.h"

static void
setup(void)
{
	it_tmpdir("policy");
	if (it_url())
		it_config(); /* exports EHAZIRA_CONF for the child */
}

TestSuite(classpolicy, .init = setup, .fini = it_tmpdir_remove);

static long long
audits(long long cls)
{
	char subject[64];

	snprintf(subject, sizeof(subject), "class %lld", cls);
	return it_sql_int("SELECT COUNT(*) FROM audit_log WHERE action = "
			  "'class.policy' AND subject = ? AND actor = 'admin'",
	    "s", subject);
}

Test(classpolicy, set_stores_checked_values_and_audits_each_change)
{
	char out[2048];
	long long cls;

	IT_REQUIRE_STACK();
	cls = itauth_class("P");
	cr_assert_eq(it_admin_sh(out, sizeof(out),
			 "class-policy set %lld "
			 "'allowed_cidrs=10.20.0.0/16, 2001:db8:20::/48' "
			 "flag_on_focus_loss=false",
			 cls),
	    0, "%s", out);
	cr_assert(strstr(out, "allowed_cidrs=10.20.0.0/16, 2001:db8:20::/48"),
	    "%s", out);
	cr_assert(strstr(out, "flag_on_focus_loss=false"), "%s", out);
	cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM class WHERE class_id = ? "
				"AND allowed_cidrs = '10.20.0.0/16, "
				"2001:db8:20::/48' AND NOT flag_on_focus_loss",
			 "I", cls),
	    1);
	cr_assert_eq(audits(cls), 2);
	/* the same values again change nothing and audit nothing */
	cr_assert_eq(it_admin_sh(out, sizeof(out),
			 "class-policy set %lld flag_on_focus_loss=no", cls),
	    0, "%s", out);
	cr_assert_eq(audits(cls), 2);
	cr_assert_eq(it_admin_sh(out, sizeof(out), "class-policy show %lld",
			 cls),
	    0);
	cr_assert(strstr(out, "flag_on_focus_loss=false"), "%s", out);
	/* empty: anywhere */
	cr_assert_eq(it_admin_sh(out, sizeof(out),
			 "class-policy set %lld allowed_cidrs=", cls),
	    0, "%s", out);
	cr_assert_eq(it_sql_int("SELECT allowed_cidrs = '' FROM class WHERE "
				"class_id = ?",
			 "I", cls),
	    1);
	cr_assert_eq(audits(cls), 3);
}

Test(classpolicy, bad_values_are_refused_and_nothing_changes)
{
	static const struct {
		char args[96];
		char says[48];
	} cases[] = {
		{ "allowed_cidrs=10.0.0.0/33", "10.0.0.0/33" },
		{ "allowed_cidrs=10.0.0/8", "10.0.0/8" },
		{ "allowed_cidrs=10.1.0.0/16,2001:db8::/129",
		    "2001:db8::/129" },
		{ "allowed_cidrs=campus", "campus" },
		{ "allowed_cidrs=10.0.0.0/-1", "10.0.0.0/-1" },
		{ "flag_on_focus_loss=maybe", "true or false" },
		{ "geofence=on", "unknown policy" },
		{ "allowed_cidrs", "not key=value" },
		/* a good pair before a bad one is not applied either */
		{ "flag_on_focus_loss=false allowed_cidrs=300.1.1.1",
		    "300.1.1.1" },
	};
	char out[2048];
	long long cls;
	size_t i;

	IT_REQUIRE_STACK();
	cls = itauth_class("Q");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cr_assert_eq(it_admin_sh(out, sizeof(out),
				 "class-policy set %lld %s", cls,
				 cases[i].args),
		    1, "%s: %s", cases[i].args, out);
		cr_assert(strstr(out, cases[i].says), "%s: %s", cases[i].args,
		    out);
	}
	cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM class WHERE class_id = ? "
				"AND allowed_cidrs = '' AND flag_on_focus_loss",
			 "I", cls),
	    1, "nothing changed");
	cr_assert_eq(audits(cls), 0);
	cr_assert_eq(it_admin_sh(out, sizeof(out),
			 "class-policy show 999999999"),
	    1);
	cr_assert(strstr(out, "no class"), "%s", out);
}

Test(classpolicy, the_classes_csv_sets_the_policy_columns)
{
	char out[2048], *path, dept[64];
	long long cls;

	IT_REQUIRE_STACK();
	snprintf(dept, sizeof(dept), "Policy %s", it_uniq());
	cr_assert_eq(it_sql("INSERT INTO department (department_name) VALUES "
			    "(?)",
			 "s", dept),
	    DB_OK);
	path = it_tmpfile("classes.csv",
	    "department,batch,semester,section,allowed_cidrs,"
	    "flag_on_focus_loss\n"
	    "%s,2026,3,A,\"10.30.0.0/16,2001:db8:30::/48\",false\n"
	    "%s,2026,3,B,,\n",
	    dept, dept);
	cr_assert_eq(it_admin_sh(out, sizeof(out), "import classes %s", path),
	    0, "%s", out);
	cls = it_sql_int("SELECT class_id FROM class c JOIN department d USING "
			 "(department_id) WHERE d.department_name = ? AND "
			 "section = 'A'",
	    "s", dept);
	cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM class WHERE class_id = ? "
				"AND allowed_cidrs = '10.30.0.0/16,"
				"2001:db8:30::/48' AND NOT flag_on_focus_loss",
			 "I", cls),
	    1);
	cr_assert_eq(audits(cls), 2);
	/* a bad network is a FILE:LINE error and nothing is imported */
	path = it_tmpfile("classes.csv",
	    "department,batch,semester,section,allowed_cidrs\n"
	    "%s,2026,3,C,10.0.0.0/8\n"
	    "%s,2026,3,A,10.0.0.0/40\n",
	    dept, dept);
	cr_assert_eq(it_admin_sh(out, sizeof(out), "import classes %s", path),
	    1, "%s", out);
	cr_assert(strstr(out, ":3:") && strstr(out, "10.0.0.0/40"), "%s", out);
	cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM class c JOIN department "
				"d USING (department_id) WHERE "
				"d.department_name = ? AND section = 'C'",
			 "s", dept),
	    0);
	cr_assert_eq(audits(cls), 2);
}
