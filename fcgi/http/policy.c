/*
 * policy.c - owns the teacher's side of class policy: reading a class's
 * policy with the bounds its screen needs, and changing it.  Only a
 * teacher of the class may do either (a subject of theirs in it; 404 for
 * no such class, 403 for someone else's).  A change goes through the one
 * writer (classpolicy.c: each value checked, each change an audit row
 * class.policy with the teacher as actor) and then the whole policy is
 * checked (policycheck.c) before the commit: a bad value or combination
 * changes nothing.  A window already open keeps the policy it copied when
 * it opened; the answer says so (open_window), the screen tells the
 * teacher that the change applies from the next window.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classpolicy.h"
#include "config.h"
#include "db.h"
#include "geofence.h"
#include "policy.h"
#include "policycheck.h"
#include "rotation.h"

/*
 * The database failed: a retryable 503 in the JSON error shape, as the
 * other handlers answer an outage (never the 422 of a bad value).
 */
static int
db_down(struct http_req *r)
{
	return http_reply_error(r, 503, "db_unavailable",
	    "the database is not reachable; nothing was changed, try again");
}

/* The class in the path, if the caller teaches it; else the reply. */
static int
own_class(struct http_req *r, long long *class_id)
{
	const char *p = http_param(r, "id");
	struct db_rows t;
	char *end;
	int rc;

	*class_id = 0;
	if (p == NULL || strlen(p) > 10 || *p < '1' || *p > '9' ||
	    (*class_id = strtoll(p, &end, 10)) <= 0 || *end != '\0')
		return http_reply_error(r, 404, "class_not_found",
		    "no such class");
	rc = db_query_one(r->db, r->arena, &t,
	    "SELECT EXISTS (SELECT 1 FROM subject WHERE class_id = c.class_id "
	    "AND teacher_email = ?) FROM class c WHERE c.class_id = ?",
	    "sI", r->auth.email, *class_id);
	if (rc == DB_NOTFOUND)
		return http_reply_error(r, 404, "class_not_found",
		    "no such class");
	if (rc != DB_OK)
		return db_down(r);
	if (!db_get_int(&t, 0, 0))
		return http_reply_error(r, 403, "not_your_class",
		    "only a teacher of the class may see or change its policy");
	return 0;
}

/* The policy as typed JSON, with the bounds and an open window. */
static json_t *
policy_json(struct http_req *r, long long class_id)
{
	struct db_rows c;
	const struct config *g = r->cfg;

	if (db_query_one(r->db, r->arena, &c,
		"SELECT allowed_cidrs, flag_on_focus_loss, online_default, "
		"window_ttl, rotate_every, rotate_overlap, slow_margin_ms, "
		"flag_slow, geofence_lat, geofence_lon, geofence_radius, "
		"geofence_accuracy, geofence_missing, EXISTS (SELECT 1 FROM "
		"attendance_window w JOIN session se ON se.session_id = "
		"w.session_id JOIN period p ON p.period_id = se.period_id "
		"JOIN subject sj ON sj.subject_id = p.subject_id WHERE "
		"sj.class_id = c.class_id AND w.finalized_at IS NULL) "
		"FROM class c WHERE c.class_id = ?",
		"I", class_id) != DB_OK)
		return NULL;
	return json_pack("{s:I,s:{s:s,s:b,s:b,s:I,s:I,s:I,s:I,s:b,s:f,s:f,"
			 "s:I,s:I,s:s},s:{s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:i},"
			 "s:b}",
	    "class_id", (json_int_t)class_id, "policy", "allowed_cidrs",
	    db_get(&c, 0, 0), "flag_on_focus_loss", (int)db_get_int(&c, 0, 1),
	    "online_default", (int)db_get_int(&c, 0, 2), "window_ttl",
	    (json_int_t)db_get_int(&c, 0, 3), "rotate_every",
	    (json_int_t)db_get_int(&c, 0, 4), "rotate_overlap",
	    (json_int_t)db_get_int(&c, 0, 5), "slow_margin_ms",
	    (json_int_t)db_get_int(&c, 0, 6), "flag_slow",
	    (int)db_get_int(&c, 0, 7), "geofence_lat",
	    strtod(db_get(&c, 0, 8), NULL), "geofence_lon",
	    strtod(db_get(&c, 0, 9), NULL), "geofence_radius",
	    (json_int_t)db_get_int(&c, 0, 10), "geofence_accuracy",
	    (json_int_t)db_get_int(&c, 0, 11), "geofence_missing",
	    db_get(&c, 0, 12), "bounds", "otp_ttl", (int)g->otp_ttl, "ttl_min",
	    (int)g->otp_ttl_min, "ttl_max", (int)g->otp_ttl_max, "rotate_min",
	    ROTATION_MIN_EVERY, "overlap_max", ROTATION_MAX_OVERLAP,
	    "radius_min", GEOFENCE_MIN_RADIUS, "radius_max",
	    GEOFENCE_MAX_RADIUS, "accuracy_min", GEOFENCE_MIN_ACCURACY,
	    "accuracy_max", GEOFENCE_MAX_ACCURACY, "open_window",
	    (int)db_get_int(&c, 0, 13));
}

