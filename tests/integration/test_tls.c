/*
 * test_tls.c - HTTPS as a college would run it: a stack of this binary's
 * own (its state directory, its ports) with a self-signed certificate made
 * here by openssl, checked over the wire with libcurl and the test
 * WebSocket client.  HTTP/2 on TLS 1.2 and 1.3, TLS 1.1 refused, the plain
 * port redirecting to the same host on HTTPS_PORT, HSTS, the security
 * headers on the pages (also on the plain-HTTP test stack), gzip and
 * revalidation on the static files, no-store on every API and error
 * answer, and WSS on /ws.  Then `scripts/stack up` refusing a missing
 * certificate and ports in use, with one line naming the key and no
 * process of it left.
 *
 * The stack starts once, before the tests (a Criterion PRE_ALL hook in
 * the runner process), and its settings reach the tests through the
 * environment: it_db() and it_token() then speak to its database.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <criterion/hooks.h>
#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "it.h"
#include "itauth.h"
#include "ws.h"

#define CSP                                                                   \
	"default-src 'self'; script-src 'self' "                              \
	"https://accounts.google.com/gsi/client; style-src 'self' "           \
	"https://accounts.google.com/gsi/style; frame-src "                   \
	"https://accounts.google.com/gsi/; connect-src 'self' "               \
	"https://accounts.google.com/gsi/; img-src 'self' data:; worker-src " \
	"'self'; manifest-src 'self'; object-src 'none'; base-uri 'none'; "   \
	"form-action 'self'; frame-ancestors 'none'"

/* ---------- the TLS stack (runner process) ---------- */

/*
 * A port nobody holds now, below the kernel's ephemeral range and away
 * from tests/run's picks, never one this process handed out before.
 */
static int
pick_port(void)
{
	static int given[64], ngiven, seeded;
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int fd, port, tries, i, dup;

	/* Every test process its own sequence, not rand()'s default one. */
	if (!seeded) {
		srand((unsigned)getpid() ^ (unsigned)time(NULL));
		seeded = 1;
	}
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (tries = 0; tries < 200; tries++) {
		port = 10000 + rand() % 4000;
		for (i = dup = 0; i < ngiven; i++)
			dup |= given[i] == port;
		if (dup)
			continue;
		sa.sin_port = htons((uint16_t)port);
		fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd >= 0 &&
		    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
			close(fd);
			if (ngiven < 64)
				given[ngiven++] = port;
			return port;
		}
		if (fd >= 0)
			close(fd);
	}
	return 0;
}

static void
setenv_int(const char *name, int v)
{
	char s[16];

	snprintf(s, sizeof(s), "%d", v);
	setenv(name, s, 1);
}

/*
 * The stack's settings, for the tests: EHZ_TLS_DIR (certificate and
 * state), EHZ_TLS_UP=1 once it answers, EHZ_PLAIN_URL (the test stack),
 * and the EHAZIRA_* keys the stack itself was started with.
 */
