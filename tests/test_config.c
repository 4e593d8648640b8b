/*
 * test_config.c - the config table: file, env overrides, derived paths,
 * ranges, secrets, no fallback file, init-config; fail-fast messages that
 * name the key.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"

static char path[64];

static void
write_conf(const char *text)
{
	FILE *fp;

	snprintf(path, sizeof(path), "/tmp/ehz-conf-%d", (int)getpid());
	fp = fopen(path, "w");
	fputs(text, fp);
	fclose(fp);
	setenv("EHAZIRA_CONF", path, 1);
}

static void
teardown(void)
{
	unlink(path);
	unsetenv("EHAZIRA_HTTP_PORT");
	unsetenv("EHAZIRA_JWT_SECRET");
	unsetenv("EHAZIRA_OTP_TTL");
}

#define GOOD                                              \
	"DB_PASSWORD = pw-0123456789abcdef\n"             \
	"JWT_SECRET = 0123456789abcdef0123456789abcdef\n" \
	"WS_SUBJECT_KEY = fedcba9876543210fedcba9876543210\n"

Test(config, defaults_fill_what_the_file_leaves_out, .fini = teardown)
{
	struct config c;
	char err[256];

	write_conf("# comment\n\nSTATE = /tmp/ehz-state\n" GOOD);
	cr_assert_eq(config_load(&c, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(c.http_port, 8080);
	cr_assert_eq(c.otp_ttl, 15);
	cr_assert_str_eq(c.db_password, "pw-0123456789abcdef");
	cr_assert_str_eq(c.db_socket, "/tmp/ehz-state/run/mysqld.sock");
	cr_assert_str_eq(c.public_url, "http://127.0.0.1:8080");
	/* not weaker than Android: what a certified phone gets, and an
	 * unverifiable iPhone waits for a teacher */
	cr_assert_str_eq(c.integrity_min_level, "DEVICE");
	cr_assert_str_eq(c.ios_policy, "approve-first");
}

