/*
 * config.c - reads the one config table (config.h) from a file and the
 * environment, fills derived paths and refuses bad values at start, naming
 * the key.  Workers, relay and CLI share it; the shell scripts read the
 * resolved values through `ehazira-admin config`, so there is one parser.
 *
 * There is no default file: a program started without EHAZIRA_CONF stops,
 * because the one file it could fall back to is the published example with
 * published secrets.  Development and test stacks get a private config with
 * generated secrets from scripts/stack (config_write_new).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "crypto.h"

enum cfg_type { T_STR, T_INT, T_ENUM, T_SECRET };

struct key {
	const char *name;
	enum cfg_type type;
	const char *def;
	int required;
	const char *range;
	size_t off;
};

#define X(key, field, type, def, req, range, help) \
	{ #key, T_##type, def, req, range, offsetof(struct config, field) },
static const struct key keys[] = { CONFIG_KEYS(X) };
#undef X
#define NKEYS (sizeof(keys) / sizeof(keys[0]))

/*
 * Secrets that have been published (example files of this and earlier
 * versions, the README): anyone could sign tokens with them.
 */
static const char *const published[] = {
	"dev-only-secret-change-me-0123456789abcdef",
	"ehazira-dev-password",
};

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

static int
check_int(const struct key *k, const char *v, long *out, char *err,
    size_t errlen)
{
	long n, lo = LONG_MIN, hi = LONG_MAX;
	char *end;

	errno = 0;
	n = strtol(v, &end, 10);
	if (errno || end == v || *end != '\0') {
		snprintf(err, errlen, "'%s' must be a whole number, not '%s'",
		    k->name, v);
		return -1;
	}
	if (*k->range && sscanf(k->range, "%ld..%ld", &lo, &hi) == 2 &&
	    (n < lo || n > hi)) {
		snprintf(err, errlen,
		    "'%s' must be between %ld and %ld, not %ld", k->name, lo,
		    hi, n);
		return -1;
	}
	*out = n;
	return 0;
}

static int
check_enum(const struct key *k, const char *v, char *err, size_t errlen)
{
	const char *p = k->range, *bar;
	size_t len = strlen(v);

	while (*p) {
		bar = strchr(p, '|');
		if (bar == NULL)
			bar = p + strlen(p);
		if ((size_t)(bar - p) == len && strncmp(p, v, len) == 0)
			return 0;
		p = *bar ? bar + 1 : bar;
	}
	snprintf(err, errlen, "'%s' must be one of %s, not '%s'", k->name,
	    k->range, v);
	return -1;
}

static int
check_secret(const struct key *k, const char *v, char *err, size_t errlen)
{
	size_t i, min = (size_t)strtoul(k->range, NULL, 10);

	if (!k->required && *v == '\0')
		return 0; /* an optional secret (SMTP_PASSWORD) left unset */
	for (i = 0; i < sizeof(published) / sizeof(published[0]); i++)
		if (strcmp(v, published[i]) == 0)
			goto example;
	if (strcasestr(v, "change-me") || strcasestr(v, "changeme"))
		goto example;
	if (strlen(v) < min) {
		snprintf(err, errlen,
		    "'%s' must be at least %zu characters "
		    "(`ehazira-admin init-config FILE` writes random ones)",
		    k->name, min);
		return -1;
	}
	return 0;
example:
	snprintf(err, errlen,
	    "'%s' is a published example value: set a secret of your own "
	    "(`ehazira-admin init-config FILE` writes random ones)",
	    k->name);
	return -1;
}

/* One key's value v against its range column; stores it into cfg. */
static int
set_value(struct config *cfg, const struct key *k, const char *v, char *err,
    size_t errlen)
{
	char *base = (char *)cfg;
	long n;

	switch (k->type) {
	case T_INT:
		if (check_int(k, v, &n, err, errlen) < 0)
			return -1;
		*(long *)(base + k->off) = n;
		return 0;
	case T_ENUM:
		if (check_enum(k, v, err, errlen) < 0)
			return -1;
		break;
	case T_SECRET:
		if (check_secret(k, v, err, errlen) < 0)
			return -1;
		break;
	case T_STR:
		break;
	}
	*(const char **)(base + k->off) = strdup(v);
	return 0;
}

int
config_check(const char *key, const char *value, char *err, size_t errlen)
{
	const struct key *k = find_key(key);
	struct config scratch;

	if (k == NULL) {
		snprintf(err, errlen, "unknown key '%s'", key);
		return -1;
	}
	memset(&scratch, 0, sizeof(scratch));
	if (set_value(&scratch, k, value, err, errlen) < 0)
		return -1;
	if (k->type != T_INT)
		free(*(char **)((char *)&scratch + k->off));
	return 0;
}

