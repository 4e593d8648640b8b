/*
 * test_log.c - the log file of a packaged daemon (EHAZIRA_LOG_FILE): opened
 * as stderr at start and opened again after logrotate moved it, so lines
 * after the rotation land in the new file and none is lost.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"

static char dir[64], file[96], moved[96];

static void
setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/ehz-log-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(file, sizeof(file), "%s/fcgi.log", dir);
	snprintf(moved, sizeof(moved), "%s/fcgi.log.1", dir);
	setenv("EHAZIRA_LOG_FILE", file, 1);
	log_init("test-log", "info");
}

static void
teardown(void)
{
	unlink(file);
	unlink(moved);
	rmdir(dir);
	unsetenv("EHAZIRA_LOG_FILE");
}

/* The whole file as a string (empty when it does not exist). */
static char *
slurp(const char *path)
{
	static char buf[4096];
	FILE *fp = fopen(path, "r");
	size_t n = 0;

	if (fp) {
		n = fread(buf, 1, sizeof(buf) - 1, fp);
		fclose(fp);
	}
	buf[n] = '\0';
	return buf;
}

Test(log, a_daemon_writes_its_lines_to_the_named_file, .init = setup,
    .fini = teardown)
{
	struct stat st;

	cr_assert_eq(log_reopen(), 0);
	log_info("first line");
	cr_assert_not_null(strstr(slurp(file), "test-log["));
	cr_assert_not_null(strstr(slurp(file), "info: first line\n"));
	cr_assert_eq(stat(file, &st), 0);
	cr_assert_eq(st.st_mode & 0777 & ~0640, 0, "mode %o", st.st_mode);
}

Test(log, after_a_rotation_lines_go_to_the_new_file, .init = setup,
    .fini = teardown)
{
	cr_assert_eq(log_reopen(), 0);
	log_info("before rotation");
	cr_assert_eq(rename(file, moved), 0);
	log_info("still the old file");
	cr_assert_eq(log_reopen(), 0);
	log_info("after rotation");
	cr_assert_not_null(strstr(slurp(moved), "before rotation"));
	cr_assert_not_null(strstr(slurp(moved), "still the old file"));
	cr_assert_null(strstr(slurp(moved), "after rotation"));
	cr_assert_not_null(strstr(slurp(file), "after rotation"));
	cr_assert_null(strstr(slurp(file), "before rotation"));
}

Test(log, an_unwritable_log_file_is_refused, .init = setup, .fini = teardown)
{
	setenv("EHAZIRA_LOG_FILE", "/nonexistent-dir/ehazira/fcgi.log", 1);
	cr_assert_eq(log_reopen(), -1);
}

Test(log, without_a_log_file_stderr_stays_as_it_is, .init = setup,
    .fini = teardown)
{
	unsetenv("EHAZIRA_LOG_FILE");
	cr_assert_eq(log_reopen(), 0);
	log_info("to stderr");
	cr_assert_eq(access(file, F_OK), -1);
}
