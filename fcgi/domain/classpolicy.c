/*
 * classpolicy.c - the one writer of a class's anti-proxy policy, used by
 * ehazira-admin class-policy and the classes CSV import:
 *
 *   allowed_cidrs       campus networks a submit must come from, a comma
 *                       list of IPv4/IPv6 CIDRs ("" = anywhere); the one
 *                       defence against a code relayed by chat inside the
 *                       window.  Online sessions are exempt (submit.c).
 *   flag_on_focus_loss  a correct code after the app lost focus is R.
 *   the rest            online default, window length, rotation, slow
 *                       margin and flag, geofence: policycheck.c's.
 *   require_uv          every submit carries a WebAuthn assertion made
 *                       with the phone's screen lock (passkey.c).
 *
 * A window copies the policy when it opens (attendance.c), so a change
 * never applies half-way through a window.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "audit.h"
#include "cidr.h"
#include "classpolicy.h"
#include "db.h"
#include "policycheck.h"

const char *const classpolicy_keys[] = { "allowed_cidrs", "flag_on_focus_loss",
	/* policycheck.c's: */
	"online_default", "window_ttl", "rotate_every", "rotate_overlap",
	"slow_margin_ms", "flag_slow", "geofence_lat", "geofence_lon",
	"geofence_radius", "geofence_accuracy", "geofence_missing",
	"require_uv", NULL };

/* "1"/"0" for a boolean word, NULL if it is none. */
static const char *
boolean(const char *v)
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
	return NULL;
}

/* The stored form of value for key, or NULL with err set. */
static const char *
normalise(const char *key, const char *value, char *err, size_t errlen)
{
	const char *b;

	if (strcmp(key, "allowed_cidrs") == 0) {
		if (strlen(value) > 1024) {
			snprintf(err, errlen,
			    "allowed_cidrs is longer than 1024 characters");
			return NULL;
		}
		return cidr_list_valid(value, err, errlen) ? value : NULL;
	}
	if (strcmp(key, "flag_on_focus_loss") == 0 ||
	    strcmp(key, "require_uv") == 0) {
		if ((b = boolean(value)) == NULL)
			snprintf(err, errlen,
			    "%s must be true or false, not '%.40s'", key,
			    value);
		return b;
	}
	snprintf(err, errlen,
	    "unknown policy '%.40s' (allowed_cidrs, flag_on_focus_loss, "
	    "online_default, window_ttl, rotate_every, rotate_overlap, "
	    "slow_margin_ms, flag_slow, geofence_lat, geofence_lon, "
	    "geofence_radius, geofence_accuracy, geofence_missing, "
	    "require_uv)",
	    key);
	return NULL;
}

int
classpolicy_set(struct db *db, struct arena *ar, long long class_id,
    const char *key, const char *value, const char *actor, char *err,
    size_t errlen)
{
	struct db_rows rows;
	const char *v = policycheck_owns(key)
	    ? policycheck_value(ar, key, value, err, errlen)
	    : normalise(key, value, err, errlen);
	const char *old;
	int rc;

	if (v == NULL)
		return -1;
	/* key is one of the names checked above: safe to splice */
	rc = db_query_one(db, ar, &rows,
	    arena_printf(ar,
		"SELECT CAST(%s AS CHAR) FROM class WHERE class_id = ? "
		"FOR UPDATE",
		key),
	    "I", class_id);
	if (rc != DB_OK) {
		snprintf(err, errlen,
		    rc == DB_NOTFOUND ? "no class %lld"
				      : "the database refused class %lld",
		    class_id);
		return rc == DB_NOTFOUND ? -1 : CLASSPOLICY_DB;
	}
	old = db_get(&rows, 0, 0);
	if (old && strcmp(old, v) == 0)
		return 0;
	if (db_exec(db,
		arena_printf(ar, "UPDATE class SET %s = ? WHERE class_id = ?",
		    key),
		"sI", v, class_id) != DB_OK ||
	    audit_write_detail(db, actor, "class.policy",
		arena_printf(ar, "class %lld", class_id), old, v,
		"takes effect from the next window", key) != DB_OK) {
		snprintf(err, errlen, "the database refused the change");
		return CLASSPOLICY_DB;
	}
	return 0;
}
