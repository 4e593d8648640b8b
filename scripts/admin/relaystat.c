/*
 * relaystat.c - `ehazira-admin relay-status`: is the push relay keeping
 * up?  The relay's counters (relay_stat), the outbox by state, and how
 * long the oldest PENDING row has waited.  Read-only.
 */
#include <stdio.h>

#include "admin.h"
#include "db.h"

int
admin_relay_status(struct admin *ad, int argc, char **argv)
{
	struct db_rows r;
	int i;

	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "usage: ehazira-admin relay-status\n");
		return 2;
	}
	if (db_query(ad->db, ad->arena, &r,
		"SELECT name, value, updated_at FROM relay_stat ORDER BY name",
		"") != DB_OK)
		goto fail;
	printf("relay counters (since the database was created):\n");
	if (r.nrows == 0)
		printf("  (none yet)\n");
	for (i = 0; i < r.nrows; i++)
		printf("  %-22s %12s   last %s\n", db_get(&r, i, 0),
		    db_get(&r, i, 1), db_get(&r, i, 2));
	if (db_query(ad->db, ad->arena, &r,
		"SELECT state, COUNT(*), "
		"SUM(state = 'PENDING' AND not_before <= NOW(3) AND "
		"(lease_until IS NULL OR lease_until < NOW(3))), "
		"COALESCE(SUM(state = 'PENDING' AND lease_until >= NOW(3)), 0), "
		"SUM(state = 'PENDING' AND not_before > NOW(3) AND "
		"(lease_until IS NULL OR lease_until < NOW(3))) "
		"FROM outbox GROUP BY state ORDER BY state",
		"") != DB_OK)
		goto fail;
	printf("outbox:\n");
	if (r.nrows == 0)
		printf("  (empty)\n");
	for (i = 0; i < r.nrows; i++) {
		printf("  %-8s %10s", db_get(&r, i, 0), db_get(&r, i, 1));
		if (db_get_int(&r, i, 2) + db_get_int(&r, i, 3) +
			db_get_int(&r, i, 4) >
		    0)
			printf("   (due %s, being sent %s, waiting to retry "
			       "%s)",
			    db_get(&r, i, 2), db_get(&r, i, 3),
			    db_get(&r, i, 4));
		printf("\n");
	}
	if (db_query(ad->db, ad->arena, &r,
		"SELECT outbox_id, "
		"ROUND(TIMESTAMPDIFF(MICROSECOND, created_at, NOW(3)) / 1e6, 1) "
		"FROM outbox WHERE state = 'PENDING' "
		"ORDER BY created_at, outbox_id LIMIT 1",
		"") != DB_OK)
		goto fail;
	if (r.nrows == 0)
		printf("oldest pending: none\n");
	else
		printf("oldest pending: %s s (outbox %s)\n", db_get(&r, 0, 1),
		    db_get(&r, 0, 0));
	return 0;
fail:
	fprintf(stderr,
	    "ehazira-admin: cannot read the relay's state "
	    "(is the database up?)\n");
	return 1;
}
