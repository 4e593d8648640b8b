/*
 * test_redisping.c - nchan's Redis URL as the health check reads it, and
 * the PING itself against a listener that answers like Redis (or not).
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "redisping.h"

struct url_case {
	char url[96];
	int ok;
	char host[32], port[8], password[32];
};

ParameterizedTestParameters(redisping, urls_split_into_host_port_password)
{
	static struct url_case cases[] = {
		{ "redis://127.0.0.1:6380", 0, "127.0.0.1", "6380", "" },
		{ "redis://localhost", 0, "localhost", "6379", "" },
		{ "redis://:s3cret@10.0.0.5:6379/2", 0, "10.0.0.5", "6379",
		    "s3cret" },
		{ "redis://user:p%40ss@redis.college.edu", 0,
		    "redis.college.edu", "6379", "p@ss" },
		{ "redis://[::1]:7000", 0, "::1", "7000", "" },
		{ "redis://:a@b@host:1", 0, "host", "1", "a@b" },
		{ "http://127.0.0.1:6379", -1, "", "", "" },
		{ "redis://", -1, "", "", "" },
		{ "redis://host:0", -1, "", "", "" },
		{ "redis://host:70000", -1, "", "", "" },
		{ "redis://host:12x", -1, "", "", "" },
		{ "redis://host/db", -1, "", "", "" },
		{ "redis://[::1", -1, "", "", "" },
		{ "", -1, "", "", "" },
	};
	return cr_make_param_array(struct url_case, cases,
	    sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct url_case *c, redisping,
    urls_split_into_host_port_password)
{
	struct redis_addr a;

	cr_assert_eq(redisping_parse(c->url, &a), c->ok, "%s", c->url);
	if (c->ok != 0)
		return;
	cr_assert_str_eq(a.host, c->host, "%s", c->url);
	cr_assert_str_eq(a.port, c->port, "%s", c->url);
	cr_assert_str_eq(a.password, c->password, "%s", c->url);
}

/* A one-connection server that reads a request and writes `answer`. */
struct fake {
	int lfd, port;
	const char *answer;
	char got[256];
};

static void *
serve(void *arg)
{
	struct fake *f = arg;
	int fd = accept(f->lfd, NULL, NULL);
	ssize_t n;

	if (fd < 0)
		return NULL;
	n = read(fd, f->got, sizeof(f->got) - 1);
	if (n > 0 && f->answer != NULL &&
	    write(fd, f->answer, strlen(f->answer)) < 0)
		n = 0;
	if (f->answer == NULL)
		sleep(2); /* a Redis that hangs */
	close(fd);
	return NULL;
}

static pthread_t
start_fake(struct fake *f)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	pthread_t t;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	f->lfd = socket(AF_INET, SOCK_STREAM, 0);
	cr_assert(f->lfd >= 0);
	cr_assert_eq(bind(f->lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	cr_assert_eq(listen(f->lfd, 1), 0);
	cr_assert_eq(getsockname(f->lfd, (struct sockaddr *)&sa, &len), 0);
	f->port = ntohs(sa.sin_port);
	pthread_create(&t, NULL, serve, f);
	return t;
}

struct ping_case {
	const char *password, *answer;
	int up;
};

Test(redisping, pong_is_up_and_errors_timeouts_and_silence_are_down,
    .timeout = 20)
{
	static const struct ping_case cases[] = {
		{ "", "+PONG\r\n", 1 },
		{ "pw", "+OK\r\n+PONG\r\n", 1 },
		{ "bad", "-WRONGPASS invalid password\r\n-NOAUTH x\r\n", 0 },
		{ "", "-NOAUTH Authentication required.\r\n", 0 },
		{ "", NULL, 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fake f = { .answer = cases[i].answer };
		pthread_t t = start_fake(&f);
		char url[96];

		snprintf(url, sizeof(url), "redis://%s%s%s127.0.0.1:%d",
		    *cases[i].password ? ":" : "", cases[i].password,
		    *cases[i].password ? "@" : "", f.port);
		cr_assert_eq(redisping(url, 300), cases[i].up, "case %zu", i);
		pthread_join(t, NULL);
		close(f.lfd);
		if (*cases[i].password)
			cr_assert(strstr(f.got, "AUTH") != NULL &&
			    strstr(f.got, cases[i].password) != NULL);
		cr_assert(strstr(f.got, "PING") != NULL, "case %zu", i);
	}
}

Test(redisping, nothing_listening_is_down_and_a_bad_url_says_so)
{
	struct fake f = { 0 };
	char url[64];

	start_fake(&f); /* a port, then closed: nobody listens */
	close(f.lfd);
	snprintf(url, sizeof(url), "redis://127.0.0.1:%d", f.port);
	cr_assert_eq(redisping(url, 300), 0);
	cr_assert_eq(redisping("nonsense", 300), -1);
}
