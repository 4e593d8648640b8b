/*
 * views.c - the dashboard's views for scripts, and the roles and run
 * records behind it:
 *
 *   list VIEW [OPTIONS]        any view (dashboard.c) as CSV or JSON
 *   export VIEW --out FILE     the same into a file (csv, json, xlsx)
 *   shortage [OPTIONS]         = list shortage
 *   not-marked [OPTIONS]       = list not-marked
 *   role EMAIL teacher|head|admin   a staff account's role (audited)
 *   job-record KIND ok|failed SUMMARY [STARTED]   one row of job_run
 *
 * OPTIONS: --from/--to YYYY-MM-DD (default: the last REPORT_DAYS days),
 * --department ID, --by department|class|subject|teacher, --format
 * csv|json (xlsx for export), --check.  Exit codes: 0 done; 1 the
 * database or a file failed; 2 usage or a bad value; 3 with --check,
 * the list is not empty (a cron job can alert on it); 4 no such
 * department.  Scripts run as the institution: no scope narrowing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "admin.h"
#include "attstats.h"
#include "audit.h"
#include "config.h"
#include "dashboard.h"
#include "db.h"
#include "reportexport.h"
#include "warnings.h"

struct opts {
	struct dash_query q;
	const char *format, *out, *from, *to;
	int check;
};

static int
usage(const char *cmd)
{
	fprintf(stderr,
	    "usage: ehazira-admin %s [--from YYYY-MM-DD] [--to YYYY-MM-DD] "
	    "[--department ID] [--by department|class|subject|teacher] "
	    "[--format csv|json%s] [--check]%s\n"
	    "views: %s\n",
	    cmd, strcmp(cmd, "export VIEW") == 0 ? "|xlsx" : "",
	    strcmp(cmd, "export VIEW") == 0 ? " --out FILE" : "",
	    dashboard_view_names());
	return 2;
}

/* Parses options from argv[first]; 0, or an exit code. */
static int
parse_opts(struct admin *ad, int argc, char **argv, int first, struct opts *o)
{
	long days = ad->cfg->report_days;
	int i;

	memset(o, 0, sizeof(*o));
	o->format = "csv";
	o->q.by = "department";
	o->q.threshold = (int)ad->cfg->at_risk_percent;
	o->q.min_held = WARNINGS_MIN_HELD;
	for (i = first; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "--check") == 0) {
			o->check = 1;
			continue;
		}
		if (v == NULL)
			return -1;
		if (strcmp(a, "--from") == 0)
			o->from = v;
		else if (strcmp(a, "--to") == 0)
			o->to = v;
		else if (strcmp(a, "--department") == 0)
			o->q.department = strtoll(v, NULL, 10);
		else if (strcmp(a, "--by") == 0)
			o->q.by = v;
		else if (strcmp(a, "--format") == 0)
			o->format = v;
		else if (strcmp(a, "--out") == 0)
			o->out = v;
		else
			return -1;
		i++;
	}
	if (!dashboard_known_by(o->q.by) || o->q.department < 0)
		return -1;
	days = days < 1 ? 1 : days > 400 ? 400 : days;
	if (attstats_range(o->from, o->to, attstats_today(), days, 400,
		&o->q.from, &o->q.to) != ATTSTATS_RANGE_OK) {
		fprintf(stderr,
		    "ehazira-admin: bad range (YYYY-MM-DD, from "
		    "<= to, at most 400 days)\n");
		return 2;
	}
	return 0;
}

static int
department_exists(struct admin *ad, long long dep)
{
	struct db_rows rows;

	if (dep == 0)
		return 1;
	return db_query_one(ad->db, ad->arena, &rows,
		   "SELECT 1 FROM department WHERE department_id = ?", "I",
		   dep) == DB_OK;
}

/* Writes t to fp in fmt (csv or json); 0 or -1. */
static int
write_table(FILE *fp, const struct report_table *t, const char *fmt)
{
	return strcmp(fmt, "json") == 0 ? reporttable_json(fp, t)
					: reporttable_csv(fp, t);
}

static int
write_out(struct admin *ad, const struct opts *o, const struct report_table *t)
{
	FILE *fp;
	int rc;

	if (strcmp(o->format, "xlsx") == 0)
		return reporttable_xlsx(o->out,
		    reportexport_tmpdir(ad->arena, ad->cfg), t);
	if ((fp = fopen(o->out, "w")) == NULL)
		return -1;
	rc = write_table(fp, t, o->format);
	return fclose(fp) == 0 ? rc : -1;
}