ReportHook(PRE_ALL)(struct criterion_test_set *set)
{
	char dir[] = "/tmp/ehz-tls.XXXXXX", cmd[8192];
	const char *root = getenv("EHAZIRA_TEST_ROOT");

	(void)set;
	if (root == NULL || getenv("EHAZIRA_TEST_URL") == NULL ||
	    mkdtemp(dir) == NULL)
		return;
	setenv("EHZ_TLS_DIR", dir, 1);
	setenv("EHZ_PLAIN_URL", getenv("EHAZIRA_TEST_URL"), 1);
	snprintf(cmd, sizeof(cmd), "%s/state", dir);
	setenv("EHAZIRA_STATE", cmd, 1);
	setenv_int("EHAZIRA_HTTP_PORT", pick_port());
	setenv_int("EHAZIRA_HTTPS_PORT", pick_port());
	setenv_int("EHAZIRA_DB_PORT", pick_port());
	snprintf(cmd, sizeof(cmd), "%s/cert.pem", dir);
	setenv("EHAZIRA_TLS_CERT", cmd, 1);
	snprintf(cmd, sizeof(cmd), "%s/key.pem", dir);
	setenv("EHAZIRA_TLS_KEY", cmd, 1);
	/* The other sockets follow STATE unless the environment names them. */
	unsetenv("EHAZIRA_FCGI_SOCKET");
	unsetenv("EHAZIRA_DB_SOCKET");
	unsetenv("EHAZIRA_PUB_SOCKET");
	unsetenv("EHAZIRA_HOOK_SOCKET");
	unsetenv("EHAZIRA_RELAY_SOCKET");
	unsetenv("EHAZIRA_PUBLIC_URL");
	/* nginx's own 429 within a few dozen calls (burst ADDR_RATE/3+10). */
	setenv("EHAZIRA_ADDR_RATE", "60", 1);
	snprintf(cmd, sizeof(cmd),
	    "cd %s && openssl req -x509 -newkey ec -pkeyopt "
	    "ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=localhost "
	    "-addext subjectAltName=IP:127.0.0.1,DNS:localhost "
	    "-keyout key.pem -out cert.pem >openssl.log 2>&1 && "
	    "cd %s && scripts/stack up >%s/up.log 2>&1",
	    dir, root, dir);
	if (system(cmd) == 0)
		setenv("EHZ_TLS_UP", "1", 1);
	else
		fprintf(stderr,
		    "test_tls: the TLS stack did not start; see "
		    "%s/up.log\n",
		    dir);
}

ReportHook(POST_ALL)(struct criterion_global_stats *stats)
{
	const char *dir = getenv("EHZ_TLS_DIR");
	char cmd[4096];

	(void)stats;
	if (dir == NULL)
		return;
	snprintf(cmd, sizeof(cmd),
	    "cd %s && scripts/stack down >/dev/null 2>&1; rm -rf %s",
	    getenv("EHAZIRA_TEST_ROOT"), dir);
	if (system(cmd) != 0)
		fprintf(stderr, "test_tls: teardown of %s failed\n", dir);
}

static void
require_tls_stack(void)
{
	if (getenv("EHZ_TLS_DIR") == NULL)
		cr_skip_test("no test stack (EHAZIRA_TEST_URL)");
	cr_assert_str_eq(getenv("EHZ_TLS_UP") ? getenv("EHZ_TLS_UP") : "", "1",
	    "the TLS stack did not start: see %s/up.log",
	    getenv("EHZ_TLS_DIR"));
}

static int
env_int(const char *name)
{
	const char *v = getenv(name);

	return v ? atoi(v) : 0;
}

/* ---------- one request ---------- */

struct got {
	CURLcode rc;
	char err[CURL_ERROR_SIZE];
	long status, version;
	char *headers, *body;
	size_t len;
};

struct want {
	const char *method;      /* NULL: GET */
	const char *const *hdrs; /* NULL-terminated, or NULL */
	long tls_min, tls_max;   /* CURL_SSLVERSION_*; 0: default */
	const char *ciphers;
	int http1; /* offer HTTP/1.1 only */
};

