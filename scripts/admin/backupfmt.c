/*
 * backupfmt.c - writing and reading a backup's manifest, and the SHA-256
 * of its dump file (the format is described in backupfmt.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backupfmt.h"

void
backupfmt_hex(EVP_MD_CTX *md, char out[65])
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;

	EVP_DigestFinal_ex(md, d, &n);
	for (i = 0; i < n && i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
	out[2 * i] = '\0';
}

int
backupfmt_file_sha(const char *path, char sha[65], long long *size)
{
	static unsigned char buf[64 * 1024];
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	ssize_t got;
	int fd, rc = -1;

	*size = 0;
	if (md == NULL || (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		EVP_MD_CTX_free(md);
		return -1;
	}
	EVP_DigestInit_ex(md, EVP_sha256(), NULL);
	while ((got = read(fd, buf, sizeof(buf))) != 0) {
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			goto out;
		EVP_DigestUpdate(md, buf, (size_t)got);
		*size += got;
	}
	backupfmt_hex(md, sha);
	rc = 0;
out:
	close(fd);
	EVP_MD_CTX_free(md);
	return rc;
}

int
backupfmt_write(const char *path, const struct backup_manifest *m)
{
	FILE *fp;
	int fd, i, rc;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || (fp = fdopen(fd, "w")) == NULL) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	fprintf(fp, "ehazira-backup %d\ndatabase %s\nserver %s\n",
	    BACKUPFMT_VERSION, m->database, m->server);
	fprintf(fp, "tool mariadb-dump --single-transaction\n");
	fprintf(fp, "started %s\nfinished %s\n", m->started, m->finished);
	for (i = 0; i < m->nmig; i++)
		fprintf(fp, "migration %s\n", m->migrations[i]);
	fprintf(fp, "file %s %lld %s\nend\n", m->file, m->size, m->sha);
	rc = fflush(fp) == 0 && fsync(fd) == 0 ? 0 : -1;
	i = errno;
	if (fclose(fp) != 0)
		rc = -1;
	else
		errno = i;
	return rc;
}

/* One "key value..." line into m; -1 on a line that cannot be right. */
static int
parse_line(struct backup_manifest *m, const char *key, const char *v)
{
	if (strcmp(key, "database") == 0)
		snprintf(m->database, sizeof(m->database), "%s", v);
	else if (strcmp(key, "server") == 0)
		snprintf(m->server, sizeof(m->server), "%s", v);
	else if (strcmp(key, "started") == 0)
		snprintf(m->started, sizeof(m->started), "%s", v);
	else if (strcmp(key, "finished") == 0)
		snprintf(m->finished, sizeof(m->finished), "%s", v);
	else if (strcmp(key, "migration") == 0) {
		if (m->nmig == MIGRATIONS_MAX || *v == '\0')
			return -1;
		m->migrations[m->nmig++] = strdup(v);
	} else if (strcmp(key, "file") == 0) {
		if (sscanf(v, "%63s %lld %64s", m->file, &m->size, m->sha) !=
			3 ||
		    strchr(m->file, '/') != NULL || strlen(m->sha) != 64)
			return -1;
	} else if (strcmp(key, "end") == 0)
		m->complete = 1;
	return 0; /* unknown keys: later additions to format 1 */
}

static int
fail(char *err, size_t n, const char *what, const char *path)
{
	snprintf(err, n, "%s: %s", path, what);
	return -1;
}

int
backupfmt_read(const char *path, struct backup_manifest *m, char *err,
    size_t errlen)
{
	char line[1024], *v;
	FILE *fp;
	int n = 0;

	memset(m, 0, sizeof(*m));
	if ((fp = fopen(path, "re")) == NULL)
		return fail(err, errlen,
		    errno == ENOENT ? "no manifest: not a complete eHazira "
				      "backup"
				    : strerror(errno),
		    path);
	while (fgets(line, sizeof(line), fp) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		v = line + strcspn(line, " ");
		if (*v)
			*v++ = '\0';
		if (n++ == 0 &&
		    (strcmp(line, "ehazira-backup") != 0 ||
			(m->version = atoi(v)) < 1)) {
			fclose(fp);
			return fail(err, errlen,
			    "not an eHazira backup "
			    "manifest",
			    path);
		}
		if (m->complete || parse_line(m, line, v) < 0) {
			fclose(fp);
			return fail(err, errlen, "malformed manifest", path);
		}
	}
	fclose(fp);
	if (n == 0)
		return fail(err, errlen, "empty manifest", path);
	if (m->version > BACKUPFMT_VERSION)
		return fail(err, errlen,
		    "made by a newer eHazira (format "
		    "version above 1)",
		    path);
	return 0;
}

void
backupfmt_free(struct backup_manifest *m)
{
	int i;

	for (i = 0; i < m->nmig; i++)
		free(m->migrations[i]);
	m->nmig = 0;
}
