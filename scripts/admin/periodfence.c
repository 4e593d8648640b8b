/*
 * periodfence.c - ehazira-admin period-geofence: a timetable period's own
 * classroom geofence (the rules are fcgi/domain/periodfence.c).
 *
 *   period-geofence list CLASS_ID          the class's periods, each with
 *                                          its geofence
 *   period-geofence show PERIOD_ID
 *   period-geofence set PERIOD_ID key=value...   e.g.
 *       geofence_lat=12.9816 geofence_lon=77.5946 geofence_radius=80
 *       geofence_radius=0       no geofence in this period
 *       geofence_radius=class   the class's geofence again
 *
 * A set is one transaction, audited (actor "admin"); windows open now
 * keep their geofence, the change applies from the next window.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "db.h"
#include "periodfence.h"

static const char usage_text[] =
    "usage: ehazira-admin period-geofence list CLASS_ID\n"
    "       ehazira-admin period-geofence show PERIOD_ID\n"
    "       ehazira-admin period-geofence set PERIOD_ID key=value...\n"
    "keys: geofence_lat=DEG, geofence_lon=DEG, geofence_radius=M "
    "(20..5000; 0: none in this period;\n"
    "  class: the class's geofence)\n";

/* One line per period of class_id (or the one period_id). */
static int
print(struct admin *ad, long long class_id, long long period_id)
{
	struct db_rows r;
	int i;

	if (db_query(ad->db, ad->arena, &r,
		"SELECT p.period_id, sj.course_id, p.day_of_week, "
		"p.period_no, sj.class_id FROM period p JOIN subject sj ON "
		"sj.subject_id = p.subject_id WHERE sj.class_id = ? OR "
		"p.period_id = ? ORDER BY p.day_of_week, p.period_no",
		"II", class_id, period_id) != DB_OK) {
		fprintf(stderr,
		    "period-geofence: the database refused the "
		    "lookup\n");
		return 1;
	}
	if (r.nrows == 0) {
		fprintf(stderr, "period-geofence: no %s %lld\n",
		    class_id ? "class with periods" : "period",
		    class_id ? class_id : period_id);
		return 1;
	}
	for (i = 0; i < r.nrows; i++)
		printf("period_id=%s course=%s day=%s period_no=%s class_id=%s "
		       "geofence=%s\n",
		    db_get(&r, i, 0), db_get(&r, i, 1), db_get(&r, i, 2),
		    db_get(&r, i, 3), db_get(&r, i, 4),
		    periodfence_describe(ad->db, ad->arena,
			db_get_int(&r, i, 0)));
	return 0;
}

/* The value of key among pairs (NULL: not given); -1 on a bad pair. */
static int
pairs_value(int n, char **pairs, const char *key, const char **out)
{
	size_t kl = strlen(key);
	int i;

	*out = NULL;
	for (i = 0; i < n; i++) {
		const char *eq = strchr(pairs[i], '=');
		size_t l = eq ? (size_t)(eq - pairs[i]) : 0;

		if (eq == NULL ||
		    (strncmp(pairs[i], "geofence_lat=", 13) != 0 &&
			strncmp(pairs[i], "geofence_lon=", 13) != 0 &&
			strncmp(pairs[i], "geofence_radius=", 16) != 0)) {
			fprintf(stderr,
			    "period-geofence: '%s' is not geofence_lat=, "
			    "geofence_lon= or geofence_radius=; nothing "
			    "changed\n",
			    pairs[i]);
			return -1;
		}
		if (l == kl && strncmp(pairs[i], key, kl) == 0)
			*out = eq + 1;
	}
	return 0;
}

static int
set(struct admin *ad, long long id, int n, char **pairs)
{
	const char *lat, *lon, *radius;
	char err[300];
	int rc;

	if (n == 0 || pairs_value(n, pairs, "geofence_lat", &lat) < 0 ||
	    pairs_value(n, pairs, "geofence_lon", &lon) < 0 ||
	    pairs_value(n, pairs, "geofence_radius", &radius) < 0) {
		fputs(usage_text, stderr);
		return 2;
	}
	if (db_begin(ad->db) != DB_OK)
		return 1;
	rc = periodfence_set(ad->db, ad->arena, id, lat, lon, radius, "admin",
	    err, sizeof(err));
	if (rc == 0 && db_commit(ad->db) != DB_OK) {
		snprintf(err, sizeof(err), "the database refused the commit");
		rc = -1;
	}
	if (rc < 0) {
		db_rollback(ad->db);
		fprintf(stderr, "period-geofence: %s; nothing changed\n", err);
		return 1;
	}
	return print(ad, 0, id);
}

int
admin_period_geofence(struct admin *ad, int argc, char **argv)
{
	long long id;
	char *end;

	if (argc < 3 || (id = strtoll(argv[2], &end, 10)) <= 0 ||
	    *end != '\0' || (strcmp(argv[1], "set") != 0 && argc != 3)) {
		fputs(usage_text, stderr);
		return 2;
	}
	if (strcmp(argv[1], "list") == 0)
		return print(ad, id, 0);
	if (strcmp(argv[1], "show") == 0)
		return print(ad, 0, id);
	if (strcmp(argv[1], "set") == 0)
		return set(ad, id, argc - 3, argv + 3);
	fputs(usage_text, stderr);
	return 2;
}