/* base is "https" (the TLS stack), "http" (its plain port) or a URL. */
static void
fetch(const char *base, const char *path, const struct want *w, struct got *g)
{
	static const struct want none;
	CURL *c = curl_easy_init();
	struct curl_slist *hl = NULL;
	struct buf b = { 0 }, h = { 0 };
	char url[8192], ca[4096];
	const char *const *p;

	if (w == NULL)
		w = &none;
	memset(g, 0, sizeof(*g));
	cr_assert_not_null(c);
	if (strcmp(base, "https") == 0)
		snprintf(url, sizeof(url), "https://127.0.0.1:%d%s",
		    env_int("EHAZIRA_HTTPS_PORT"), path);
	else if (strcmp(base, "http") == 0)
		snprintf(url, sizeof(url), "http://127.0.0.1:%d%s",
		    env_int("EHAZIRA_HTTP_PORT"), path);
	else
		snprintf(url, sizeof(url), "%s%s", base, path);
	/* Verified against the certificate made for this run. */
	snprintf(ca, sizeof(ca), "%s/cert.pem", getenv("EHZ_TLS_DIR"));
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CAINFO, ca);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, g->err);
	curl_easy_setopt(c, CURLOPT_HTTP_VERSION,
	    w->http1 ? CURL_HTTP_VERSION_1_1 : CURL_HTTP_VERSION_2TLS);
	if (w->tls_min || w->tls_max)
		curl_easy_setopt(c, CURLOPT_SSLVERSION,
		    w->tls_min | w->tls_max);
	if (w->ciphers)
		curl_easy_setopt(c, CURLOPT_SSL_CIPHER_LIST, w->ciphers);
	if (w->method)
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, w->method);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, buf_curl_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, buf_curl_write);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &h);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
	for (p = w->hdrs; p && *p; p++)
		hl = curl_slist_append(hl, *p);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	g->rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &g->status);
	curl_easy_getinfo(c, CURLINFO_HTTP_VERSION, &g->version);
	g->headers = h.p ? h.p : strdup("");
	g->body = b.p ? b.p : strdup("");
	g->len = b.n;
	curl_slist_free_all(hl);
	curl_easy_cleanup(c);
}

static void
got_free(struct got *g)
{
	free(g->headers);
	free(g->body);
}

/*
 * How many times header name appears; its last value (trimmed) in out.
 * Names compare case-insensitively (HTTP/2 sends them in lower case).
 */
static int
header(const struct got *g, const char *name, char *out, size_t outsz)
{
	size_t nl = strlen(name), vl;
	const char *p = g->headers, *e, *v;
	int n = 0;

	if (out && outsz)
		out[0] = '\0';
	for (; p && *p; p = *e ? e + 1 : e) {
		e = strchr(p, '\n');
		if (e == NULL)
			e = p + strlen(p);
		if (strncasecmp(p, name, nl) != 0 || p[nl] != ':')
			continue;
		n++;
		for (v = p + nl + 1; *v == ' '; v++)
			;
		vl = (size_t)(e - v);
		while (vl > 0 && (v[vl - 1] == '\r' || v[vl - 1] == ' '))
			vl--;
		if (out && outsz) {
			if (vl >= outsz)
				vl = outsz - 1;
			memcpy(out, v, vl);
			out[vl] = '\0';
		}
	}
	return n;
}

static void
assert_header(const struct got *g, const char *name, const char *value,
    const char *what)
{
	char v[2048];

	cr_assert_eq(header(g, name, v, sizeof(v)), 1,
	    "%s: one %s header, in:\n%s", what, name, g->headers);
	cr_assert_str_eq(v, value, "%s: %s", what, name);
}

/* ---------- HTTPS ---------- */

Test(tls, https_answers_health_and_pages_over_http2, .timeout = 30)
{
	static const struct {
		const char *path, *type, *has;
	} cases[] = {
		{ "/healthz", "application/json", "\"status\":\"ok\"" },
		{ "/", "text/html", ">eHazira - sign in</title>" },
		{ "/teacher.html", "text/html", ">eHazira - teacher</title>" },
		{ "/js/api.js", "application/javascript", "export function" },
	};
	struct got g;
	char ct[256];
	size_t i;

	require_tls_stack();
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fetch("https", cases[i].path, NULL, &g);
		cr_assert_eq(g.rc, CURLE_OK, "%s: %s", cases[i].path, g.err);
		cr_assert_eq(g.status, 200, "%s", cases[i].path);
		cr_assert_eq(g.version, CURL_HTTP_VERSION_2_0,
		    "%s: HTTP/2 (ALPN h2)", cases[i].path);
		header(&g, "content-type", ct, sizeof(ct));
		cr_assert_eq(strncmp(ct, cases[i].type, strlen(cases[i].type)),
		    0, "%s: %s", cases[i].path, ct);
		cr_assert_not_null(strstr(g.body, cases[i].has), "%s: %s",
		    cases[i].path, g.body);
		got_free(&g);
	}
}

