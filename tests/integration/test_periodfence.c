/*
 * test_periodfence.c - a timetable period's own geofence (a class that
 * meets in another room), set with ehazira-admin period-geofence and the
 * periods CSV: it overrides the class's centre and radius for the
 * period's windows (a position at the class's room is then outside),
 * the other periods keep the class's, a change during an open window
 * applies from the next one, and bad values are refused with a message,
 * changing nothing.  Every change is an audit row period.geofence.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "itadmin.h"
#include "itauth.h"
#include "itclass.h"

static void
setup(void)
{
	it_tmpdir("pfence");
	if (it_url())
		it_config(); /* exports EHAZIRA_CONF for the child */
}

TestSuite(periodfence, .init = setup, .fini = it_tmpdir_remove);

/* The class's room and, 1.1 km north, the lab one period meets in. */
#define ROOM "\"lat\":12.9716,\"lon\":77.5946,\"accuracy\":15"
#define LAB "\"lat\":12.9816,\"lon\":77.5946,\"accuracy\":15"

static long long
audits(long long period_id)
{
	char subject[64];

	snprintf(subject, sizeof(subject), "period %lld", period_id);
	return it_sql_int("SELECT COUNT(*) FROM audit_log WHERE action = "
			  "'period.geofence' AND subject = ? AND actor = "
			  "'admin'",
	    "s", subject);
}

/* Student i of k submits otp from position pos; the status it got. */
static char
submit_from(const struct it_class *k, int i, long long sid, const char *otp,
    const char *pos)
{
	struct it_resp r;
	char body[256], st;

	snprintf(body, sizeof(body),
	    "{\"session_id\":%lld,\"otp\":\"%s\",\"position\":{%s}}", sid, otp,
	    pos);
	cr_assert_eq(it_post_json("/attendance/submit", k->tokens[i], body, &r),
	    0);
	cr_assert_eq(r.status, 200, "%s", r.body);
	st = json_string_value(json_object_get(r.json, "status"))[0];
	it_resp_free(&r);
	return st;
}

static long long
distance(const struct it_class *k, int i, long long sid)
{
	return it_sql_int("SELECT COALESCE(geo_distance_m, -1) FROM "
			  "attendance WHERE session_id = ? AND "
			  "student_email = ?",
	    "Is", sid, k->students[i]);
}

/* k with a 100 m class geofence at ROOM and a second period (its id). */
static long long
fenced_class(struct it_class *k)
{
	it_class_make(k, "pfence", 6, "ANDROID");
	cr_assert_eq(it_sql("UPDATE class SET geofence_lat = 12.9716, "
			    "geofence_lon = 77.5946, geofence_radius = 100, "
			    "geofence_accuracy = 50, geofence_missing = "
			    "'flag' WHERE class_id = ?",
			 "I", k->class_id),
	    DB_OK);
	cr_assert_eq(it_sql("INSERT INTO period (subject_id, day_of_week, "
			    "period_no) VALUES (?, 2, 2)",
			 "I", k->subject_id),
	    DB_OK);
	return it_sql_int("SELECT period_id FROM period WHERE subject_id = ? "
			  "AND period_no = 2",
	    "I", k->subject_id);
}

Test(periodfence, a_period_s_own_geofence_overrides_the_class_s, .timeout = 60)
{
	struct it_class k;
	char out[2048], otp[5];
	long long lab_period, other, sid;

	IT_REQUIRE_STACK();
	other = fenced_class(&k);
	lab_period = k.period_id;
	cr_assert_eq(it_admin_sh(out, sizeof(out),
			 "period-geofence set %lld geofence_lat=12.9816 "
			 "geofence_lon=77.5946 geofence_radius=100",
			 lab_period),
	    0, "%s", out);
	cr_assert(strstr(out, "geofence=12.9816,77.5946,100"), "%s", out);
	cr_assert_eq(audits(lab_period), 1);
	sid = it_class_initiate(&k, otp);
	/* in the lab period, the class's room is 1.1 km out: R */
	cr_assert_eq(submit_from(&k, 0, sid, otp, ROOM), 'R');
	cr_assert_geq(distance(&k, 0, sid), 1100);
	cr_assert_leq(distance(&k, 0, sid), 1125);
	/* dropped during the window: this window keeps the lab */
	cr_assert_eq(it_admin_sh(out, sizeof(out),
			 "period-geofence set %lld geofence_radius=class",
			 lab_period),
	    0, "%s", out);
	cr_assert(strstr(out, "geofence=class"), "%s", out);
	cr_assert_eq(submit_from(&k, 1, sid, otp, LAB), 'P');
	cr_assert_leq(distance(&k, 1, sid), 20);
	it_class_close(k.teacher_tok, sid);
	/* the next window has the class's room again */
	cr_assert_eq(it_class_initiate(&k, otp), sid);
	cr_assert_eq(submit_from(&k, 2, sid, otp, ROOM), 'P');
	cr_assert_eq(submit_from(&k, 3, sid, otp, LAB), 'R');
	it_class_close(k.teacher_tok, sid);
	/* and the other period, which never had its own: the class's */
	k.period_id = other;
	sid = it_class_initiate(&k, otp);
	cr_assert_eq(submit_from(&k, 4, sid, otp, ROOM), 'P');
	cr_assert_eq(submit_from(&k, 5, sid, otp, LAB), 'R');
	cr_assert_geq(distance(&k, 5, sid), 1100);
	it_class_close(k.teacher_tok, sid);
	cr_assert_eq(audits(lab_period), 2);
}

