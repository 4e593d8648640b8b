/*
 * config.c - reads the one config table (config.h) from a file and the
 * environment, fills derived paths and refuses bad values at start, naming
 * the key.  Workers, relay and CLI share it; the shell scripts read the
 * resolved values through `ehazira-admin config`, so there is one parser.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

enum cfg_type { T_STR, T_INT };

struct key {
	const char *name;
	enum cfg_type type;
	const char *def;
	int required;
	size_t off;
};

#define X(key, field, type, def, req, help) \
	{ #key, T_##type, def, req, offsetof(struct config, field) },
static const struct key keys[] = { CONFIG_KEYS(X) };
#undef X
#define NKEYS (sizeof(keys) / sizeof(keys[0]))

static char *
trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	if (e - s >= 2 &&
	    ((s[0] == '"' && e[-1] == '"') ||
		(s[0] == '\'' && e[-1] == '\''))) {
		e[-1] = '\0';
		s++;
	}
	return s;
}

static const struct key *
find_key(const char *name)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].name, name) == 0)
			return &keys[i];
	return NULL;
}

static int
read_file(const char *path, char **vals, char *err, size_t errlen)
{
	FILE *fp = fopen(path, "r");
	char line[4096], *eq, *k, *v;
	const struct key *key;
	int lineno = 0;

	if (fp == NULL) {
		snprintf(err, errlen, "cannot read config '%s': %s", path,
		    strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), fp)) {
		lineno++;
		k = trim(line);
		if (*k == '\0' || *k == '#')
			continue;
		if ((eq = strchr(k, '=')) == NULL) {
			snprintf(err, errlen, "%s:%d: expected KEY = value",
			    path, lineno);
			fclose(fp);
			return -1;
		}
		*eq = '\0';
		k = trim(k);
		v = trim(eq + 1);
		if ((key = find_key(k)) == NULL) {
			snprintf(err, errlen, "%s:%d: unknown key '%s'", path,
			    lineno, k);
			fclose(fp);
			return -1;
		}
		free(vals[key - keys]);
		vals[key - keys] = strdup(v);
	}
	fclose(fp);
	return 0;
}

static const char *
derive(const struct config *cfg, const char *v, const char *leaf)
{
	char buf[PATH_MAX];

	if (v && *v)
		return v;
	snprintf(buf, sizeof(buf), "%s/%s", cfg->state, leaf);
	return strdup(buf);
}

/* Whether v is one of the '|'-terminated words of list. */
static int
one_of(const char *v, const char *list)
{
	size_t n = strlen(v);
	const char *p;

	for (p = list; *p; p = strchr(p, '|') + 1)
		if (n > 0 && strncmp(p, v, n) == 0 && p[n] == '|')
			return 1;
	return 0;
}

int
config_load(struct config *cfg, char *err, size_t errlen)
{
	char *vals[NKEYS] = { 0 }, env[128], *end, abs[PATH_MAX];
	const char *path = getenv("EHAZIRA_CONF"), *v;
	size_t i;
	long n;
	int rc = -1;

	memset(cfg, 0, sizeof(*cfg));
	if (path == NULL || *path == '\0')
		path = "ehazira.conf.example";
	if (read_file(path, vals, err, errlen) < 0)
		goto out;
	cfg->path = strdup(path);
	for (i = 0; i < NKEYS; i++) {
		snprintf(env, sizeof(env), "EHAZIRA_%s", keys[i].name);
		if ((v = getenv(env)) != NULL) {
			free(vals[i]);
			vals[i] = strdup(v);
		}
		v = vals[i] ? vals[i] : keys[i].def;
		if (keys[i].required && *v == '\0') {
			snprintf(err, errlen,
			    "missing '%s': set it in %s or as EHAZIRA_%s",
			    keys[i].name, path, keys[i].name);
			goto out;
		}
		if (keys[i].type == T_INT) {
			errno = 0;
			n = strtol(v, &end, 10);
			if (errno || end == v || *end != '\0') {
				snprintf(err, errlen,
				    "'%s' must be a whole number, not '%s'",
				    keys[i].name, v);
				goto out;
			}
			*(long *)((char *)cfg + keys[i].off) = n;
		} else {
			*(const char **)((char *)cfg + keys[i].off) = strdup(v);
		}
	}
	/* Absolute state path: workers and nginx run from other dirs. */
	if (cfg->state[0] != '/' && realpath(".", abs)) {
		char *s = malloc(strlen(abs) + strlen(cfg->state) + 2);
		sprintf(s, "%s/%s", abs, cfg->state);
		cfg->state = s;
	}
	cfg->db_socket = derive(cfg, cfg->db_socket, "run/mysqld.sock");
	cfg->fcgi_socket = derive(cfg, cfg->fcgi_socket, "run/fcgi.sock");
	cfg->pub_socket = derive(cfg, cfg->pub_socket, "run/pub.sock");
	cfg->hook_socket = derive(cfg, cfg->hook_socket, "run/hook.sock");
	cfg->relay_socket = derive(cfg, cfg->relay_socket, "run/relay.sock");
	cfg->report_dir = derive(cfg, cfg->report_dir, "reports");
	if (cfg->public_url[0] == '\0') {
		char *u = malloc(64 + strlen(cfg->http_addr));
		sprintf(u, "http://%s:%ld", cfg->http_addr, cfg->http_port);
		cfg->public_url = u;
	}
	if (cfg->http_port <= 0 || cfg->http_port > 65535 ||
	    cfg->db_port <= 0 || cfg->db_port > 65535) {
		snprintf(err, errlen,
		    "'HTTP_PORT' and 'DB_PORT' must be "
		    "between 1 and 65535");
		goto out;
	}
	if (cfg->fcgi_processes < 1 || cfg->fcgi_threads < 1 ||
	    cfg->fcgi_threads > 512) {
		snprintf(err, errlen,
		    "'FCGI_PROCESSES' and 'FCGI_THREADS' "
		    "must be at least 1 (threads <= 512)");
		goto out;
	}
	if (cfg->body_max < 1024 || cfg->body_max > 4 * 1024 * 1024) {
		snprintf(err, errlen,
		    "'BODY_MAX' must be between 1024 and 4194304 bytes");
		goto out;
	}
	if (strlen(cfg->jwt_secret) < 32) {
		snprintf(err, errlen,
		    "'JWT_SECRET' must be at least 32 characters");
		goto out;
	}
	if (!one_of(cfg->integrity_min_level, "STRONG|DEVICE|BASIC|") ||
	    !one_of(cfg->ios_policy, "refuse|approve-first|allow|")) {
		snprintf(err, errlen,
		    "'INTEGRITY_MIN_LEVEL' must be STRONG, DEVICE or BASIC and "
		    "'IOS_POLICY' refuse, approve-first or allow");
		goto out;
	}
	rc = 0;
out:
	for (i = 0; i < NKEYS; i++)
		free(vals[i]);
	return rc;
}

static void
print_quoted(FILE *fp, const char *v)
{
	fputc('\'', fp);
	for (; *v; v++) {
		if (*v == '\'')
			fputs("'\\''", fp);
		else
			fputc(*v, fp);
	}
	fputc('\'', fp);
}

void
config_print(const struct config *cfg, FILE *fp)
{
	size_t i;
	const char *base = (const char *)cfg;

	for (i = 0; i < NKEYS; i++) {
		fprintf(fp, "%s=", keys[i].name);
		if (keys[i].type == T_INT)
			fprintf(fp, "%ld", *(const long *)(base + keys[i].off));
		else
			print_quoted(fp,
			    *(const char *const *)(base + keys[i].off));
		fputc('\n', fp);
	}
}
