/*
 * policycheck.c - owns the rules for a class's policy values other than
 * the network list and the focus-loss flag: each value's form and range,
 * and the checks that need the whole policy (a rotation period must fit
 * the class's window length; a geofence radius needs the room's centre).
 * classpolicy.c calls in for a single value; the callers that set
 * several (the teacher's screen, the CLI, the CSV import) call
 * policycheck_class once they are all written, inside their transaction,
 * so a policy is never stored half-checked.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "db.h"
#include "geofence.h"
#include "policycheck.h"
#include "rotation.h"

const char *const policycheck_keys[] = { "online_default", "window_ttl",
	"rotate_every", "rotate_overlap", "slow_margin_ms", "flag_slow",
	"geofence_lat", "geofence_lon", "geofence_radius", "geofence_accuracy",
	"geofence_missing", NULL };

/* An integer key's range; 0 as a value means "off" where noted. */
static const struct range {
	const char *key;
	long lo, hi;
	int zero_ok;
	const char *unit;
} ranges[] = {
	{ "window_ttl", 5, 600, 1, "seconds (0: OTP_TTL)" },
	{ "rotate_every", ROTATION_MIN_EVERY, 600, 1, "seconds (0: off)" },
	{ "rotate_overlap", 0, ROTATION_MAX_OVERLAP, 1, "seconds" },
	{ "slow_margin_ms", 0, 600000, 1, "milliseconds" },
	{ "geofence_radius", GEOFENCE_MIN_RADIUS, GEOFENCE_MAX_RADIUS, 1,
	    "metres (0: no geofence)" },
	{ "geofence_accuracy", GEOFENCE_MIN_ACCURACY, GEOFENCE_MAX_ACCURACY, 0,
	    "metres" },
};

int
policycheck_owns(const char *key)
{
	int i;

	for (i = 0; policycheck_keys[i]; i++)
		if (strcmp(key, policycheck_keys[i]) == 0)
			return 1;
	return 0;
}

static const char *
boolean(const char *key, const char *v, char *err, size_t errlen)
{
	static const char *const yes[] = { "1", "true", "yes", "on", NULL };
	static const char *const no[] = { "0", "false", "no", "off", NULL };
	int i;

	for (i = 0; yes[i]; i++)
		if (strcasecmp(v, yes[i]) == 0)
			return "1";
	for (i = 0; no[i]; i++)
		if (strcasecmp(v, no[i]) == 0)
			return "0";
	snprintf(err, errlen, "%s must be true or false, not '%.40s'", key, v);
	return NULL;
}

static const char *
integer(struct arena *ar, const struct range *g, const char *v, char *err,
    size_t errlen)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(v, &end, 10);
	if (*v == '\0' || *end != '\0' || errno != 0 ||
	    !((n == 0 && g->zero_ok) || (n >= g->lo && n <= g->hi))) {
		snprintf(err, errlen, "%s must be %s%ld to %ld %s, not '%.40s'",
		    g->key, g->zero_ok && g->lo > 0 ? "0 or " : "", g->lo,
		    g->hi, g->unit, v);
		return NULL;
	}
	return arena_printf(ar, "%ld", n);
}

/* A latitude or longitude in degrees, at most 7 decimals (about 1 cm). */
static const char *
degrees(struct arena *ar, const char *key, const char *v, double max, char *err,
    size_t errlen)
{
	const char *dot = strchr(v, '.');
	char *end;
	double d;

	errno = 0;
	d = strtod(v, &end);
	if (*v == '\0' || *end != '\0' || errno != 0 || !(d >= -max) ||
	    !(d <= max) || (dot && strlen(dot + 1) > 7) ||
	    strspn(v, "+-0123456789.") != strlen(v)) {
		snprintf(err, errlen,
		    "%s must be a number of degrees from %g to %g, not "
		    "'%.40s'",
		    key, -max, max, v);
		return NULL;
	}
	return arena_printf(ar, "%.15g", d);
}

const char *
policycheck_value(struct arena *ar, const char *key, const char *value,
    char *err, size_t errlen)
{
	size_t i;

	if (strcmp(key, "online_default") == 0 || strcmp(key, "flag_slow") == 0)
		return boolean(key, value, err, errlen);
	if (strcmp(key, "geofence_lat") == 0)
		return degrees(ar, key, value, 90, err, errlen);
	if (strcmp(key, "geofence_lon") == 0)
		return degrees(ar, key, value, 180, err, errlen);
	if (strcmp(key, "geofence_missing") == 0) {
		if (strcmp(value, "allow") == 0 || strcmp(value, "flag") == 0 ||
		    strcmp(value, "refuse") == 0)
			return value;
		snprintf(err, errlen,
		    "geofence_missing must be allow, flag or refuse, not "
		    "'%.40s'",
		    value);
		return NULL;
	}
	for (i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++)
		if (strcmp(key, ranges[i].key) == 0)
			return integer(ar, &ranges[i], value, err, errlen);
	snprintf(err, errlen, "unknown policy '%.40s'", key);
	return NULL;
}

/* The rotation against the length the class's windows will have. */
static int
check_rotation(const struct config *cfg, long ttl, long every, long overlap,
    char *err, size_t errlen)
{
	char why[200];

	if (ttl != 0 && (ttl < cfg->otp_ttl_min || ttl > cfg->otp_ttl_max)) {
		snprintf(err, errlen,
		    "window_ttl must be 0 (OTP_TTL) or within %ld..%ld seconds "
		    "(OTP_TTL_MIN..OTP_TTL_MAX)",
		    cfg->otp_ttl_min, cfg->otp_ttl_max);
		return -1;
	}
	if (ttl == 0)
		ttl = cfg->otp_ttl;
	if (rotation_check(every, overlap, ttl, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "%s (the window is %ld s)", why, ttl);
		return -1;
	}
	return 0;
}

int
policycheck_class(struct db *db, struct arena *ar, const struct config *cfg,
    long long class_id, char *err, size_t errlen)
{
	struct db_rows c;
	double lat, lon;
	long radius;
	int rc;

	if ((rc = db_query_one(db, ar, &c,
		 "SELECT window_ttl, rotate_every, rotate_overlap, "
		 "geofence_lat, geofence_lon, geofence_radius, "
		 "geofence_accuracy, geofence_missing FROM class "
		 "WHERE class_id = ?",
		 "I", class_id)) != DB_OK) {
		snprintf(err, errlen,
		    rc == DB_NOTFOUND ? "no class %lld"
				      : "the database refused class %lld",
		    class_id);
		return rc == DB_NOTFOUND ? -1 : POLICYCHECK_DB;
	}
	if (check_rotation(cfg, (long)db_get_int(&c, 0, 0),
		(long)db_get_int(&c, 0, 1), (long)db_get_int(&c, 0, 2), err,
		errlen) < 0)
		return -1;
	radius = (long)db_get_int(&c, 0, 5);
	if (radius == 0)
		return 0;
	lat = strtod(db_get(&c, 0, 3), NULL);
	lon = strtod(db_get(&c, 0, 4), NULL);
	if (lat == 0 && lon == 0) {
		snprintf(err, errlen,
		    "a geofence needs the classroom's centre: set geofence_lat "
		    "and geofence_lon with geofence_radius");
		return -1;
	}
	return geofence_check(lat, lon, radius, (long)db_get_int(&c, 0, 6),
	    db_get(&c, 0, 7), NULL, err, errlen);
}