Test(config, the_environment_overrides_the_file, .fini = teardown)
{
	struct config c;
	char err[256];

	write_conf("HTTP_PORT = 9000\n" GOOD);
	setenv("EHAZIRA_HTTP_PORT", "9191", 1);
	cr_assert_eq(config_load(&c, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(c.http_port, 9191);
}

struct bad_case {
	const char *text;
	const char *mention;
};

static struct bad_case bad[] = {
	/* required secrets */
	{ "JWT_SECRET = 0123456789abcdef0123456789abcdef\n"
	  "WS_SUBJECT_KEY = fedcba9876543210fedcba9876543210\n",
	    "DB_PASSWORD" },
	{ "DB_PASSWORD = pw-0123456789abcdef\n"
	  "WS_SUBJECT_KEY = fedcba9876543210fedcba9876543210\n",
	    "JWT_SECRET" },
	{ "DB_PASSWORD = pw-0123456789abcdef\n"
	  "JWT_SECRET = 0123456789abcdef0123456789abcdef\n",
	    "WS_SUBJECT_KEY" },
	/* short, published or placeholder secrets */
	{ GOOD "JWT_SECRET = short\n", "'JWT_SECRET' must be at least 32" },
	{ GOOD "DB_PASSWORD = pw\n", "'DB_PASSWORD' must be at least 16" },
	{ GOOD "WS_SUBJECT_KEY = 0123456789\n", "'WS_SUBJECT_KEY' must be at" },
	{ GOOD "JWT_SECRET = dev-only-secret-change-me-0123456789abcdef\n",
	    "'JWT_SECRET' is a published example" },
	{ GOOD "DB_PASSWORD = ehazira-dev-password\n",
	    "'DB_PASSWORD' is a published example" },
	{ GOOD "WS_SUBJECT_KEY = CHANGE-ME-CHANGE-ME-CHANGE-ME-CHANGE-ME\n",
	    "'WS_SUBJECT_KEY' is a published example" },
	/* numbers: not a number, and each side of a range */
	{ GOOD "HTTP_PORT = eighty\n", "'HTTP_PORT' must be a whole number" },
	{ GOOD "HTTP_PORT = 70000\n",
	    "'HTTP_PORT' must be between 1 and 65535" },
	{ GOOD "DB_PORT = 0\n", "'DB_PORT' must be between 1 and 65535" },
	{ GOOD "FCGI_THREADS = 0\n",
	    "'FCGI_THREADS' must be between 1 and 512" },
	{ GOOD "FCGI_PROCESSES = 65\n", "'FCGI_PROCESSES' must be between 1" },
	{ GOOD "BODY_MAX = 10\n", "'BODY_MAX' must be between 1024" },
	{ GOOD "OTP_TTL = 0\n", "'OTP_TTL' must be between 5 and 600" },
	{ GOOD "OTP_TTL = -15\n", "'OTP_TTL' must be between 5 and 600" },
	{ GOOD "OTP_GRACE = 31\n", "'OTP_GRACE' must be between 0 and 30" },
	{ GOOD "SUBMIT_RATE = 0\n",
	    "'SUBMIT_RATE' must be between 1 and 100000" },
	{ GOOD "DB_TIMEOUT = 0\n", "'DB_TIMEOUT' must be between 1 and 60" },
	{ GOOD "REQUIRE_INTEGRITY = 2\n",
	    "'REQUIRE_INTEGRITY' must be between" },
	{ GOOD "AT_RISK_PERCENT = 101\n", "'AT_RISK_PERCENT' must be between" },
	/* enums: exact words only */
	{ GOOD "LOG_LEVEL = verbose\n",
	    "'LOG_LEVEL' must be one of debug|info|warn|error, not 'verbose'" },
	{ GOOD "LOG_LEVEL = inf\n", "'LOG_LEVEL' must be one of" },
	{ GOOD "LOG_LEVEL = \n", "'LOG_LEVEL' must be one of" },
	{ GOOD "INTEGRITY_MIN_LEVEL = strong\n",
	    "'INTEGRITY_MIN_LEVEL' must be one of STRONG|DEVICE|BASIC" },
	{ GOOD "INTEGRITY_MIN_LEVEL = FAIL\n",
	    "'INTEGRITY_MIN_LEVEL' must be" },
	{ GOOD "INTEGRITY_MIN_LEVEL = device\n",
	    "'INTEGRITY_MIN_LEVEL' must be" },
	{ GOOD "IOS_POLICY = maybe\n",
	    "'IOS_POLICY' must be one of refuse|approve-first|allow" },
	{ GOOD "IOS_POLICY = approve\n", "'IOS_POLICY' must be one of" },
	{ GOOD "DB_REPLICA = replica.college.edu\n", "'DB_REPLICA' must be" },
	{ GOOD "DB_REPLICA = 10.0.0.2:0\n", "'DB_REPLICA' must be" },
	{ GOOD "DB_REPLICA = 10.0.0.2:3306x\n", "'DB_REPLICA' must be" },
	{ GOOD "DB_REPLICA = fe80::1:3306\n", "'DB_REPLICA' must be" },
	{ GOOD "DB_REPLICA = a b:3306\n", "'DB_REPLICA' must be" },
	{ GOOD "DB_REPLICA_MAX_LAG = -1\n", "'DB_REPLICA_MAX_LAG' must be" },
	/* the file itself */
	{ GOOD "NO_SUCH_KEY = 1\n", "unknown key 'NO_SUCH_KEY'" },
	{ GOOD "just words\n", "expected KEY = value" },
};

Test(config, bad_settings_fail_naming_the_key, .fini = teardown)
{
	struct config c;
	char err[256];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		write_conf(bad[i].text);
		err[0] = '\0';
		cr_assert_eq(config_load(&c, err, sizeof(err)), -1, "case %zu",
		    i);
		cr_assert(strstr(err, bad[i].mention) != NULL,
		    "case %zu: '%s' should mention %s", i, err, bad[i].mention);
	}
}

Test(config, printed_values_are_shell_quoted, .fini = teardown)
{
	struct config c;
	char err[256], buf[8192] = "";
	FILE *fp;

	write_conf(GOOD "DB_USER = o'brien\n");
	cr_assert_eq(config_load(&c, err, sizeof(err)), 0, "%s", err);
	fp = fmemopen(buf, sizeof(buf) - 1, "w");
	config_print(&c, fp);
	fclose(fp);
	cr_assert(strstr(buf, "DB_USER='o'\\''brien'\n") != NULL);
	cr_assert(strstr(buf, "HTTP_PORT=8080\n") != NULL);
}

Test(config, the_environment_is_checked_like_the_file, .fini = teardown)
{
	struct config c;
	char err[256];

	write_conf(GOOD);
	setenv("EHAZIRA_OTP_TTL", "100000", 1);
	cr_assert_eq(config_load(&c, err, sizeof(err)), -1);
	cr_assert(strstr(err, "'OTP_TTL' must be between 5 and 600") != NULL,
	    "%s", err);
}

Test(config, without_ehazira_conf_nothing_starts, .fini = teardown)
{
	struct config c;
	char err[256];

	/* the example sits in the working directory: still not read */
	unsetenv("EHAZIRA_CONF");
	cr_assert_eq(config_load(&c, err, sizeof(err)), -1);
	cr_assert(strstr(err, "EHAZIRA_CONF is not set") != NULL, "%s", err);
	setenv("EHAZIRA_CONF", "", 1);
	cr_assert_eq(config_load(&c, err, sizeof(err)), -1);
	cr_assert(strstr(err, "EHAZIRA_CONF") != NULL, "%s", err);
}

Test(config, the_shipped_example_is_refused_for_its_secrets, .fini = teardown)
{
	struct config c;
	char err[256];

	setenv("EHAZIRA_CONF", "ehazira.conf.example", 1);
	cr_assert_eq(config_load(&c, err, sizeof(err)), -1);
	cr_assert(strstr(err, "SECRET") != NULL || strstr(err, "PASSWORD") ||
		strstr(err, "KEY"),
	    "%s", err);
	cr_assert(strstr(err, "published example") != NULL ||
		strstr(err, "missing") != NULL,
	    "%s", err);
}

Test(config, init_config_writes_private_random_secrets, .fini = teardown)
{
	struct config c1, c2;
	char err[256], p1[64], p2[64];
	struct stat st;

	write_conf("HTTP_PORT = 9123\nJWT_SECRET = x\n# kept comment\n");
	snprintf(p1, sizeof(p1), "/tmp/ehz-init1-%d", (int)getpid());
	snprintf(p2, sizeof(p2), "/tmp/ehz-init2-%d", (int)getpid());
	unlink(p1);
	unlink(p2);
	cr_assert_eq(config_write_new(p1, path, err, sizeof(err)), 0, "%s",
	    err);
	cr_assert_eq(config_write_new(p2, NULL, err, sizeof(err)), 0, "%s",
	    err);
	cr_assert_eq(stat(p1, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600);
	setenv("EHAZIRA_CONF", p1, 1);
	cr_assert_eq(config_load(&c1, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(c1.http_port, 9123, "the template's settings are kept");
	cr_assert_eq(strlen(c1.jwt_secret), 64);
	setenv("EHAZIRA_CONF", p2, 1);
	cr_assert_eq(config_load(&c2, err, sizeof(err)), 0, "%s", err);
	cr_assert_str_neq(c1.jwt_secret, c2.jwt_secret);
	cr_assert_str_neq(c1.db_password, c2.db_password);
	cr_assert_str_neq(c1.jwt_secret, c1.ws_subject_key);
	/* never over an existing file */
	cr_assert_eq(config_write_new(p1, NULL, err, sizeof(err)), -1);
	cr_assert(strstr(err, p1) != NULL, "%s", err);
	cr_assert_eq(stat(p1, &st), 0, "the existing file is left alone");
	unlink(p1);
	unlink(p2);
}

struct check_case {
	const char *key, *value;
	int ok;
};

static struct check_case checks[] = {
	{ "HTTP_PORT", "1", 1 },
	{ "HTTP_PORT", "65535", 1 },
	{ "HTTP_PORT", "65536", 0 },
	{ "OTP_TTL", "5", 1 },
	{ "OTP_TTL", "4", 0 },
	{ "LOG_LEVEL", "debug", 1 },
	{ "LOG_LEVEL", "error", 1 },
	{ "LOG_LEVEL", "DEBUG", 0 },
	{ "INTEGRITY_MIN_LEVEL", "BASIC", 1 },
	{ "INTEGRITY_MIN_LEVEL", "FAIL", 0 },
	{ "DEMO", "1", 1 },
	{ "DEMO", "yes", 0 },
	{ "STATE", "/anything", 1 },
	{ "NOPE", "1", 0 },
};

Test(config, each_range_column_has_both_edges)
{
	char err[256];
	size_t i;

	for (i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
		err[0] = '\0';
		cr_assert_eq(config_check(checks[i].key, checks[i].value, err,
				 sizeof(err)) == 0,
		    checks[i].ok, "%s = %s: %s", checks[i].key, checks[i].value,
		    err);
		if (!checks[i].ok)
			cr_assert(strstr(err, checks[i].key) != NULL, "%s",
			    err);
	}
}

Test(config, quoted_values_lose_their_quotes_and_a_missing_file_is_named,
    .fini = teardown)
{
	struct config c;
	char err[256];

	write_conf(GOOD "HTTP_PORT = '8123'\n");
	cr_assert_eq(config_load(&c, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(c.http_port, 8123);
	setenv("EHAZIRA_CONF", "/nonexistent/ehazira.conf", 1);
	cr_assert_eq(config_load(&c, err, sizeof(err)), -1);
	cr_assert(strstr(err, "/nonexistent/ehazira.conf") != NULL, "%s", err);
	cr_assert_eq(config_write_new("/tmp/ehz-conf-never",
			 "/nonexistent/template", err, sizeof(err)),
	    -1);
	cr_assert(strstr(err, "/nonexistent/template") != NULL, "%s", err);
	cr_assert_eq(access("/tmp/ehz-conf-never", F_OK), -1,
	    "nothing written");
}

static const struct {
	const char *v, *host;
	long port;
} hostports[] = {
	{ "127.0.0.1:3308", "127.0.0.1", 3308 },
	{ "replica.college.edu:3306", "replica.college.edu", 3306 },
	{ "[fd00::2]:3306", "fd00::2", 3306 },
	{ "db-2:65535", "db-2", 65535 },
	{ ":3306", NULL, 0 },
	{ "host:", NULL, 0 },
	{ "host:65536", NULL, 0 },
	{ "[fd00::2:3306", NULL, 0 },
	{ "host;drop:3306", NULL, 0 },
};

Test(config, a_replica_address_is_host_and_port)
{
	char host[64];
	long port;
	size_t i;

	for (i = 0; i < sizeof(hostports) / sizeof(hostports[0]); i++) {
		int rc =
		    config_hostport(hostports[i].v, host, sizeof(host), &port);

		cr_assert_eq(rc == 0, hostports[i].host != NULL, "%s",
		    hostports[i].v);
		if (rc == 0) {
			cr_assert_str_eq(host, hostports[i].host);
			cr_assert_eq(port, hostports[i].port);
		}
	}
}