Test(periodfence, radius_0_turns_the_class_s_geofence_off_for_the_period,
    .timeout = 40)
{
	struct it_class k;
	char out[2048], otp[5];
	long long sid;

	IT_REQUIRE_STACK();
	fenced_class(&k);
	cr_assert_eq(it_admin_sh(out, sizeof(out),
			 "period-geofence set %lld geofence_radius=0",
			 k.period_id),
	    0, "%s", out);
	cr_assert(strstr(out, "geofence=off"), "%s", out);
	sid = it_class_initiate(&k, otp);
	cr_assert_eq(submit_from(&k, 0, sid, otp, LAB), 'P');
	cr_assert_eq(distance(&k, 0, sid), -1, "no geofence: no distance");
	it_class_close(k.teacher_tok, sid);
}

static const struct bad {
	char args[96];
	int rc;
	char says[64];
} bad[] = {
	{ "geofence_radius=100", 1, "needs the classroom's centre" },
	{ "geofence_lat=12.97 geofence_lon=77.59 geofence_radius=10", 1,
	    "20 to 5000 metres" },
	{ "geofence_lat=12.97 geofence_lon=77.59 geofence_radius=6000", 1,
	    "20 to 5000 metres" },
	{ "geofence_radius=near", 1, "or class (the class's)" },
	{ "geofence_lat=95 geofence_lon=77.59 geofence_radius=100", 1,
	    "geofence_lat must be a number of degrees from -90 to 90" },
	{ "geofence_lat=12.97 geofence_lon=181 geofence_radius=100", 1,
	    "geofence_lon must be a number of degrees from -180 to 180" },
	{ "geofence_lat=12.97 geofence_lon=77.59", 1,
	    "need its geofence_radius" },
	{ "geofence_lat=0 geofence_lon=0 geofence_radius=100", 1,
	    "needs the classroom's centre" },
	{ "geofence_lat=12.97 geofence_radius=class", 1,
	    "set no geofence_lat" },
	{ "radius=100", 2, "is not geofence_lat=" },
	{ "", 2, "usage" },
};

Test(periodfence, bad_values_are_refused_with_a_message_and_change_nothing)
{
	struct it_class k;
	char out[2048];
	size_t i;

	IT_REQUIRE_STACK();
	fenced_class(&k);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_assert_eq(it_admin_sh(out, sizeof(out),
				 "period-geofence set %lld %s", k.period_id,
				 bad[i].args),
		    bad[i].rc, "%s: %s", bad[i].args, out);
		cr_assert(strstr(out, bad[i].says), "%s: %s", bad[i].args, out);
	}
	cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM period WHERE period_id "
				"= ? AND geofence_lat IS NULL AND "
				"geofence_lon IS NULL AND geofence_radius IS "
				"NULL",
			 "I", k.period_id),
	    1, "nothing changed");
	cr_assert_eq(audits(k.period_id), 0);
	cr_assert_eq(it_admin_sh(out, sizeof(out),
			 "period-geofence show 999999999"),
	    1);
	cr_assert(strstr(out, "no period"), "%s", out);
	cr_assert_eq(it_admin_sh(out, sizeof(out), "period-geofence list %lld",
			 k.class_id),
	    0, "%s", out);
	cr_assert(strstr(out, "geofence=class"), "%s", out);
}

Test(periodfence, the_periods_csv_sets_a_period_s_geofence)
{
	struct it_class k;
	char out[2048], dept[64], *path;
	long long p2;

	IT_REQUIRE_STACK();
	p2 = fenced_class(&k);
	snprintf(dept, sizeof(dept), "PFence %s", it_uniq());
	cr_assert_eq(it_sql("UPDATE department SET department_name = ? WHERE "
			    "department_id = ?",
			 "sI", dept, k.department_id),
	    DB_OK);
	path = it_tmpfile("periods.csv",
	    "course_id,department,batch,semester,section,day_of_week,"
	    "period_no,geofence_lat,geofence_lon,geofence_radius\n"
	    "%s,%s,2025,1,A,1,1,12.9816,77.5946,80\n"
	    "%s,%s,2025,1,A,2,2,,,\n",
	    k.course, dept, k.course, dept);
	cr_assert_eq(it_admin_sh(out, sizeof(out), "import periods %s", path),
	    0, "%s", out);
	cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM period WHERE period_id "
				"= ? AND ABS(geofence_lat - 12.9816) < 1e-9 "
				"AND geofence_radius = 80",
			 "I", k.period_id),
	    1);
	cr_assert_eq(it_sql_int("SELECT COUNT(*) FROM period WHERE period_id "
				"= ? AND geofence_radius IS NULL",
			 "I", p2),
	    1, "empty cells keep the class's");
	cr_assert_eq(audits(k.period_id), 1);
	/* importing it again changes nothing */
	cr_assert_eq(it_admin_sh(out, sizeof(out), "import periods %s", path),
	    0, "%s", out);
	cr_assert_eq(audits(k.period_id), 1);
	/* a bad row is FILE:LINE: reason, and no row of the file applies */
	path = it_tmpfile("periods.csv",
	    "course_id,department,batch,semester,section,day_of_week,"
	    "period_no,geofence_lat,geofence_lon,geofence_radius\n"
	    "%s,%s,2025,1,A,1,1,,,class\n"
	    "%s,%s,2025,1,A,2,2,,,150\n",
	    k.course, dept, k.course, dept);
	cr_assert_eq(it_admin_sh(out, sizeof(out), "import periods %s", path),
	    1, "%s", out);
	cr_assert(strstr(out, ":3:") && strstr(out, "classroom's centre"), "%s",
	    out);
	cr_assert_eq(it_sql_int("SELECT geofence_radius FROM period WHERE "
				"period_id = ?",
			 "I", k.period_id),
	    80, "the good row was not applied either");
	cr_assert_eq(audits(k.period_id), 1);
}
