/*
 * geofence.h - the optional classroom geofence: is a submission's
 * browser position (with the student's consent) inside the room's radius,
 * and what to do when it cannot tell.
 */
#ifndef EHZ_GEOFENCE_H
#define EHZ_GEOFENCE_H

#include <stddef.h>

#include <jansson.h>

#define GEOFENCE_MIN_RADIUS 20     /* m: GPS indoors is rarely better */
#define GEOFENCE_MAX_RADIUS 5000   /* m: a campus, not a city */
#define GEOFENCE_MIN_ACCURACY 5    /* m */
#define GEOFENCE_MAX_ACCURACY 1000 /* m */

/* What a submission without a usable position gets. */
enum geofence_missing {
	GEOFENCE_MISSING_ALLOW = 0, /* no evidence either way: P */
	GEOFENCE_MISSING_FLAG = 1,  /* R, for the teacher to look at */
	GEOFENCE_MISSING_REFUSE = 2 /* 403: share the position or no mark */
};

struct geofence {
	double lat, lon; /* the room's centre, degrees */
	long radius_m;   /* 0: no geofence */
	long accuracy_m; /* a position less accurate than this is unsure */
	enum geofence_missing missing;
};

enum geofence_result {
	GEOFENCE_OFF,     /* no geofence on this window */
	GEOFENCE_INSIDE,  /* within radius (counting the accuracy) */
	GEOFENCE_OUTSIDE, /* outside radius with good accuracy: R */
	GEOFENCE_UNSURE,  /* no position, or too coarse: g->missing says */
};

/*
 * Checks a policy: centre in range, radius and accuracy within the bounds
 * above, missing one of allow|flag|refuse (parsed into *missing when not
 * NULL).  0, or -1 with a message for people in err.
 */
int geofence_check(double lat, double lon, long radius_m, long accuracy_m,
    const char *missing, enum geofence_missing *out, char *err, size_t errlen);
/* Great-circle distance in metres (haversine, mean Earth radius). */
double geofence_distance_m(double lat1, double lon1, double lat2, double lon2);
/*
 * Where a submission's position is against g: has_pos 0 means none was
 * sent.  *distance_m gets the distance from the centre (evidence for the
 * teacher), -1 when there is none.
 */
enum geofence_result geofence_judge(const struct geofence *g, int has_pos,
    double lat, double lon, double accuracy_m, long *distance_m);

/* A position a submit brought (with the student's consent). */
struct geofence_pos {
	int has;         /* 0: none was sent */
	double lat, lon; /* degrees */
	double accuracy; /* m, the browser's radius of 68% confidence */
};

/*
 * Reads the optional "position" {lat, lon, accuracy} of a submit body:
 * absent or null is no position (p->has 0); present, each must be a
 * number in range (lat -90..90, lon -180..180, 0 < accuracy <= 100000 m).
 * 0, or -1 with a message for people in err.
 */
int geofence_position(json_t *body, struct geofence_pos *p, char *err,
    size_t errlen);

/* What a submission earns by its position. */
enum geofence_mark {
	GEOFENCE_MARK_P = 0,  /* no geofence, inside, or allowed unsure */
	GEOFENCE_MARK_R = 1,  /* outside, or unsure under "flag" */
	GEOFENCE_MARK_REFUSE, /* unsure under "refuse" */
};

/* geofence_judge and then the policy for an unsure one. */
enum geofence_mark geofence_mark(const struct geofence *g,
    const struct geofence_pos *p, long *distance_m);
/* A geofence_missing name (allow|flag|refuse) as the enum; allow else. */
enum geofence_missing geofence_missing_of(const char *name);

#endif
