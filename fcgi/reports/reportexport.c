/*
 * reportexport.c - a report rendered in a file format into arena memory:
 * CSV and Ed-Fi through a memstream, XLSX through a temporary file (the
 * library writes files only) that is removed before returning.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "reportcsv.h"
#include "reportexport.h"
#include "reportfile.h"
#include "reportxlsx.h"

const char *
reportexport_tmpdir(struct arena *a, const struct config *cfg)
{
	char *dir = arena_printf(a, "%s/tmp", cfg->state);

	if (dir && mkdir(dir, 0700) < 0 && errno != EEXIST)
		log_warn("reports: cannot create %s: %s", dir, strerror(errno));
	return dir;
}

/* Reads and removes a finished temporary file into the arena. */
int
reportexport_slurp_unlink(const char *path, struct arena *a, char **buf,
    size_t *len)
{
	FILE *fp = fopen(path, "rb");
	long n;
	int rc = -1;

	if (fp == NULL)
		goto out;
	if (fseek(fp, 0, SEEK_END) < 0 || (n = ftell(fp)) < 0)
		goto out;
	rewind(fp);
	if ((*buf = arena_alloc(a, (size_t)n + 1)) == NULL)
		goto out;
	if (fread(*buf, 1, (size_t)n, fp) != (size_t)n)
		goto out;
	*len = (size_t)n;
	rc = 0;
out:
	if (fp)
		fclose(fp);
	unlink(path);
	return rc;
}

/* A fresh name for a temporary file in tmpdir (created, then closed). */
char *
reportexport_temp_path(struct arena *a, const char *tmpdir, const char *ext)
{
	char *path = arena_printf(a, "%s/report-XXXXXX.%s", tmpdir, ext);
	int fd;

	if (path == NULL)
		return NULL;
	if ((fd = mkstemps(path, (int)strlen(ext) + 1)) < 0) {
		log_error("reports: mkstemps %s: %s", path, strerror(errno));
		return NULL;
	}
	close(fd);
	return path;
}

/* Closes a memory stream and copies what it holds into the arena. */
static int
close_memstream(FILE *fp, char **mem, size_t *n, struct arena *a, char **buf,
    size_t *len)
{
	int rc = -1;

	/* open_memstream publishes the final pointer and size at fclose */
	if (fclose(fp) != 0 || *mem == NULL)
		goto out;
	if ((*buf = arena_alloc(a, *n + 1)) == NULL)
		goto out;
	memcpy(*buf, *mem, *n);
	*len = *n;
	rc = 0;
out:
	free(*mem);
	*mem = NULL;
	if (rc < 0)
		log_error("reports: cannot render the report in memory");
	return rc;
}

/* One export path for both kinds: exactly one of c and st is set. */
static int
export_report(const struct class_report *c, const struct student_report *st,
    int fmt, const char *tmpdir, struct arena *a, char **buf, size_t *len)
{
	char *mem = NULL, *path;
	size_t n = 0;
	FILE *fp;
	int rc;

	if (fmt == REPORT_XLSX) {
		if ((path = reportexport_temp_path(a, tmpdir, "xlsx")) == NULL)
			return -1;
		rc = c ? reportxlsx_class(path, tmpdir, c)
		       : reportxlsx_student(path, tmpdir, st);
		if (rc < 0) {
			unlink(path);
			return -1;
		}
		return reportexport_slurp_unlink(path, a, buf, len);
	}
	if ((fp = open_memstream(&mem, &n)) == NULL)
		return -1;
	if (fmt == REPORT_EDFI)
		rc = c ? reportcsv_edfi_class(fp, c)
		       : reportcsv_edfi_student(fp, st);
	else
		rc = c ? reportcsv_class(fp, c) : reportcsv_student(fp, st);
	if (rc < 0) {
		fclose(fp);
		free(mem);
		return -1;
	}
	return close_memstream(fp, &mem, &n, a, buf, len);
}

int
reportexport_class(const struct class_report *rep, int fmt, const char *tmpdir,
    struct arena *a, char **buf, size_t *len)
{
	return export_report(rep, NULL, fmt, tmpdir, a, buf, len);
}

int
reportexport_student(const struct student_report *rep, int fmt,
    const char *tmpdir, struct arena *a, char **buf, size_t *len)
{
	return export_report(NULL, rep, fmt, tmpdir, a, buf, len);
}