Test(tls, tls_1_2_and_1_3_are_spoken_and_1_1_is_refused, .timeout = 30)
{
	static const struct {
		const char *name;
		long min, max;
		const char *ciphers;
		int ok;
	} cases[] = {
		{ "TLS 1.3", CURL_SSLVERSION_TLSv1_3,
		    CURL_SSLVERSION_MAX_TLSv1_3, NULL, 1 },
		{ "TLS 1.2", CURL_SSLVERSION_TLSv1_2,
		    CURL_SSLVERSION_MAX_TLSv1_2, NULL, 1 },
		/* SECLEVEL=0: OpenSSL 3 would not even offer 1.1 otherwise. */
		{ "TLS 1.1", CURL_SSLVERSION_TLSv1_1,
		    CURL_SSLVERSION_MAX_TLSv1_1, "DEFAULT:@SECLEVEL=0", 0 },
	};
	struct want w = { 0 };
	struct got g;
	size_t i;

	require_tls_stack();
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		w.tls_min = cases[i].min;
		w.tls_max = cases[i].max;
		w.ciphers = cases[i].ciphers;
		fetch("https", "/healthz", &w, &g);
		if (cases[i].ok) {
			cr_assert_eq(g.rc, CURLE_OK, "%s: %s", cases[i].name,
			    g.err);
			cr_assert_eq(g.status, 200, "%s", cases[i].name);
		} else {
			cr_assert_eq(g.rc, CURLE_SSL_CONNECT_ERROR, "%s: %s",
			    cases[i].name, g.err);
			/* The server's alert, not our own refusal to offer. */
			cr_assert_not_null(strstr(g.err, "protocol version"),
			    "%s: %s", cases[i].name, g.err);
		}
		got_free(&g);
	}
}

Test(tls, plain_http_redirects_to_the_same_host_on_the_https_port,
    .timeout = 30)
{
	static const struct {
		const char *host; /* NULL: 127.0.0.1:HTTP_PORT */
		const char *path, *to_host;
	} cases[] = {
		{ NULL, "/teacher.html?x=1", "127.0.0.1" },
		{ "attendance.college.example:80", "/",
		    "attendance.college.example" },
		{ "attendance.college.example", "/attendance/live?session_id=7",
		    "attendance.college.example" },
	};
	char hosthdr[256], want[512], loc[512];
	const char *hdrs[2] = { NULL, NULL };
	struct want w = { 0 };
	struct got g;
	size_t i;

	require_tls_stack();
	w.hdrs = hdrs;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		hdrs[0] = NULL;
		if (cases[i].host) {
			snprintf(hosthdr, sizeof(hosthdr), "Host: %s",
			    cases[i].host);
			hdrs[0] = hosthdr;
		}
		fetch("http", cases[i].path, &w, &g);
		cr_assert_eq(g.rc, CURLE_OK, "%s", g.err);
		cr_assert_eq(g.status, 301, "%s", cases[i].path);
		snprintf(want, sizeof(want), "https://%s:%d%s",
		    cases[i].to_host, env_int("EHAZIRA_HTTPS_PORT"),
		    cases[i].path);
		cr_assert_eq(header(&g, "Location", loc, sizeof(loc)), 1);
		cr_assert_str_eq(loc, want);
		cr_assert_eq(header(&g, "Strict-Transport-Security", NULL, 0),
		    0, "no HSTS over plain HTTP");
		got_free(&g);
	}
}

/* ---------- headers ---------- */

static void
assert_security_headers(const struct got *g, const char *what)
{
	char v[2048];

	assert_header(g, "Content-Security-Policy", CSP, what);
	header(g, "Content-Security-Policy", v, sizeof(v));
	cr_assert_null(strstr(v, "unsafe-inline"), "%s", what);
	cr_assert_null(strstr(v, "unsafe-eval"), "%s", what);
	assert_header(g, "X-Frame-Options", "DENY", what);
	assert_header(g, "X-Content-Type-Options", "nosniff", what);
	assert_header(g, "Referrer-Policy", "strict-origin-when-cross-origin",
	    what);
}

