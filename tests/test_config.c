/*
 * test_config.c - the config table: file, env overrides, derived paths and
 * fail-fast messages that name the key.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
}

#define GOOD "DB_PASSWORD = pw\nJWT_SECRET = 0123456789abcdef0123456789abcdef\n"

Test(config, defaults_fill_what_the_file_leaves_out, .fini = teardown)
{
	struct config c;
	char err[256];

	write_conf("# comment\n\nSTATE = /tmp/ehz-state\n" GOOD);
	cr_assert_eq(config_load(&c, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(c.http_port, 8080);
	cr_assert_eq(c.otp_ttl, 15);
	cr_assert_str_eq(c.db_password, "pw");
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
	{ "JWT_SECRET = 0123456789abcdef0123456789abcdef\n", "DB_PASSWORD" },
	{ "DB_PASSWORD = x\n", "JWT_SECRET" },
	{ GOOD "JWT_SECRET = short\n", "JWT_SECRET" },
	{ GOOD "HTTP_PORT = eighty\n", "HTTP_PORT" },
	{ GOOD "HTTP_PORT = 70000\n", "HTTP_PORT" },
	{ GOOD "NO_SUCH_KEY = 1\n", "NO_SUCH_KEY" },
	{ GOOD "just words\n", "expected KEY = value" },
	{ GOOD "FCGI_THREADS = 0\n", "FCGI_THREADS" },
	{ GOOD "BODY_MAX = 10\n", "BODY_MAX" },
	{ GOOD "INTEGRITY_MIN_LEVEL = FAIL\n", "INTEGRITY_MIN_LEVEL" },
	{ GOOD "INTEGRITY_MIN_LEVEL = device\n", "INTEGRITY_MIN_LEVEL" },
	{ GOOD "IOS_POLICY = maybe\n", "IOS_POLICY" },
	{ GOOD "IOS_POLICY = approve\n", "IOS_POLICY" },
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
