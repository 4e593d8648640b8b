/*
 * report.c - `ehazira-admin report ...`: the reports for administrators and
 * cron (scripts/cron-report), built by the same code as the endpoints
 * (fcgi/reports.c), so a file and a download of one range agree.
 *
 *   report list     [--from D] [--to D]   subjects with marks in the range
 *   report class ID [--from D] [--to D] [--format xlsx|csv|edfi|json]
 *                   --out FILE|DIR/       one subject's register
 *   report at-risk  [--from D] [--to D] --out FILE   every at-risk student
 *   report warnings                       queue low-attendance pushes
 *
 * Files appear atomically: written to "<name>.tmp.<pid>" in the target
 * directory, then renamed, so a reader (or a second run) never sees half a
 * file.  Exit status: 0 ok, 1 failure (logged), 2 usage.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "admin.h"
#include "classjson.h"
#include "config.h"
#include "reportcsv.h"
#include "db.h"
#include "log.h"
#include "reportbuild.h"
#include "reportexport.h"
#include "reportfile.h"
#include "warnings.h"

struct opts {
	const char *from, *to, *format, *out;
	const char *arg; /* the positional argument (subject id) */
};

static int
parse_opts(int argc, char **argv, struct opts *o)
{
	int i;

	memset(o, 0, sizeof(*o));
	for (i = 1; i < argc; i++) {
		const char **slot = NULL;

		if (strcmp(argv[i], "--from") == 0)
			slot = &o->from;
		else if (strcmp(argv[i], "--to") == 0)
			slot = &o->to;
		else if (strcmp(argv[i], "--format") == 0)
			slot = &o->format;
		else if (strcmp(argv[i], "--out") == 0)
			slot = &o->out;
		if (slot) {
			if (i + 1 >= argc) {
				fprintf(stderr, "report: %s needs a value\n",
				    argv[i]);
				return -1;
			}
			*slot = argv[++i];
		} else if (argv[i][0] == '-' || o->arg) {
			fprintf(stderr, "report: unexpected '%s'\n", argv[i]);
			return -1;
		} else {
			o->arg = argv[i];
		}
	}
	return 0;
}

static int
range(const struct admin *ad, const struct opts *o, long *from, long *to)
{
	long days = ad->cfg->report_days;

	days = days < 1 ? 1 : days > 400 ? 400 : days;
	if (attstats_range(o->from, o->to, attstats_today(), days, 400, from,
		to) != ATTSTATS_RANGE_OK) {
		fprintf(stderr,
		    "report: bad range: dates are YYYY-MM-DD, "
		    "from <= to, at most 400 days apart\n");
		return -1;
	}
	return 0;
}

