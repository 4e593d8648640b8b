/*
 * admin.c - GET /admin/...: the dashboard's views for heads of department
 * and administrators.
 *
 * The router admits only heads and administrators (ROUTE_HEAD); here the
 * department asked for is held to the reader's scope (scope.c): a head
 * reads their own department (asking for no department means theirs), an
 * administrator any or all.  Another department is 403 out_of_scope, an
 * unknown one 404.  Every view answers JSON, or with format=csv|xlsx a
 * download of the same rows (reporttable.c); the web page prints them.
 */
#include <stdlib.h>
#include <string.h>

#include "attstats.h"
#include "config.h"
#include "dashboard.h"
#include "db.h"
#include "admin.h"
#include "reportexport.h"
#include "reportfile.h"
#include "scope.h"
#include "viewjson.h"
#include "warnings.h"

#define MAX_RANGE_DAYS 400

/* An optional positive id; 0 when absent, -1 when malformed. */
static long long
query_id(struct http_req *r, const char *name)
{
	const char *s = http_query(r, name), *p;
	long long v = 0;

	if (s == NULL || *s == '\0')
		return 0;
	for (p = s; *p; p++) {
		if (*p < '0' || *p > '9' || v > 0x7fffffffLL)
			return -1;
		v = v * 10 + (*p - '0');
	}
	return v > 0 && v <= 0xffffffffLL ? v : -1;
}

/* from, to and format; 0, or the status with the error reply set. */
static int
parse_range(struct http_req *r, struct dash_query *q, int *fmt)
{
	long days = r->cfg->report_days;
	const char *f = http_query(r, "format");

	days = days < 1 ? 1 : days > MAX_RANGE_DAYS ? MAX_RANGE_DAYS : days;
	switch (attstats_range(http_query(r, "from"), http_query(r, "to"),
	    attstats_today(), days, MAX_RANGE_DAYS, &q->from, &q->to)) {
	case ATTSTATS_RANGE_OK:
		break;
	case ATTSTATS_RANGE_BAD_FROM:
	case ATTSTATS_RANGE_BAD_TO:
		return http_reply_error(r, 400, "bad_request",
		    "from and to must be dates as YYYY-MM-DD");
	case ATTSTATS_RANGE_REVERSED:
		return http_reply_error(r, 400, "bad_request",
		    "from must not be after to");
	default:
		return http_reply_error(r, 400, "range_too_long",
		    "the range from..to must be at most %d days",
		    MAX_RANGE_DAYS);
	}
	*fmt = reportfile_format(f);
	if (*fmt != REPORT_JSON && *fmt != REPORT_CSV && *fmt != REPORT_XLSX)
		return http_reply_error(r, 400, "bad_request",
		    "format must be json, csv or xlsx");
	return 0;
}

/* The query of a view: range, scope-checked department, by.  0 or status. */
static int
parse_query(struct http_req *r, const char *view, struct dash_query *q,
    int *fmt)
{
	struct scope s;
	long long dep = query_id(r, "department_id");
	int rc;

	memset(q, 0, sizeof(*q));
	if ((rc = parse_range(r, q, fmt)) != 0)
		return rc;
	if (dep < 0)
		return http_reply_error(r, 400, "bad_request",
		    "department_id must be a positive whole number");
	q->by = http_query(r, "by");
	if (q->by == NULL || *q->by == '\0')
		q->by = "department";
	if (strcmp(view, "attendance") == 0 && !dashboard_known_by(q->by))
		return http_reply_error(r, 400, "bad_request",
		    "by must be department, class, subject or teacher");
	q->threshold = (int)r->cfg->at_risk_percent;
	q->min_held = WARNINGS_MIN_HELD;
	if (scope_load(r->db, r->arena, &r->auth, &s) != SCOPE_IN)
		return 503;
	rc = scope_department(r->db, r->arena, &s, dep, &q->department);
	if (rc == SCOPE_MISSING)
		return http_reply_error(r, 404, "not_found",
		    "no such department");
	if (rc == SCOPE_OUT)
		return http_reply_error(r, 403, "out_of_scope",
		    "that department is outside your scope");
	return rc == SCOPE_IN ? 0 : 503;
}

/*
 * The view's JSON: its range and scope, its columns, and a row object
 * per row (written by viewjson.c: 23,000 rows as jansson objects cost
 * the worker more than the query).
 */
static int
reply_table(struct http_req *r, const struct report_table *t, const char *view,
    const struct dash_query *q)
{
	char from[11], to[11], *s;
	json_t *cols = json_array();
	size_t len;
	int j;

	attstats_format_date(q->from, from);
	attstats_format_date(q->to, to);
	for (j = 0; j < t->ncols; j++)
		json_array_append_new(cols, json_string(t->cols[j]));
	s = viewjson_dump(json_pack("{s:s,s:s,s:s,s:s,s:I,s:i,s:o,s:[]}",
			      "view", view, "title", t->title, "from", from,
			      "to", to, "department_id",
			      (json_int_t)q->department, "threshold",
			      q->threshold, "columns", cols, "rows"),
	    t, &len);
	return http_reply_json_text(r, 200, s, len);
}

static int
view(struct http_req *r, const char *name)
{
	struct dash_query q;
	struct report_table t;
	char from[11], to[11], *buf;
	size_t len;
	int fmt = REPORT_JSON, rc;

	if ((rc = parse_query(r, name, &q, &fmt)) != 0)
		return rc;
	if (dashboard_view(db_reader(r->db), r->arena, name, &q, &t) != DB_OK)
		return http_reply_error(r, 503, "db_unavailable",
		    "the database is not reachable");
	http_add_header(r, "Cache-Control", "no-store");
	if (fmt == REPORT_JSON)
		return reply_table(r, &t, name, &q);
	if (reporttable_export(&t, fmt, reportexport_tmpdir(r->arena, r->cfg),
		r->arena, &buf, &len) < 0)
		return 503;
	attstats_format_date(q.from, from);
	attstats_format_date(q.to, to);
	http_add_header(r, "Content-Disposition",
	    arena_printf(r->arena, "attachment; filename=\"%s_%s_%s.%s\"", name,
		from, to, reportfile_ext(fmt)));
	return http_reply_raw(r, 200, reportfile_mime(fmt), buf, len);
}

int
admin_attendance(struct http_req *r)
{
	return view(r, "attendance");
}

int
admin_trend(struct http_req *r)
{
	return view(r, "trend");
}

int
admin_shortage(struct http_req *r)
{
	return view(r, "shortage");
}

int
admin_not_marked(struct http_req *r)
{
	return view(r, "not-marked");
}

int
admin_accounts(struct http_req *r)
{
	return view(r, "accounts");
}

int
admin_jobs(struct http_req *r)
{
	return view(r, "jobs");
}

int
admin_departments(struct http_req *r)
{
	return view(r, "departments");
}