int
policy_get(struct http_req *r)
{
	long long class_id;
	json_t *body;
	int status;

	if ((status = own_class(r, &class_id)) != 0)
		goto out;
	if ((body = policy_json(r, class_id)) == NULL) {
		status = db_down(r);
		goto out;
	}
	status = http_reply_json(r, 200, body);
out:
	return status;
}

/*
 * A JSON value as the text classpolicy_set takes: booleans as words,
 * numbers as written, a list of networks joined with commas.  NULL for
 * anything else.
 */
static const char *
value_text(struct arena *a, json_t *v)
{
	const char *s = "";
	json_t *x;
	size_t i;

	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_boolean(v))
		return json_is_true(v) ? "true" : "false";
	if (json_is_integer(v))
		return arena_printf(a, "%lld",
		    (long long)json_integer_value(v));
	if (json_is_real(v))
		return arena_printf(a, "%.7f", json_real_value(v));
	if (!json_is_array(v))
		return NULL;
	json_array_foreach(v, i, x)
	{
		if (!json_is_string(x))
			return NULL;
		s = arena_printf(a, "%s%s%s", s, i ? "," : "",
		    json_string_value(x));
	}
	return s;
}

/*
 * Each key of the body through the one writer; then the whole.  0, -1
 * (a bad value, err says) or CLASSPOLICY_DB (the database failed).
 */
static int
apply(struct http_req *r, long long class_id, char *err, size_t errlen)
{
	const char *key, *text;
	json_t *v;
	int rc;

	if (!json_is_object(r->json) || json_object_size(r->json) == 0) {
		snprintf(err, errlen, "send an object of policy keys to set");
		return -1;
	}
	json_object_foreach(r->json, key, v)
	{
		if ((text = value_text(r->arena, v)) == NULL) {
			snprintf(err, errlen,
			    "%.40s must be a string, number, boolean or a "
			    "list of networks",
			    key);
			return -1;
		}
		if ((rc = classpolicy_set(r->db, r->arena, class_id, key, text,
			 r->auth.email, err, errlen)) < 0)
			return rc;
	}
	return policycheck_class(r->db, r->arena, r->cfg, class_id, err,
	    errlen);
}

int
policy_put(struct http_req *r)
{
	long long class_id;
	char err[300];
	json_t *body;
	int status, rc;

	if ((status = own_class(r, &class_id)) != 0)
		goto out;
	if (db_begin(r->db) != DB_OK) {
		status = db_down(r);
		goto out;
	}
	if ((rc = apply(r, class_id, err, sizeof(err))) < 0) {
		db_rollback(r->db);
		/* an outage is not the teacher's value: retry, not fix */
		status = rc == CLASSPOLICY_DB
		    ? db_down(r)
		    : http_reply_error(r, 422, "bad_policy", "%s", err);
		goto out;
	}
	if (db_commit(r->db) != DB_OK) {
		db_rollback(r->db);
		status = db_down(r);
		goto out;
	}
	/* committed: a failed read-back must not look like nothing changed */
	if ((body = policy_json(r, class_id)) == NULL) {
		status = http_reply_error(r, 503, "db_unavailable",
		    "the change was saved but cannot be read back; reload");
		goto out;
	}
	status = http_reply_json(r, 200, body);
out:
	return status;
}
