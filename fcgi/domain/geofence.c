/*
 * geofence.c - owns the classroom geofence rules: validating a policy,
 * the distance between two positions, and the verdict on one submission's
 * position.  Pure: the position comes with the submit, the policy from
 * the window's copy of its class's (a change applies from the next
 * window).
 *
 * Why accuracy matters: a browser position may be off by hundreds of
 * metres indoors; only a position whose whole accuracy circle lies
 * outside the radius is evidence that the student is elsewhere, and one
 * too coarse to tell is treated as no position at all.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "geofence.h"

#define EARTH_RADIUS_M 6371008.8

static const char *const missing_names[] = { "allow", "flag", "refuse" };

int
geofence_check(double lat, double lon, long radius_m, long accuracy_m,
    const char *missing, enum geofence_missing *out, char *err, size_t errlen)
{
	size_t i;

	if (!(lat >= -90 && lat <= 90) || !(lon >= -180 && lon <= 180)) {
		snprintf(err, errlen,
		    "the classroom's position must be a latitude between -90 "
		    "and 90 and a longitude between -180 and 180");
		return -1;
	}
	if (radius_m < GEOFENCE_MIN_RADIUS || radius_m > GEOFENCE_MAX_RADIUS) {
		snprintf(err, errlen,
		    "geofence_radius must be between %d and %d metres",
		    GEOFENCE_MIN_RADIUS, GEOFENCE_MAX_RADIUS);
		return -1;
	}
	if (accuracy_m < GEOFENCE_MIN_ACCURACY ||
	    accuracy_m > GEOFENCE_MAX_ACCURACY) {
		snprintf(err, errlen,
		    "geofence_accuracy must be between %d and %d metres",
		    GEOFENCE_MIN_ACCURACY, GEOFENCE_MAX_ACCURACY);
		return -1;
	}
	for (i = 0; i < 3; i++)
		if (missing && strcmp(missing, missing_names[i]) == 0) {
			if (out)
				*out = (enum geofence_missing)i;
			return 0;
		}
	snprintf(err, errlen,
	    "geofence_missing must be one of allow|flag|refuse, not '%s'",
	    missing ? missing : "");
	return -1;
}

double
geofence_distance_m(double lat1, double lon1, double lat2, double lon2)
{
	const double rad = M_PI / 180;
	double dlat = (lat2 - lat1) * rad, dlon = (lon2 - lon1) * rad;
	double a = sin(dlat / 2) * sin(dlat / 2) +
	    cos(lat1 * rad) * cos(lat2 * rad) * sin(dlon / 2) * sin(dlon / 2);

	return 2 * EARTH_RADIUS_M * atan2(sqrt(a), sqrt(1 - a));
}

enum geofence_result
geofence_judge(const struct geofence *g, int has_pos, double lat, double lon,
    double accuracy_m, long *distance_m)
{
	double d;

	*distance_m = -1;
	if (g->radius_m <= 0)
		return GEOFENCE_OFF;
	if (!has_pos || !(lat >= -90 && lat <= 90) ||
	    !(lon >= -180 && lon <= 180) || !(accuracy_m >= 0))
		return GEOFENCE_UNSURE;
	d = geofence_distance_m(g->lat, g->lon, lat, lon);
	*distance_m = (long)lround(d);
	if (d <= g->radius_m + accuracy_m)
		return GEOFENCE_INSIDE;
	if (accuracy_m > g->accuracy_m)
		return GEOFENCE_UNSURE;
	return GEOFENCE_OUTSIDE;
}

/* A number member of o in [lo, hi] (lo excluded when open_lo). */
static int
number_in(json_t *o, const char *key, double lo, double hi, int open_lo,
    double *out)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_number(v))
		return -1;
	*out = json_number_value(v);
	return (open_lo ? *out > lo : *out >= lo) && *out <= hi ? 0 : -1;
}

int
geofence_position(json_t *body, struct geofence_pos *p, char *err,
    size_t errlen)
{
	json_t *o = json_object_get(body, "position");

	memset(p, 0, sizeof(*p));
	if (o == NULL || json_is_null(o))
		return 0;
	if (!json_is_object(o) ||
	    number_in(o, "lat", -90, 90, 0, &p->lat) < 0 ||
	    number_in(o, "lon", -180, 180, 0, &p->lon) < 0 ||
	    number_in(o, "accuracy", 0, 100000, 1, &p->accuracy) < 0) {
		snprintf(err, errlen,
		    "'position' must be {lat: -90..90, lon: -180..180, "
		    "accuracy: metres above 0, at most 100000}");
		return -1;
	}
	p->has = 1;
	return 0;
}

enum geofence_mark
geofence_mark(const struct geofence *g, const struct geofence_pos *p,
    long *distance_m)
{
	switch (geofence_judge(g, p->has, p->lat, p->lon, p->accuracy,
	    distance_m)) {
	case GEOFENCE_OUTSIDE:
		return GEOFENCE_MARK_R;
	case GEOFENCE_UNSURE:
		return g->missing == GEOFENCE_MISSING_FLAG ? GEOFENCE_MARK_R
		    : g->missing == GEOFENCE_MISSING_REFUSE
		    ? GEOFENCE_MARK_REFUSE
		    : GEOFENCE_MARK_P;
	case GEOFENCE_OFF:
	case GEOFENCE_INSIDE:
		break;
	}
	return GEOFENCE_MARK_P;
}

enum geofence_missing
geofence_missing_of(const char *name)
{
	size_t i;

	for (i = 0; name && i < 3; i++)
		if (strcmp(name, missing_names[i]) == 0)
			return (enum geofence_missing)i;
	return GEOFENCE_MISSING_ALLOW;
}