/* Writes buf to path through a temporary name in the same directory. */
static int
write_atomic(const char *path, const char *buf, size_t len)
{
	char tmp[4200];
	FILE *fp;

	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid());
	if ((fp = fopen(tmp, "wb")) == NULL) {
		fprintf(stderr, "report: cannot write %s: %s\n", tmp,
		    strerror(errno));
		return -1;
	}
	if (fwrite(buf, 1, len, fp) != len || fflush(fp) != 0 ||
	    fsync(fileno(fp)) != 0) {
		fprintf(stderr, "report: writing %s: %s\n", tmp,
		    strerror(errno));
		fclose(fp);
		unlink(tmp);
		return -1;
	}
	if (fclose(fp) != 0 || rename(tmp, path) != 0) {
		fprintf(stderr, "report: cannot finish %s: %s\n", path,
		    strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

static int
is_dir_target(const char *out)
{
	size_t n = strlen(out);

	return n > 0 && out[n - 1] == '/';
}

/* Subjects with at least one mark in [from, to]; ids into a malloc'd array. */
static int
subjects_in_range(struct admin *ad, long from, long to, long long **ids,
    struct db_rows *rows)
{
	char fs[ATTSTATS_DATE_LEN], ts[ATTSTATS_DATE_LEN];
	int i, rc;

	attstats_format_date(from, fs);
	attstats_format_date(to, ts);
	rc = db_query(db_reader(ad->db), ad->arena, rows,
	    "SELECT sj.subject_id, sj.class_id, sj.course_id, co.course_name, "
	    "sj.teacher_email FROM subject sj "
	    "JOIN course co ON co.course_id = sj.course_id "
	    "WHERE EXISTS (SELECT 1 FROM period p JOIN session se "
	    "ON se.period_id = p.period_id JOIN attendance a "
	    "ON a.session_id = se.session_id WHERE p.subject_id = "
	    "sj.subject_id AND se.date BETWEEN ? AND ?) "
	    "ORDER BY sj.class_id, sj.course_id",
	    "ss", fs, ts);
	if (rc != DB_OK) {
		fprintf(stderr, "report: cannot list subjects\n");
		return -1;
	}
	*ids = calloc((size_t)rows->nrows + 1, sizeof(**ids));
	if (*ids == NULL)
		return -1;
	for (i = 0; i < rows->nrows; i++)
		(*ids)[i] = db_get_int(rows, i, 0);
	return rows->nrows;
}

static int
cmd_list(struct admin *ad, const struct opts *o)
{
	struct db_rows rows;
	long long *ids;
	long from, to;
	int n, i;

	if (range(ad, o, &from, &to) < 0)
		return 2;
	if ((n = subjects_in_range(ad, from, to, &ids, &rows)) < 0)
		return 1;
	for (i = 0; i < n; i++)
		printf("%s\t%s\t%s\t%s\t%s\n", db_get(&rows, i, 0),
		    db_get(&rows, i, 1), db_get(&rows, i, 2),
		    db_get(&rows, i, 3), db_get(&rows, i, 4));
	free(ids);
	return 0;
}

/*
 * The class summary's JSON as the API sends it, indented one space a
 * level for the file (jansson reads the compact text back in its order:
 * the same values, keys and reals).  In the arena; NULL on failure.
 */
static char *
class_json(struct arena *a, const struct class_report *rep)
{
	size_t len;
	char *text = classjson_dump(rep, &len), *s = NULL, *out = NULL;
	json_t *j = text ? json_loadb(text, len, 0, NULL) : NULL;

	if (j)
		s = json_dumps(j, JSON_INDENT(1) | JSON_REAL_PRECISION(10));
	if (s)
		out = arena_strdup(a, s);
	free(s);
	json_decref(j);
	free(text);
	return out;
}

static int
cmd_class(struct admin *ad, const struct opts *o)
{
	struct class_report rep;
	const char *path;
	long long sid;
	long from, to;
	char *buf, *end;
	size_t len;
	int fmt, rc;

	if (o->arg == NULL || o->out == NULL) {
		fprintf(stderr,
		    "usage: report class SUBJECT_ID --out FILE|DIR/ "
		    "[--from D] [--to D] [--format F]\n");
		return 2;
	}
	sid = strtoll(o->arg, &end, 10);
	fmt = reportfile_format(o->format ? o->format : "xlsx");
	if (*end != '\0' || sid <= 0 || fmt < 0) {
		fprintf(stderr, "report: bad subject id or format\n");
		return 2;
	}
	if (range(ad, o, &from, &to) < 0)
		return 2;
	rc = reportbuild_class(db_reader(ad->db), ad->arena, ad->cfg, sid, NULL,
	    from, to, &rep);
	if (rc == DB_NOTFOUND) {
		fprintf(stderr, "report: no subject %lld\n", sid);
		return 1;
	}
	if (rc != DB_OK) {
		fprintf(stderr, "report: cannot read subject %lld\n", sid);
		return 1;
	}
	if (fmt == REPORT_JSON) {
		if ((buf = class_json(ad->arena, &rep)) == NULL)
			return 1;
		len = strlen(buf);
	} else if (reportexport_class(&rep, fmt,
		       reportexport_tmpdir(ad->arena, ad->cfg), ad->arena, &buf,
		       &len) < 0) {
		fprintf(stderr, "report: cannot render subject %lld\n", sid);
		return 1;
	}
	path = is_dir_target(o->out)
	    ? arena_printf(ad->arena, "%s%s", o->out,
		  reportfile_class_name(ad->arena, &rep, fmt))
	    : o->out;
	if (write_atomic(path, buf, len) < 0)
		return 1;
	printf("%s\n", path);
	return 0;
}

static int
cmd_at_risk(struct admin *ad, const struct opts *o)
{
	struct class_report rep;
	struct db_rows rows;
	long long *ids = NULL;
	char *mem = NULL;
	size_t len = 0;
	long from, to;
	FILE *fp;
	int n, i, total = 0, rc = 1;

	if (o->out == NULL) {
		fprintf(stderr,
		    "usage: report at-risk --out FILE "
		    "[--from D] [--to D]\n");
		return 2;
	}
	if (range(ad, o, &from, &to) < 0)
		return 2;
	if ((n = subjects_in_range(ad, from, to, &ids, &rows)) < 0)
		return 1;
	if ((fp = open_memstream(&mem, &len)) == NULL)
		goto out;
	for (i = 0; i < n; i++) {
		/* one subject at a time: the arena only ever holds one */
		arena_reset(ad->arena);
		if (reportbuild_class(db_reader(ad->db), ad->arena, ad->cfg,
			ids[i], NULL, from, to, &rep) != DB_OK) {
			fprintf(stderr, "report: cannot read subject %lld\n",
			    ids[i]);
			fclose(fp);
			goto out;
		}
		reportcsv_at_risk(fp, &rep, i == 0);
		total += rep.nat_risk;
	}
	if (n == 0)
		reportcsv_at_risk(fp, &(struct class_report){ 0 }, 1);
	if (fclose(fp) != 0 || write_atomic(o->out, mem, len) < 0)
		goto out;
	printf("%s\t%d at risk in %d subjects\n", o->out, total, n);
	rc = 0;
out:
	free(mem);
	free(ids);
	return rc;
}

static int
cmd_warnings(struct admin *ad)
{
	int n = 0;

	if (warnings_check(ad->db, ad->arena, ad->cfg, 0, &n) != DB_OK) {
		fprintf(stderr, "report: low-attendance check failed\n");
		return 1;
	}
	printf("%d new low-attendance warning(s) queued\n", n);
	return 0;
}

int
admin_report(struct admin *ad, int argc, char **argv)
{
	struct opts o;

	if (argc < 2) {
		fprintf(stderr,
		    "usage: report list|class|at-risk|warnings "
		    "[ARGS]\n");
		return 2;
	}
	if (parse_opts(argc - 1, argv + 1, &o) < 0)
		return 2;
	if (strcmp(argv[1], "list") == 0)
		return cmd_list(ad, &o);
	if (strcmp(argv[1], "class") == 0)
		return cmd_class(ad, &o);
	if (strcmp(argv[1], "at-risk") == 0)
		return cmd_at_risk(ad, &o);
	if (strcmp(argv[1], "warnings") == 0)
		return cmd_warnings(ad);
	fprintf(stderr, "report: unknown subcommand '%s'\n", argv[1]);
	return 2;
}
