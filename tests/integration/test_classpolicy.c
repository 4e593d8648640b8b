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

Test(classpolicy, the_window_rotation_slow_and_geofence_keys_are_settable)
{
	char out[2048];
	long long cls;

	IT_REQUIRE_STACK();
	cls = itauth_class("G");
	cr_assert_eq(
	    it_admin_sh(out, sizeof(out),
		"class-policy set %lld online_default=true "
		"window_ttl=40 rotate_every=10 rotate_overlap=3 "
		"slow_margin_ms=2000 flag_slow=yes geofence_lat=12.9716 "
		"geofence_lon=77.5946 geofence_radius=120 "
		"geofence_accuracy=40 geofence_missing=refuse",
		cls),
	    0, "%s", out);
	cr_assert(strstr(out, "rotate_every=10\n"), "%s", out);
	cr_assert(strstr(out, "geofence_lat=12.9716\n"), "%s", out);
	cr_assert(strstr(out, "geofence_missing=refuse\n"), "%s", out);
	cr_assert(strstr(out, "flag_slow=true\n"), "%s", out);
	cr_assert_eq(audits(cls), 11);
	/* the whole is checked on each change: a shorter window than the
	 * rotation fits is refused */
	cr_assert_eq(it_admin_sh(out, sizeof(out),
			 "class-policy set %lld "
			 "window_ttl=25",
			 cls),
	    1, "%s", out);
	cr_assert(strstr(out, "does not divide the 25s window"), "%s", out);
	cr_assert_eq(it_sql_int("SELECT window_ttl FROM class WHERE class_id "
				"= ?",
			 "I", cls),
	    40);
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
		/* the keys of migration 020, and their combinations */
		{ "window_ttl=40 rotate_every=15", "does not divide" },
		{ "window_ttl=40 rotate_every=25", "fewer than two codes" },
		{ "window_ttl=700", "window_ttl must be 0 or 5 to 600" },
		{ "geofence_radius=100", "needs the classroom's centre" },
		{ "geofence_lat=12.97 geofence_lon=77.59 geofence_radius=9",
		    "geofence_radius must be 0 or 20 to 5000" },
		{ "geofence_missing=sometimes", "allow, flag or refuse" },
		{ "flag_slow=perhaps", "flag_slow must be true or false" },
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
	cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM class WHERE class_id = ? "
				"AND window_ttl = 0 AND rotate_every = 0 AND "
				"geofence_radius = 0 AND geofence_lat = 0",
			 "I", cls),
	    1, "nothing of the 020 keys changed");
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
	    "flag_on_focus_loss,window_ttl,rotate_every,geofence_lat,"
	    "geofence_lon,geofence_radius,geofence_missing,flag_slow\n"
	    "%s,2026,3,A,\"10.30.0.0/16,2001:db8:30::/48\",false,"
	    "30,10,28.6139,77.209,200,flag,true\n"
	    "%s,2026,3,B,,,,,,,,,\n",
	    dept, dept);
	cr_assert_eq(it_admin_sh(out, sizeof(out), "import classes %s", path),
	    0, "%s", out);
	cls = it_sql_int("SELECT class_id FROM class c JOIN department d USING "
			 "(department_id) WHERE d.department_name = ? AND "
			 "section = 'A'",
	    "s", dept);
	cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM class WHERE class_id = ? "
				"AND allowed_cidrs = '10.30.0.0/16,"
				"2001:db8:30::/48' AND NOT flag_on_focus_loss "
				"AND window_ttl = 30 AND rotate_every = 10 AND "
				"geofence_radius = 200 AND geofence_missing = "
				"'flag' AND flag_slow",
			 "I", cls),
	    1);
	cr_assert_eq(audits(cls), 9);
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
	cr_assert_eq(audits(cls), 9);
}
