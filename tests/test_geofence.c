/*
 * test_geofence.c - the classroom geofence: policy messages, distances,
 * and the verdict on a position with its accuracy.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "geofence.h"

struct policy_case {
	double lat, lon;
	long radius, accuracy;
	const char *missing;
	const char *message; /* NULL: accepted */
};

static struct policy_case policies[] = {
	{ 12.97, 77.59, 100, 50, "allow", NULL },
	{ -33.9, 151.2, 20, 5, "refuse", NULL },
	{ 91, 0, 100, 50, "allow", "latitude between -90 and 90" },
	{ 0, -181, 100, 50, "allow", "longitude between -180 and 180" },
	{ NAN, 0, 100, 50, "allow", "latitude" },
	{ 0, 0, 19, 50, "allow",
	    "geofence_radius must be between 20 and 5000" },
	{ 0, 0, 5001, 50, "allow", "geofence_radius must be between" },
	{ 0, 0, 100, 4, "allow", "geofence_accuracy must be between 5 and" },
	{ 0, 0, 100, 50, "maybe", "one of allow|flag|refuse, not 'maybe'" },
};

Test(geofence, a_policy_is_checked_with_clear_messages)
{
	size_t i;

	for (i = 0; i < sizeof(policies) / sizeof(policies[0]); i++) {
		struct policy_case *p = &policies[i];
		enum geofence_missing m = GEOFENCE_MISSING_ALLOW;
		char err[256] = "";
		int rc = geofence_check(p->lat, p->lon, p->radius, p->accuracy,
		    p->missing, &m, err, sizeof(err));

		if (p->message == NULL) {
			cr_expect_eq(rc, 0, "case %zu: %s", i, err);
		} else {
			cr_expect_eq(rc, -1, "case %zu", i);
			cr_expect(strstr(err, p->message) != NULL,
			    "case %zu: '%s'", i, err);
		}
	}
}

Test(geofence, distances_are_great_circle_metres)
{
	/* one degree of latitude is about 111.2 km */
	cr_assert_float_eq(geofence_distance_m(0, 0, 1, 0), 111195, 50);
	cr_assert_float_eq(geofence_distance_m(12.97, 77.59, 12.97, 77.59), 0,
	    0.001);
}

struct judge_case {
	double dlat; /* north of the centre, degrees */
	int has_pos;
	double accuracy;
	enum geofence_result want;
};

/* radius 100 m, positions coarser than 50 m cannot tell */
static struct judge_case judges[] = {
	{ 0.0005, 1, 10, GEOFENCE_INSIDE },  /* ~56 m */
	{ 0.0010, 1, 60, GEOFENCE_INSIDE },  /* ~111 m, but +-60 m */
	{ 0.0100, 1, 20, GEOFENCE_OUTSIDE }, /* ~1.1 km, sure */
	{ 0.0100, 1, 500, GEOFENCE_UNSURE }, /* ~1.1 km, too coarse */
	{ 0, 0, 0, GEOFENCE_UNSURE },        /* no position */
};

Test(geofence, a_position_is_judged_with_its_accuracy)
{
	struct geofence g = { 12.97, 77.59, 100, 50, GEOFENCE_MISSING_FLAG };
	struct geofence off = { 0, 0, 0, 50, GEOFENCE_MISSING_ALLOW };
	long d;
	size_t i;

	for (i = 0; i < sizeof(judges) / sizeof(judges[0]); i++) {
		struct judge_case *c = &judges[i];

		cr_expect_eq(geofence_judge(&g, c->has_pos, g.lat + c->dlat,
				 g.lon, c->accuracy, &d),
		    c->want, "case %zu", i);
	}
	geofence_judge(&g, 1, g.lat + 0.01, g.lon, 20, &d);
	cr_assert(d > 1100 && d < 1125, "the distance is evidence: %ld", d);
	cr_assert_eq(geofence_judge(&off, 1, 0, 0, 5, &d), GEOFENCE_OFF);
}