static void
derive_paths(struct config *cfg)
{
	char abs[PATH_MAX];

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
		/* With a certificate the plain port only redirects. */
		int tls = cfg->tls_cert[0] != '\0';
		char *u = malloc(64 + strlen(cfg->http_addr));

		sprintf(u, "%s://%s:%ld", tls ? "https" : "http",
		    cfg->http_addr, tls ? cfg->https_port : cfg->http_port);
		cfg->public_url = u;
	}
}

int
config_hostport(const char *v, char *host, size_t hostlen, long *port)
{
	const char *colon = strrchr(v, ':'), *h = v;
	size_t n;
	char *end;

	if (colon == NULL || colon == v || colon[1] == '\0')
		return -1;
	n = (size_t)(colon - v);
	if (*v == '[') { /* [IPv6]:port */
		if (colon[-1] != ']' || n < 3)
			return -1;
		h++;
		n -= 2;
	} else if (memchr(v, ':', n) || memchr(v, '[', n)) {
		return -1; /* a bare IPv6 address would be ambiguous */
	}
	if (n >= hostlen ||
	    strspn(h,
		"0123456789abcdefABCDEF.-_:"
		"ghijklmnopqrstuvwxyzGHIJKLMNOPQRSTUVWXYZ") < n)
		return -1;
	errno = 0;
	*port = strtol(colon + 1, &end, 10);
	if (errno || *end != '\0' || *port < 1 || *port > 65535)
		return -1;
	memcpy(host, h, n);
	host[n] = '\0';
	return 0;
}

/* Values that must parse further than their range column says. */
static int
check_forms(const struct config *cfg, char *err, size_t errlen)
{
	char host[256];
	long port;

	if (cfg->db_replica[0] &&
	    config_hostport(cfg->db_replica, host, sizeof(host), &port) < 0) {
		snprintf(err, errlen,
		    "'DB_REPLICA' must be host:port (port 1..65535) or empty, "
		    "not '%s'",
		    cfg->db_replica);
		return -1;
	}
	return 0;
}

int
config_load(struct config *cfg, char *err, size_t errlen)
{
	char *vals[NKEYS] = { 0 }, env[128];
	const char *path = getenv("EHAZIRA_CONF"), *v;
	size_t i;
	int rc = -1;

	memset(cfg, 0, sizeof(*cfg));
	if (path == NULL || *path == '\0') {
		snprintf(err, errlen,
		    "EHAZIRA_CONF is not set: point it at your config file "
		    "(`ehazira-admin init-config FILE` writes a new one)");
		goto out;
	}
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
		if (set_value(cfg, &keys[i], v, err, errlen) < 0)
			goto out;
	}
	if (check_forms(cfg, err, errlen) < 0)
		goto out;
	derive_paths(cfg);
	rc = 0;
out:
	for (i = 0; i < NKEYS; i++)
		free(vals[i]);
	return rc;
}

/* The template's lines, less those that set a secret. */
static int
copy_template(FILE *out, const char *template, char *err, size_t errlen)
{
	FILE *in = fopen(template, "r");
	char line[4096], name[128];
	const struct key *k;

	if (in == NULL) {
		snprintf(err, errlen, "cannot read '%s': %s", template,
		    strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), in)) {
		if (sscanf(line, " %127[A-Z_0-9] =", name) == 1 &&
		    (k = find_key(name)) != NULL && k->type == T_SECRET)
			continue;
		fputs(line, out);
	}
	fclose(in);
	return 0;
}

int
config_write_new(const char *path, const char *template, char *err,
    size_t errlen)
{
	unsigned char b[32];
	size_t i, j;
	FILE *fp;
	int fd, rc = -1;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd < 0 || (fp = fdopen(fd, "w")) == NULL) {
		snprintf(err, errlen, "cannot create '%s': %s", path,
		    strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (template && copy_template(fp, template, err, errlen) < 0)
		goto out;
	fprintf(fp,
	    "\n# Secrets, generated by `ehazira-admin init-config`: "
	    "keep this file private (mode 0600).\n");
	for (i = 0; i < NKEYS; i++) {
		/* An optional secret is someone else's (SMTP_PASSWORD). */
		if (keys[i].type != T_SECRET || !keys[i].required)
			continue;
		if (crypto_random(b, sizeof(b)) < 0) {
			snprintf(err, errlen, "no random bytes");
			goto out;
		}
		fprintf(fp, "%s = ", keys[i].name);
		for (j = 0; j < sizeof(b); j++)
			fprintf(fp, "%02x", b[j]);
		fputc('\n', fp);
	}
	rc = 0;
out:
	if (fclose(fp) != 0 && rc == 0) {
		snprintf(err, errlen, "cannot write '%s': %s", path,
		    strerror(errno));
		rc = -1;
	}
	if (rc < 0)
		unlink(path);
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