static const char *const pages[] = { "/", "/index.html", "/teacher.html",
	"/student.html", "/js/teacher.js", "/css/app.css", "/healthz",
	"/no-such-page" };

Test(tls, pages_carry_the_security_headers_and_hsts_over_https, .timeout = 30)
{
	struct got g;
	size_t i;

	require_tls_stack();
	for (i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
		fetch("https", pages[i], NULL, &g);
		cr_assert_eq(g.rc, CURLE_OK, "%s", g.err);
		assert_security_headers(&g, pages[i]);
		assert_header(&g, "Strict-Transport-Security",
		    "max-age=31536000", pages[i]);
		got_free(&g);
	}
}

Test(tls, the_plain_http_stack_sends_the_same_headers_without_hsts,
    .timeout = 30)
{
	struct got g;
	size_t i;

	require_tls_stack();
	for (i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
		fetch(getenv("EHZ_PLAIN_URL"), pages[i], NULL, &g);
		cr_assert_eq(g.rc, CURLE_OK, "%s", g.err);
		assert_security_headers(&g, pages[i]);
		cr_assert_eq(header(&g, "Strict-Transport-Security", NULL, 0),
		    0, "%s", pages[i]);
		got_free(&g);
	}
}

/* The file under nginx/www, for sizes to compare with. */
static long
file_size(const char *path)
{
	char full[4096];
	struct stat st;

	snprintf(full, sizeof(full), "%s/nginx/www%s",
	    getenv("EHAZIRA_TEST_ROOT"),
	    strcmp(path, "/") == 0 ? "/index.html" : path);
	return stat(full, &st) == 0 ? (long)st.st_size : -1;
}

Test(tls, static_files_are_gzipped_when_the_client_accepts_it, .timeout = 30)
{
	static const char *const files[] = { "/js/teacher.js", "/js/api.js",
		"/css/app.css", "/teacher.html", "/index.html", "/" };
	const char *gz[] = { "Accept-Encoding: gzip", NULL };
	struct want w = { .hdrs = gz };
	char v[256];
	struct got g;
	size_t i;

	require_tls_stack();
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		fetch("https", files[i], &w, &g);
		cr_assert_eq(g.status, 200, "%s", files[i]);
		assert_header(&g, "Content-Encoding", "gzip", files[i]);
		header(&g, "Vary", v, sizeof(v));
		cr_assert_str_eq(v, "Accept-Encoding", "%s", files[i]);
		cr_assert(g.len >= 2 && (unsigned char)g.body[0] == 0x1f &&
			(unsigned char)g.body[1] == 0x8b,
		    "%s: a gzip stream", files[i]);
		cr_assert_lt((long)g.len, file_size(files[i]), "%s: smaller",
		    files[i]);
		got_free(&g);

		fetch("https", files[i], NULL, &g);
		cr_assert_eq(header(&g, "Content-Encoding", NULL, 0), 0,
		    "%s: plain without Accept-Encoding", files[i]);
		cr_assert_eq((long)g.len, file_size(files[i]), "%s", files[i]);
		got_free(&g);
	}
}

Test(tls, static_files_revalidate_by_etag, .timeout = 30)
{
	static const char *const files[] = { "/", "/js/api.js", "/css/app.css",
		"/student.html" };
	char etag[256], inm[300];
	const char *hdrs[] = { inm, NULL };
	struct want w = { .hdrs = hdrs };
	struct got g;
	size_t i;

	require_tls_stack();
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		fetch("https", files[i], NULL, &g);
		cr_assert_eq(g.status, 200, "%s", files[i]);
		assert_header(&g, "Cache-Control", "no-cache", files[i]);
		cr_assert_eq(header(&g, "ETag", etag, sizeof(etag)), 1,
		    "%s: an ETag", files[i]);
		got_free(&g);

		snprintf(inm, sizeof(inm), "If-None-Match: %s", etag);
		fetch("https", files[i], &w, &g);
		cr_assert_eq(g.status, 304, "%s: unchanged is 304", files[i]);
		cr_assert_eq(g.len, 0);
		got_free(&g);
	}
}