/* A submit body's "position": absent is none; present, it is checked. */
static const struct pos_case {
	const char *body;
	int ok, has;
} positions[] = {
	{ "{}", 1, 0 },
	{ "{\"position\":null}", 1, 0 },
	{ "{\"position\":{\"lat\":12.97,\"lon\":77.59,\"accuracy\":15}}", 1,
	    1 },
	{ "{\"position\":{\"lat\":-90,\"lon\":180,\"accuracy\":100000}}", 1,
	    1 },
	{ "{\"position\":{\"lat\":90.1,\"lon\":0,\"accuracy\":5}}", 0, 0 },
	{ "{\"position\":{\"lat\":0,\"lon\":-180.5,\"accuracy\":5}}", 0, 0 },
	{ "{\"position\":{\"lat\":0,\"lon\":0,\"accuracy\":0}}", 0, 0 },
	{ "{\"position\":{\"lat\":0,\"lon\":0,\"accuracy\":100001}}", 0, 0 },
	{ "{\"position\":{\"lat\":\"0\",\"lon\":0,\"accuracy\":5}}", 0, 0 },
	{ "{\"position\":{\"lat\":0,\"lon\":0}}", 0, 0 },
	{ "{\"position\":[0,0,5]}", 0, 0 },
};

Test(geofence, a_submitted_position_is_read_and_range_checked)
{
	struct geofence_pos p;
	char err[200];
	size_t i;

	for (i = 0; i < sizeof(positions) / sizeof(positions[0]); i++) {
		json_t *b = json_loads(positions[i].body, 0, NULL);

		cr_assert_not_null(b);
		cr_expect_eq(geofence_position(b, &p, err, sizeof(err)),
		    positions[i].ok ? 0 : -1, "case %zu", i);
		if (positions[i].ok)
			cr_expect_eq(p.has, positions[i].has, "case %zu", i);
		else
			cr_expect(strstr(err, "'position' must be"), "%s", err);
		json_decref(b);
	}
}

/* What a position earns: outside R, unsure per the missing policy. */
static const struct mark_case {
	enum geofence_missing missing;
	int has;
	double dlat, accuracy;
	enum geofence_mark want;
} marks[] = {
	{ GEOFENCE_MISSING_ALLOW, 1, 0.0001, 10, GEOFENCE_MARK_P },
	{ GEOFENCE_MISSING_ALLOW, 1, 0.01, 10, GEOFENCE_MARK_R },
	{ GEOFENCE_MISSING_ALLOW, 1, 0.01, 900, GEOFENCE_MARK_P },
	{ GEOFENCE_MISSING_FLAG, 1, 0.01, 900, GEOFENCE_MARK_R },
	{ GEOFENCE_MISSING_FLAG, 0, 0, 0, GEOFENCE_MARK_R },
	{ GEOFENCE_MISSING_REFUSE, 0, 0, 0, GEOFENCE_MARK_REFUSE },
	{ GEOFENCE_MISSING_REFUSE, 1, 0.0001, 10, GEOFENCE_MARK_P },
};

Test(geofence, a_position_earns_a_mark_by_the_policy)
{
	struct geofence g = { 12.97, 77.59, 100, 50, GEOFENCE_MISSING_ALLOW };
	struct geofence off = { 0, 0, 0, 50, GEOFENCE_MISSING_REFUSE };
	struct geofence_pos none = { 0 };
	size_t i;
	long d;

	for (i = 0; i < sizeof(marks) / sizeof(marks[0]); i++) {
		struct geofence_pos p = { marks[i].has, g.lat + marks[i].dlat,
			g.lon, marks[i].accuracy };

		g.missing = marks[i].missing;
		cr_expect_eq(geofence_mark(&g, &p, &d), marks[i].want,
		    "case %zu", i);
	}
	cr_expect_eq(geofence_mark(&off, &none, &d), GEOFENCE_MARK_P,
	    "no geofence: nothing to refuse");
	cr_expect_eq(geofence_missing_of("refuse"), GEOFENCE_MISSING_REFUSE);
	cr_expect_eq(geofence_missing_of("nonsense"), GEOFENCE_MISSING_ALLOW);
}