/* Runs view with options from argv[first] to stdout or --out. */
static int
run_view(struct admin *ad, const char *cmd, const char *view, int argc,
    char **argv, int first, int to_file)
{
	struct opts o;
	struct report_table t;
	int rc;

	if (!dashboard_known(view) ||
	    (rc = parse_opts(ad, argc, argv, first, &o)) < 0)
		return usage(cmd);
	if (rc)
		return rc;
	if ((to_file && o.out == NULL) ||
	    (strcmp(o.format, "csv") && strcmp(o.format, "json") &&
		!(to_file && strcmp(o.format, "xlsx") == 0)))
		return usage(cmd);
	if (!department_exists(ad, o.q.department)) {
		fprintf(stderr, "ehazira-admin: no department %lld\n",
		    o.q.department);
		return 4;
	}
	if (dashboard_view(db_reader(ad->db), ad->arena, view, &o.q, &t) !=
	    DB_OK) {
		fprintf(stderr, "ehazira-admin: cannot reach the database\n");
		return 1;
	}
	rc =
	    to_file ? write_out(ad, &o, &t) : write_table(stdout, &t, o.format);
	if (rc < 0) {
		fprintf(stderr, "ehazira-admin: cannot write the %s\n",
		    to_file ? o.out : "output");
		return 1;
	}
	return o.check && t.nrows > 0 ? 3 : 0;
}

int
admin_list(struct admin *ad, int argc, char **argv)
{
	if (argc < 2)
		return usage("list VIEW");
	return run_view(ad, "list VIEW", argv[1], argc, argv, 2, 0);
}

int
admin_export(struct admin *ad, int argc, char **argv)
{
	if (argc < 2)
		return usage("export VIEW");
	return run_view(ad, "export VIEW", argv[1], argc, argv, 2, 1);
}

int
admin_shortage(struct admin *ad, int argc, char **argv)
{
	return run_view(ad, "shortage", "shortage", argc, argv, 1, 0);
}

int
admin_not_marked(struct admin *ad, int argc, char **argv)
{
	return run_view(ad, "not-marked", "not-marked", argc, argv, 1, 0);
}

int
admin_role(struct admin *ad, int argc, char **argv)
{
	struct db_rows rows;
	const char *role = argc == 3 ? argv[2] : "";

	if (argc != 3 ||
	    (strcmp(role, "teacher") && strcmp(role, "head") &&
		strcmp(role, "admin"))) {
		fprintf(stderr,
		    "usage: ehazira-admin role EMAIL teacher|head|admin\n");
		return 2;
	}
	if (db_begin(ad->db) != DB_OK)
		goto fail;
	if (db_query_one(ad->db, ad->arena, &rows,
		"SELECT teacher_email, role FROM teacher WHERE teacher_email "
		"= ? FOR UPDATE",
		"s", argv[1]) != DB_OK) {
		db_rollback(ad->db);
		fprintf(stderr, "ehazira-admin: no teacher '%s'\n", argv[1]);
		return 1;
	}
	/* The guard turns away tokens of the old role at once. */
	if (db_exec(ad->db,
		"UPDATE teacher SET role = ? WHERE "
		"teacher_email = ?",
		"ss", role, db_get(&rows, 0, 0)) != DB_OK ||
	    audit_write(ad->db, "admin", "user.role", db_get(&rows, 0, 0),
		db_get(&rows, 0, 1), role, NULL) != DB_OK ||
	    db_commit(ad->db) != DB_OK)
		goto fail;
	printf("%s: %s -> %s\n", db_get(&rows, 0, 0), db_get(&rows, 0, 1),
	    role);
	return 0;
fail:
	db_rollback(ad->db);
	fprintf(stderr, "ehazira-admin: cannot reach the database\n");
	return 1;
}

int
admin_job_record_row(struct admin *ad, const char *kind, long long started,
    int ok, const char *summary)
{
	char s[512];

	snprintf(s, sizeof(s), "%s", summary ? summary : "");
	return db_exec(ad->db,
	    "INSERT INTO job_run (kind, started_at, ok, summary) "
	    "VALUES (?, FROM_UNIXTIME(?), ?, ?)",
	    "sIis", kind, started, ok, s);
}

int
admin_job_record(struct admin *ad, int argc, char **argv)
{
	long long started =
	    argc == 5 ? strtoll(argv[4], NULL, 10) : (long long)time(NULL);

	if ((argc != 4 && argc != 5) ||
	    (strcmp(argv[2], "ok") && strcmp(argv[2], "failed"))) {
		fprintf(stderr,
		    "usage: ehazira-admin job-record KIND "
		    "ok|failed SUMMARY [STARTED_EPOCH]\n");
		return 2;
	}
	if (admin_job_record_row(ad, argv[1], started,
		strcmp(argv[2], "ok") == 0, argv[3]) != DB_OK) {
		fprintf(stderr, "ehazira-admin: cannot record the run\n");
		return 1;
	}
	return 0;
}