Test(tls, api_and_error_answers_are_no_store, .timeout = 30)
{
	static const struct {
		const char *method, *path;
		long status;
		const char *what;
	} cases[] = {
		{ NULL, "/healthz", 200, "worker answer" },
		/* the worker says no-cache itself; nginx's word wins */
		{ NULL, "/app-config", 200, "worker's own Cache-Control" },
		{ NULL, "/attendance/student-summary", 401, "worker error" },
		{ NULL, "/no-such-endpoint", 404, "worker 404" },
		{ "POST", "/index.html", 405, "nginx's own error page" },
		{ NULL, "/ws", 401, "nginx's error after auth_request" },
	};
	struct want w = { 0 };
	struct got g;
	size_t i;

	require_tls_stack();
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		w.method = cases[i].method;
		w.http1 = strcmp(cases[i].path, "/ws") == 0;
		fetch("https", cases[i].path, &w, &g);
		cr_assert_eq(g.rc, CURLE_OK, "%s", g.err);
		cr_assert_eq(g.status, cases[i].status, "%s %s", cases[i].path,
		    g.body);
		assert_header(&g, "Cache-Control", "no-store", cases[i].what);
		cr_assert_eq(g.body[0], '{', "%s: JSON, %s", cases[i].what,
		    g.body);
		got_free(&g);
	}
}

Test(tls, nginx_rate_limit_answer_is_json_no_store_with_retry_after,
    .timeout = 60)
{
	struct got g;
	char v[64];
	int i, limited = 0;

	require_tls_stack();
	for (i = 0; i < 200 && !limited; i++) {
		fetch("https", "/auth/challenge", NULL, &g);
		cr_assert_eq(g.rc, CURLE_OK, "%s", g.err);
		if (g.status == 429) {
			limited = 1;
			assert_header(&g, "Cache-Control", "no-store", "429");
			cr_assert_eq(header(&g, "Retry-After", v, sizeof(v)),
			    1);
			cr_assert_str_eq(v, "1");
			cr_assert_not_null(strstr(g.body, "\"rate_limited\""),
			    "%s", g.body);
			assert_security_headers(&g, "429");
		} else {
			cr_assert_eq(g.status, 200, "%s", g.body);
			cr_assert_eq(header(&g, "Retry-After", NULL, 0), 0,
			    "Retry-After only on the 429");
		}
		got_free(&g);
	}
	cr_assert(limited, "nginx's limit_req answered 429");
}

/* ---------- WebSocket over TLS ---------- */

static long long
teacher_device(const char *email)
{
	char uuid[64];

	itauth_teacher(email, itauth_class("tls"), 1);
	snprintf(uuid, sizeof(uuid), "tls-%s-%d", it_uniq(), rand());
	cr_assert_eq(
	    it_sql("INSERT INTO device (user_email, role, device_uuid, "
		   "fingerprint_hash, platform, active, approval) VALUES "
		   "(?, 'teacher', ?, SHA2(?, 256), 'WEB', 1, 'ACTIVE')",
		"sss", email, uuid, uuid),
	    DB_OK);
	return it_sql_int("SELECT device_id FROM device WHERE device_uuid = ?",
	    "s", uuid);
}

