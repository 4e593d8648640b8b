/*
 * classpolicy.c - ehazira-admin class-policy: show and set a class's
 * anti-proxy policy (the rules are fcgi/domain/classpolicy.c).
 *
 *   class-policy show CLASS
 *   class-policy set CLASS key=value...   e.g.
 *       allowed_cidrs=10.20.0.0/16,2001:db8:20::/48 flag_on_focus_loss=true
 *
 * CLASS is a class_id or DEPARTMENT/BATCH/SEMESTER/SECTION.  A set is one
 * transaction: every pair is checked and written, each change audited
 * (actor "admin"), or nothing is.  Windows open now keep their policy; the
 * change applies from the next window.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "classpolicy.h"
#include "policycheck.h"
#include "db.h"

#define ACTOR "admin"

/* The class named by arg, or -1 (reported). */
static long long
find_class(struct admin *ad, const char *arg)
{
	char dep[191], batch[33], section[17];
	struct db_rows r;
	char *end;
	long long id;
	int sem, rc;

	id = strtoll(arg, &end, 10);
	if (*arg && *end == '\0' && id > 0)
		rc = db_query_one(ad->db, ad->arena, &r,
		    "SELECT class_id FROM class WHERE class_id = ?", "I", id);
	else if (sscanf(arg, "%190[^/]/%32[^/]/%d/%16[^/]", dep, batch, &sem,
		     section) == 4)
		rc = db_query_one(ad->db, ad->arena, &r,
		    "SELECT c.class_id FROM class c JOIN department d ON "
		    "d.department_id = c.department_id WHERE "
		    "d.department_name = ? AND c.batch = ? AND c.semester = ? "
		    "AND c.section = ?",
		    "ssis", dep, batch, sem, section);
	else
		rc = DB_NOTFOUND;
	if (rc == DB_OK)
		return db_get_int(&r, 0, 0);
	fprintf(stderr,
	    rc == DB_NOTFOUND
		? "class-policy: no class '%s' (a class_id or "
		  "DEPARTMENT/BATCH/SEMESTER/SECTION)\n"
		: "class-policy: the database refused the lookup of '%s'\n",
	    arg);
	return -1;
}

static int
show(struct admin *ad, long long id)
{
	struct db_rows r;
	int i;

	/* the stored forms, booleans as words */
	if (db_query_one(ad->db, ad->arena, &r,
		"SELECT allowed_cidrs, IF(flag_on_focus_loss, 'true', "
		"'false'), IF(online_default, 'true', 'false'), window_ttl, "
		"rotate_every, rotate_overlap, slow_margin_ms, "
		"IF(flag_slow, 'true', 'false'), geofence_lat, geofence_lon, "
		"geofence_radius, geofence_accuracy, geofence_missing, "
		"IF(require_uv, 'true', 'false') FROM class WHERE class_id = ?",
		"I", id) != DB_OK)
		return 1;
	printf("class_id=%lld\n", id);
	for (i = 0; i < r.ncols && classpolicy_keys[i]; i++)
		printf("%s=%s\n", classpolicy_keys[i], db_get(&r, 0, i));
	return 0;
}

static int
set(struct admin *ad, long long id, int n, char **pairs)
{
	char err[256], *key, *eq;
	int i;

	if (n == 0) {
		fprintf(stderr, "class-policy: set needs key=value pairs\n");
		return 2;
	}
	if (db_begin(ad->db) != DB_OK)
		return 1;
	for (i = 0; i < n; i++) {
		if ((eq = strchr(pairs[i], '=')) == NULL) {
			snprintf(err, sizeof(err), "'%s' is not key=value",
			    pairs[i]);
			goto bad;
		}
		key =
		    arena_strndup(ad->arena, pairs[i], (size_t)(eq - pairs[i]));
		if (classpolicy_set(ad->db, ad->arena, id, key, eq + 1, ACTOR,
			err, sizeof(err)) < 0)
			goto bad;
	}
	if (policycheck_class(ad->db, ad->arena, ad->cfg, id, err,
		sizeof(err)) < 0)
		goto bad;
	if (db_commit(ad->db) != DB_OK) {
		snprintf(err, sizeof(err), "the database refused the commit");
		goto bad;
	}
	return show(ad, id);
bad:
	db_rollback(ad->db);
	fprintf(stderr, "class-policy: %s; nothing changed\n", err);
	return 1;
}

int
admin_class_policy(struct admin *ad, int argc, char **argv)
{
	long long id;

	if (argc < 3 ||
	    (strcmp(argv[1], "show") != 0 && strcmp(argv[1], "set") != 0) ||
	    (strcmp(argv[1], "show") == 0 && argc != 3)) {
		fprintf(stderr,
		    "usage: ehazira-admin class-policy show CLASS\n"
		    "       ehazira-admin class-policy set CLASS key=value...\n"
		    "keys: allowed_cidrs=CIDR[,CIDR...] (empty: anywhere), "
		    "flag_on_focus_loss=true|false,\n"
		    "  online_default=true|false, window_ttl=S (0: OTP_TTL), "
		    "rotate_every=S (0: off),\n"
		    "  rotate_overlap=S, slow_margin_ms=MS, "
		    "flag_slow=true|false,\n"
		    "  geofence_lat=DEG, geofence_lon=DEG, geofence_radius=M "
		    "(0: off),\n"
		    "  geofence_accuracy=M, "
		    "geofence_missing=allow|flag|refuse, "
		    "require_uv=true|false\n");
		return 2;
	}
	if ((id = find_class(ad, argv[2])) < 0)
		return 1;
	return strcmp(argv[1], "show") == 0 ? show(ad, id)
					    : set(ad, id, argc - 3, argv + 3);
}
