/*
 * it.c - integration-test support: libcurl against the test stack, the
 * stack's database for asserting on rows, and app tokens signed with the
 * stack's secret (the same path the API verifies; no shortcut in the API).
 */
#include <curl/curl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "it.h"
#include "token.h"

const char *
it_url(void)
{
	const char *u = getenv("EHAZIRA_TEST_URL");

	return u && *u ? u : NULL;
}

int
it_request(const char *method, const char *path, const char *body,
    size_t body_len, const char *const *headers, struct it_resp *resp)
{
	CURL *c = curl_easy_init();
	struct curl_slist *hl = NULL;
	struct buf b = { 0 }, h = { 0 };
	char *url, *ct = NULL;
	CURLcode rc;

	memset(resp, 0, sizeof(*resp));
	if (c == NULL || it_url() == NULL)
		return -1;
	if ((url = malloc(strlen(it_url()) + strlen(path) + 1)) == NULL) {
		curl_easy_cleanup(c);
		return -1;
	}
	sprintf(url, "%s%s", it_url(), path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, buf_curl_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, buf_curl_write);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &h);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	if (body) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)body_len);
	}
	for (; headers && *headers; headers++)
		hl = curl_slist_append(hl, *headers);
	hl = curl_slist_append(hl, "Expect:");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	rc = curl_easy_perform(c);
	if (rc == CURLE_OK) {
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp->status);
		curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct);
		resp->content_type = ct ? strdup(ct) : NULL;
		resp->body = b.p ? b.p : strdup("");
		resp->len = b.n;
		resp->headers = h.p ? h.p : strdup("");
		resp->json = json_loadb(resp->body, resp->len, 0, NULL);
	} else {
		free(b.p);
		free(h.p);
	}
	curl_slist_free_all(hl);
	curl_easy_cleanup(c);
	free(url);
	return rc == CURLE_OK ? 0 : -1;
}

static int
with_token(const char *method, const char *path, const char *token,
    const char *body, struct it_resp *resp)
{
	char auth[4200];
	const char *hdrs[3] = { NULL, NULL, NULL };
	int n = 0;

	if (token) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
		hdrs[n++] = auth;
	}
	if (body)
		hdrs[n++] = "Content-Type: application/json";
	return it_request(method, path, body, body ? strlen(body) : 0, hdrs,
	    resp);
}

int
it_get(const char *path, const char *token, struct it_resp *resp)
{
	return with_token("GET", path, token, NULL, resp);
}

int
it_post_json(const char *path, const char *token, const char *json,
    struct it_resp *resp)
{
	return with_token("POST", path, token, json ? json : "{}", resp);
}

void
it_resp_free(struct it_resp *resp)
{
	free(resp->body);
	free(resp->headers);
	free(resp->content_type);
	json_decref(resp->json);
	memset(resp, 0, sizeof(*resp));
}

const char *
it_error_code(const struct it_resp *resp)
{
	const char *s = json_string_value(
	    json_object_get(json_object_get(resp->json, "error"), "code"));

	return s ? s : "";
}

const struct config *
it_config(void)
{
	static struct config cfg;
	static int loaded;
	char err[512];

	/* EHAZIRA_CONF: the test stack's own config (tests/run). */
	if (!loaded) {
		if (config_load(&cfg, err, sizeof(err)) < 0) {
			fprintf(stderr, "it: %s\n", err);
			abort();
		}
		loaded = 1;
	}
	return &cfg;
}

struct db *
it_db(void)
{
	static struct db *db;

	if (db == NULL) {
		db = db_new(it_config());
		/* fixture loads are bulk statements on a busy machine */
		db_set_io_timeout(db, 120);
	}
	return db;
}

struct arena *
it_arena(void)
{
	static struct arena *a;

	if (a == NULL)
		a = arena_new(64u * 1024 * 1024);
	return a;
}

long long
it_sql_int(const char *sql, const char *types, ...)
{
	struct db_rows rows;
	va_list ap;
	int rc;

	va_start(ap, types);
	rc = db_vquery(it_db(), it_arena(), &rows, sql, types, ap);
	va_end(ap);
	if (rc != DB_OK || rows.nrows == 0)
		return -1;
	return db_get_int(&rows, 0, 0);
}

int
it_sql(const char *sql, const char *types, ...)
{
	va_list ap;
	int rc;

	va_start(ap, types);
	rc = db_vexec(it_db(), sql, types, ap);
	va_end(ap);
	return rc;
}

char *
it_token(const char *email, const char *role, long long device_id, long ttl)
{
	struct auth a = { 0 };
	char jti[32];

	a.email = email;
	a.role = token_role_from_name(role);
	a.device_id = device_id;
	snprintf(jti, sizeof(jti), "it-%ld-%d", (long)time(NULL),
	    (int)getpid());
	a.jti = jti;
	return token_issue(it_config()->jwt_secret, &a, ttl, it_arena());
}

const char *
it_uniq(void)
{
	static char u[32];

	if (u[0] == '\0')
		snprintf(u, sizeof(u), "%d%ld", (int)getpid(),
		    (long)time(NULL) % 100000);
	return u;
}

int
it_stack(const char *cmd)
{
	char buf[4096];

	snprintf(buf, sizeof(buf), "%s/scripts/stack %s >/dev/null 2>&1",
	    getenv("EHAZIRA_TEST_ROOT"), cmd);
	return system(buf);
}

int
it_pid(const char *name)
{
	char path[4096];
	FILE *fp;
	int pid = 0;

	snprintf(path, sizeof(path), "%s/run/%s.pid", getenv("EHAZIRA_STATE"),
	    name);
	if ((fp = fopen(path, "r")) != NULL) {
		if (fscanf(fp, "%d", &pid) != 1)
			pid = 0;
		fclose(fp);
	}
	return pid;
}

int
it_log_lines(const char *state, const char *log, const char *needle)
{
	char path[4096], line[4096];
	FILE *fp;
	int n = 0;

	snprintf(path, sizeof(path), "%s/log/%s",
	    state ? state : getenv("EHAZIRA_STATE"), log);
	if ((fp = fopen(path, "r")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), fp))
		n += strstr(line, needle) != NULL;
	fclose(fp);
	return n;
}

json_t *
it_control(const char *base, const char *method, const char *fmt, va_list ap)
{
	char path[1024], url[1200];
	struct buf b = { 0 };
	CURL *c = curl_easy_init();
	json_t *j = NULL;

	vsnprintf(path, sizeof(path), fmt, ap);
	snprintf(url, sizeof(url), "%s%s", base, path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	if (strcmp(method, "POST") == 0)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, buf_curl_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
	if (curl_easy_perform(c) == CURLE_OK)
		j = json_loadb(b.p ? b.p : "", b.n, 0, NULL);
	curl_easy_cleanup(c);
	free(b.p);
	return j;
}
