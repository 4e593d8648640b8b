/*
 * test_buf.c - the growable buffer (fcgi/core/buf.c): appends up to its
 * limit and not past it, libcurl's writer stopping there, room reserved
 * and growth by doubling, and whole files read (empty ones too) or
 * refused (missing, a directory).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"

Test(buf, appends_up_to_the_limit_and_refuses_past_it_unchanged)
{
	struct buf b = { .max = 5 };

	cr_assert_eq(buf_append(&b, "abc", 3), 0);
	cr_assert_eq(buf_append(&b, "de", 2), 0);
	cr_assert_str_eq(b.p, "abcde");
	cr_assert_eq(buf_append(&b, "f", 1), -1);
	cr_assert_eq(b.n, 5);
	cr_assert_str_eq(b.p, "abcde", "unchanged");
	/* libcurl's writer: a short count stops the transfer */
	cr_assert_eq(buf_curl_write("gh", 1, 2, &b), 0);
	buf_release(&b);
	cr_assert_null(b.p);
	cr_assert_eq(b.n, 0);
	cr_assert_eq(buf_curl_write("gh", 1, 2, &b), 2);
	cr_assert_str_eq(b.p, "gh");
	buf_release(&b);
}

Test(buf, reserved_room_is_filled_without_moving_and_growth_doubles)
{
	struct buf b = { 0 };
	char *p;
	int i;

	cr_assert_eq(buf_reserve(&b, 10000), 0);
	cr_assert_str_eq(b.p, "", "an empty string after a reserve");
	p = b.p;
	for (i = 0; i < 1000; i++)
		cr_assert_eq(buf_append(&b, "0123456789", 10), 0);
	cr_expect_eq(b.p, p, "10,000 bytes in the room reserved");
	cr_expect_eq(b.cap, 10001);
	cr_assert_eq(buf_append(&b, "x", 1), 0);
	cr_expect_eq(b.cap, 20002, "doubled, not grown by one byte");
	cr_expect_eq(b.n, 10001);
	cr_expect_eq(b.p[10000], 'x');
	cr_expect_eq(b.p[10001], '\0');
	buf_release(&b);
	cr_expect_eq(b.cap, 0);
	cr_assert_eq(buf_append(&b, "ab", 2), 0);
	cr_expect_eq(b.cap, 4096, "a first append takes 4 KB");
	buf_release(&b);
}

Test(buf, files_are_read_whole_and_an_empty_one_is_an_empty_string)
{
	char path[] = "/tmp/ehz-buf.XXXXXX", *s;
	size_t len = 99;
	int fd = mkstemp(path);

	cr_assert_geq(fd, 0);
	s = buf_read_file(path, &len);
	cr_assert_not_null(s);
	cr_assert_eq(len, 0);
	cr_assert_str_eq(s, "");
	free(s);
	cr_assert_eq(write(fd, "line\n", 5), 5);
	close(fd);
	s = buf_read_file(path, NULL);
	cr_assert_str_eq(s, "line\n");
	free(s);
	unlink(path);
}

Test(buf, a_missing_file_or_a_directory_is_null)
{
	size_t len = 0;

	cr_assert_null(buf_read_file("/nonexistent/ehz-buf", &len));
	cr_assert_null(buf_read_file("/tmp", &len));
}
