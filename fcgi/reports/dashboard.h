/*
 * dashboard.h - the dashboard's views of the college, aggregated in the
 * database into plain tables (reporttable.h).  The HTTP endpoints
 * (/admin/...) and `ehazira-admin` both read them through here.
 */
#ifndef EHZ_DASHBOARD_H
#define EHZ_DASHBOARD_H

#include "arena.h"
#include "db.h"
#include "reporttable.h"

struct dash_query {
	long from, to;        /* days (attstats_day), inclusive */
	long long department; /* 0: every department */
	const char *by;       /* attendance: department|class|subject|teacher */
	int threshold;        /* shortage: below this percent */
	int min_held;         /* shortage: at least this many marks */
};

/* A class's label in SQL (its class joined as c, department as dp). */
#define CLASS_LABEL                                                        \
	"CONCAT(dp.department_name, ' ', c.batch, ' S', c.semester, ' ', " \
	"c.section)"

/* "attendance", "trend", ... -> 1 when view names one of the views. */
int dashboard_known(const char *view);
/* attendance's by: 1 when known. */
int dashboard_known_by(const char *by);
/* Runs a view into t (arena memory).  DB_OK, or the db error. */
int dashboard_view(struct db *db, struct arena *a, const char *view,
    const struct dash_query *q, struct report_table *t);
/* The views' names, for help texts: "attendance, trend, ...". */
const char *dashboard_view_names(void);

#endif