Test(tls, wss_upgrades_on_ws_with_a_valid_token_and_carries_frames,
    .timeout = 30)
{
	const char *email = itauth_email("tls-teacher");
	char offer[4200], ca[4096];
	long long dev;
	struct ws *w;
	json_t *m;
	int st = 0;

	require_tls_stack();
	dev = teacher_device(email);
	cr_assert_gt(dev, 0);
	snprintf(ca, sizeof(ca), "%s/cert.pem", getenv("EHZ_TLS_DIR"));
	/* the token travels as the subprotocol, as over plain HTTP */
	snprintf(offer, sizeof(offer), "bearer.%s",
	    it_token(email, "teacher", dev, 900));
	w = ws_connect_tls(env_int("EHAZIRA_HTTPS_PORT"), "/ws", offer, 5000,
	    &st, ca);
	cr_assert_not_null(w, "WSS upgrade (status %d)", st);
	cr_assert_eq(st, 101);
	cr_assert_eq(ws_send_text(w, "{\"type\":\"ping\"}"), 0);
	m = ws_expect_type(w, "pong", 5000);
	cr_assert_not_null(m, "the worker's answer came back over TLS");
	json_decref(m);
	ws_close(w);

	w = ws_connect_tls(env_int("EHAZIRA_HTTPS_PORT"), "/ws",
	    "bearer.not.a.token", 5000, &st, ca);
	cr_assert_null(w);
	cr_assert_eq(st, 401, "a bad token is refused over TLS too");
}

/* ---------- refusals of `scripts/stack up` ---------- */

/* Whether a file under /proc/PID holds needle. */
static int
proc_file_has(const char *pid, const char *file, const char *needle)
{
	char path[300], buf[65536];
	size_t len, i;
	FILE *fp;

	snprintf(path, sizeof(path), "/proc/%s/%s", pid, file);
	if ((fp = fopen(path, "r")) == NULL)
		return 0;
	len = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	for (i = 0; i < len; i++)
		if (buf[i] == '\0')
			buf[i] = '\n';
	buf[len] = '\0';
	return strstr(buf, needle) != NULL;
}

/*
 * Processes of a stack in dir: mariadbd and nginx name it on their
 * command line, the workers and relay in their environment.
 */
static int
processes_using(const char *dir)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)) != NULL) {
		if (e->d_name[0] < '0' || e->d_name[0] > '9' ||
		    atoi(e->d_name) == getpid())
			continue;
		if (proc_file_has(e->d_name, "cmdline", dir) ||
		    proc_file_has(e->d_name, "environ", dir))
			n++;
	}
	if (d)
		closedir(d);
	return n;
}

struct up {
	int rc;
	char err[4096]; /* stderr */
	int lines;      /* of stderr */
};

/* `scripts/stack up` for a fresh state in dir with extra env settings. */
static void
stack_up(const char *dir, const char *env, struct up *u)
{
	char cmd[8192], path[4096];
	FILE *fp;
	size_t n, i;

	snprintf(cmd, sizeof(cmd),
	    "cd %s && env EHAZIRA_STATE=%s/state %s scripts/stack up "
	    ">%s/out.log 2>%s/err.log",
	    getenv("EHAZIRA_TEST_ROOT"), dir, env, dir, dir);
	u->rc = system(cmd);
	snprintf(path, sizeof(path), "%s/err.log", dir);
	memset(u->err, 0, sizeof(u->err));
	u->lines = 0;
	if ((fp = fopen(path, "r")) != NULL) {
		n = fread(u->err, 1, sizeof(u->err) - 1, fp);
		fclose(fp);
		for (i = 0; i < n; i++)
			u->lines += u->err[i] == '\n';
	}
}

static char *
scratch(void)
{
	static char dir[64];

	snprintf(dir, sizeof(dir), "/tmp/ehz-tlsno.XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	return dir;
}

static void
scratch_done(const char *dir)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}

Test(tls_refusals, a_missing_certificate_stops_up_naming_tls_cert,
    .timeout = 60)
{
	const char *dir;
	char env[4096], missing[300];
	struct up u;

	require_tls_stack();
	dir = scratch();
	snprintf(missing, sizeof(missing), "%s/no-such-cert.pem", dir);
	snprintf(env, sizeof(env),
	    "EHAZIRA_HTTP_PORT=%d EHAZIRA_HTTPS_PORT=%d EHAZIRA_DB_PORT=%d "
	    "EHAZIRA_TLS_CERT=%s",
	    pick_port(), pick_port(), pick_port(), missing);
	stack_up(dir, env, &u);
	cr_assert_neq(u.rc, 0, "up must fail");
	cr_assert_eq(u.lines, 1, "one line: %s", u.err);
	cr_assert_not_null(strstr(u.err, "TLS_CERT"), "%s", u.err);
	cr_assert_not_null(strstr(u.err, missing), "%s", u.err);
	cr_assert_eq(processes_using(dir), 0, "nothing started");
	scratch_done(dir);
}

