/*
 * periodfence.c - owns a timetable period's own geofence: the rules for
 * setting it (the values as policycheck.c checks a class's; a radius
 * needs a centre; 0 is "none in this period"; "class" gives the class's
 * back), the writer and its audit row, used by ehazira-admin
 * period-geofence and the periods CSV import.
 *
 * Why per period: a class meets in more than one room (a lab, a hall),
 * and the class's one centre would put every student of the other room
 * outside.  Only where the room is moves: how accurate a position must
 * be and what a submission without one gets stay the class's.  The
 * window copies the period's geofence, or the class's when the period
 * has none, when it opens (attendance.c), so a change never applies
 * half-way through a window.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "db.h"
#include "periodfence.h"
#include "policycheck.h"

static const char *const keys[3] = { "geofence_lat", "geofence_lon",
	"geofence_radius" };

/* How people read a stored (lat, lon, radius); NULL radius: the class's. */
static const char *
describe(struct arena *ar, const char *const f[3])
{
	long radius;

	if (f[2] == NULL)
		return PERIODFENCE_CLASS;
	if ((radius = strtol(f[2], NULL, 10)) == 0)
		return "off";
	return arena_printf(ar, "%.15g,%.15g,%ld", strtod(f[0], NULL),
	    strtod(f[1], NULL), radius);
}

/* One typed value checked into its stored form, or NULL (err set). */
static const char *
checked(struct arena *ar, int i, const char *v, char *err, size_t errlen)
{
	const char *s = policycheck_value(ar, keys[i], v, err, errlen);

	if (s == NULL && i == 2)
		snprintf(err, errlen,
		    "a period's geofence_radius must be 0 (none in this "
		    "period), 20 to 5000 metres, or class (the class's), not "
		    "'%.40s'",
		    v);
	return s;
}

/*
 * The new (lat, lon, radius) from what is stored (cur) and what was
 * typed (in, NULL: keep); 0 or -1 with err set.
 */
static int
resolve(struct arena *ar, const char *const in[3], const char *const cur[3],
    const char *out[3], char *err, size_t errlen)
{
	int i;

	if (in[2] && strcmp(in[2], PERIODFENCE_CLASS) == 0) {
		if (in[0] || in[1]) {
			snprintf(err, errlen,
			    "geofence_radius=class gives the period the "
			    "class's geofence: set no geofence_lat or "
			    "geofence_lon with it");
			return -1;
		}
		out[0] = out[1] = out[2] = NULL;
		return 0;
	}
	for (i = 0; i < 3; i++)
		if ((out[i] = in[i] ? checked(ar, i, in[i], err, errlen)
				    : cur[i]) == NULL &&
		    in[i])
			return -1;
	if (out[2] == NULL) {
		if (out[0] == NULL && out[1] == NULL)
			return 0;
		snprintf(err, errlen,
		    "a period's geofence_lat and geofence_lon need its "
		    "geofence_radius (20 to 5000 metres, or 0 for none)");
		return -1;
	}
	if (strtol(out[2], NULL, 10) == 0) { /* none: a centre means nothing */
		out[0] = out[1] = NULL;
		return 0;
	}
	if (out[0] == NULL || out[1] == NULL ||
	    (strtod(out[0], NULL) == 0 && strtod(out[1], NULL) == 0)) {
		snprintf(err, errlen,
		    "a period's geofence needs the classroom's centre: set "
		    "geofence_lat and geofence_lon with geofence_radius");
		return -1;
	}
	return 0;
}

int
periodfence_set(struct db *db, struct arena *ar, long long period_id,
    const char *lat, const char *lon, const char *radius, const char *actor,
    char *err, size_t errlen)
{
	const char *in[3] = { lat, lon, radius }, *cur[3], *out[3], *was, *now;
	struct db_rows r;
	int rc, i;

	rc = db_query_one(db, ar, &r,
	    "SELECT CAST(geofence_lat AS CHAR), CAST(geofence_lon AS CHAR), "
	    "CAST(geofence_radius AS CHAR) FROM period WHERE period_id = ? "
	    "FOR UPDATE",
	    "I", period_id);
	if (rc != DB_OK) {
		snprintf(err, errlen,
		    rc == DB_NOTFOUND ? "no period %lld"
				      : "the database refused period %lld",
		    period_id);
		return rc == DB_NOTFOUND ? -1 : PERIODFENCE_DB;
	}
	for (i = 0; i < 3; i++)
		cur[i] = db_get(&r, 0, i);
	if (resolve(ar, in, cur, out, err, errlen) < 0)
		return -1;
	was = describe(ar, cur);
	now = describe(ar, out);
	if (strcmp(was, now) == 0)
		return 0;
	if (db_exec(db,
		"UPDATE period SET geofence_lat = ?, geofence_lon = ?, "
		"geofence_radius = ? WHERE period_id = ?",
		"sssI", out[0], out[1], out[2], period_id) != DB_OK ||
	    audit_write_detail(db, actor, "period.geofence",
		arena_printf(ar, "period %lld", period_id), was, now,
		"takes effect from the next window", "geofence") != DB_OK) {
		snprintf(err, errlen, "the database refused the change");
		return PERIODFENCE_DB;
	}
	return 0;
}

const char *
periodfence_describe(struct db *db, struct arena *ar, long long period_id)
{
	const char *f[3];
	struct db_rows r;
	int i;

	if (db_query_one(db, ar, &r,
		"SELECT CAST(geofence_lat AS CHAR), CAST(geofence_lon AS CHAR), "
		"CAST(geofence_radius AS CHAR) FROM period WHERE period_id = ?",
		"I", period_id) != DB_OK)
		return NULL;
	for (i = 0; i < 3; i++)
		f[i] = db_get(&r, 0, i);
	return describe(ar, f);
}