Test(tls_refusals, an_unusable_key_stops_up_naming_tls_key, .timeout = 60)
{
	static const struct {
		const char *key, *says;
	} cases[] = {
		{ "cert.pem", "is not a PEM private key" }, /* a certificate */
		{ "nowhere/key.pem", "no such file" },
		{ "", "TLS_CERT is set but TLS_KEY is not" },
	};
	const char *dir;
	char env[4096], key[300];
	struct up u;
	size_t i;

	require_tls_stack();
	dir = scratch();
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		key[0] = '\0';
		if (cases[i].key[0])
			snprintf(key, sizeof(key), "%s/%s",
			    getenv("EHZ_TLS_DIR"), cases[i].key);
		snprintf(env, sizeof(env),
		    "EHAZIRA_HTTP_PORT=%d EHAZIRA_HTTPS_PORT=%d "
		    "EHAZIRA_DB_PORT=%d EHAZIRA_TLS_KEY=%s",
		    pick_port(), pick_port(), pick_port(), key);
		stack_up(dir, env, &u);
		cr_assert_neq(u.rc, 0, "%s", cases[i].says);
		cr_assert_eq(u.lines, 1, "one line: %s", u.err);
		cr_assert_not_null(strstr(u.err, "TLS_KEY"), "%s", u.err);
		cr_assert_not_null(strstr(u.err, cases[i].says), "%s", u.err);
		cr_assert_not_null(strstr(u.err, key), "%s", u.err);
		cr_assert_eq(processes_using(dir), 0, "nothing started");
	}
	scratch_done(dir);
}

/* A socket on 127.0.0.1:port, listening or only bound. */
static int
hold_port(int port, int listening)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons((uint16_t)port);
	cr_assert_geq(fd, 0);
	cr_assert_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0,
	    "bind %d: %s", port, strerror(errno));
	if (listening)
		cr_assert_eq(listen(fd, 1), 0);
	return fd;
}

Test(tls_refusals, a_port_in_use_stops_up_naming_it_and_nothing_stays_up,
    .timeout = 120)
{
	/*
	 * A listening socket is found before anything starts; one that is
	 * only bound is found when nginx fails to bind, after MariaDB and
	 * the workers started: they must be stopped again.
	 */
	static const struct {
		const char *key;
		int listening;
	} cases[] = {
		{ "HTTP_PORT", 1 },
		{ "HTTPS_PORT", 1 },
		{ "HTTPS_PORT", 0 },
	};
	int http, https, fd;
	const char *dir;
	char env[4096], want[64];
	struct up u;
	size_t i;

	require_tls_stack();
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		dir = scratch();
		http = pick_port();
		https = pick_port();
		fd = hold_port(strcmp(cases[i].key, "HTTP_PORT") == 0 ? http
								      : https,
		    cases[i].listening);
		snprintf(env, sizeof(env),
		    "EHAZIRA_HTTP_PORT=%d EHAZIRA_HTTPS_PORT=%d "
		    "EHAZIRA_DB_PORT=%d",
		    http, https, pick_port());
		stack_up(dir, env, &u);
		close(fd);
		snprintf(want, sizeof(want), "%s: 127.0.0.1:%d is in use",
		    cases[i].key,
		    strcmp(cases[i].key, "HTTP_PORT") == 0 ? http : https);
		cr_assert_neq(u.rc, 0, "%s", want);
		cr_assert_eq(u.lines, 1, "one line: %s", u.err);
		cr_assert_not_null(strstr(u.err, want), "%s", u.err);
		cr_assert_eq(processes_using(dir), 0,
		    "no process of the failed start is left (%s)", want);
		scratch_done(dir);
	}
}
