/*
 * redisping.c - one PING to the Redis under nchan, for /healthz and
 * /metrics.  It speaks just enough RESP to authenticate and ping: a fresh
 * TCP connection each time (a health check is rare next to the requests
 * it guards), non-blocking with one deadline over connect, write and read
 * so a hung Redis cannot hold a worker thread.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "redisping.h"

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Copies [s, e) into out (n bytes), decoding %XX; -1 if it does not fit. */
static int
unescape(const char *s, const char *e, char *out, size_t n)
{
	size_t k = 0;

	for (; s < e; s++) {
		int c = (unsigned char)*s;

		if (c == '%' && e - s >= 3 && hexval(s[1]) >= 0 &&
		    hexval(s[2]) >= 0) {
			c = hexval(s[1]) * 16 + hexval(s[2]);
			s += 2;
		}
		if (k + 1 >= n)
			return -1;
		out[k++] = (char)c;
	}
	out[k] = '\0';
	return 0;
}

static int
copy(const char *s, const char *e, char *out, size_t n)
{
	if (e <= s || (size_t)(e - s) >= n)
		return -1;
	memcpy(out, s, (size_t)(e - s));
	out[e - s] = '\0';
	return 0;
}

/* host[:port] or [v6][:port] in [s, e). */
static int
parse_hostport(const char *s, const char *e, struct redis_addr *a)
{
	const char *colon, *p;

	if (s < e && *s == '[') {
		const char *rb = memchr(s, ']', (size_t)(e - s));

		if (rb == NULL || copy(s + 1, rb, a->host, sizeof(a->host)) < 0)
			return -1;
		colon = rb + 1 < e && rb[1] == ':' ? rb + 1 : NULL;
		if (rb + 1 < e && colon == NULL)
			return -1;
	} else {
		colon = memchr(s, ':', (size_t)(e - s));
		if (copy(s, colon ? colon : e, a->host, sizeof(a->host)) < 0)
			return -1;
	}
	if (colon == NULL)
		return copy("6379", "6379" + 4, a->port, sizeof(a->port));
	for (p = colon + 1; p < e; p++)
		if (*p < '0' || *p > '9')
			return -1;
	if (copy(colon + 1, e, a->port, sizeof(a->port)) < 0 ||
	    atoi(a->port) < 1 || atoi(a->port) > 65535)
		return -1;
	return 0;
}

int
redisping_parse(const char *url, struct redis_addr *a)
{
	const char *s, *end, *at, *slash, *p;

	memset(a, 0, sizeof(*a));
	if (url == NULL || strncmp(url, "redis://", 8) != 0)
		return -1;
	s = url + 8;
	end = s + strlen(s);
	slash = strchr(s, '/');
	if (slash != NULL) {
		for (p = slash + 1; p < end; p++)
			if (*p < '0' || *p > '9')
				return -1;
		end = slash;
	}
	at = NULL;
	for (p = s; p < end; p++)
		if (*p == '@')
			at = p;
	if (at != NULL) {
		const char *colon = memchr(s, ':', (size_t)(at - s));

		if (unescape(colon ? colon + 1 : s, at, a->password,
			sizeof(a->password)) < 0)
			return -1;
		s = at + 1;
	}
	return parse_hostport(s, end, a);
}

static long
ms_left(const struct timespec *deadline)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (deadline->tv_sec - now.tv_sec) * 1000 +
	    (deadline->tv_nsec - now.tv_nsec) / 1000000;
}

/* Waits for ev on fd until the deadline: 1 ready, 0 not. */
static int
wait_fd(int fd, short ev, const struct timespec *deadline)
{
	struct pollfd pfd = { .fd = fd, .events = ev };
	long left = ms_left(deadline);

	if (left <= 0)
		return 0;
	return poll(&pfd, 1, (int)left) == 1 &&
	    (pfd.revents & (ev | POLLHUP | POLLERR)) != 0;
}

static int
connect_by(const struct redis_addr *a, const struct timespec *deadline)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai = NULL;
	int fd = -1, err = 0;
	socklen_t len = sizeof(err);

	if (getaddrinfo(a->host, a->port, &hints, &ai) != 0 || ai == NULL)
		goto out;
	fd = socket(ai->ai_family,
	    ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
	if (fd < 0)
		goto out;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0 &&
	    (errno != EINPROGRESS || !wait_fd(fd, POLLOUT, deadline) ||
		getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0 ||
		err != 0)) {
		close(fd);
		fd = -1;
	}
out:
	if (ai != NULL)
		freeaddrinfo(ai);
	return fd;
}

/* The request: AUTH (when a password is given) then PING, as RESP. */
static int
request(const struct redis_addr *a, char *out, size_t n)
{
	size_t pl = strlen(a->password);
	int k;

	if (pl == 0)
		return snprintf(out, n, "*1\r\n$4\r\nPING\r\n");
	k = snprintf(out, n,
	    "*2\r\n$4\r\nAUTH\r\n$%zu\r\n%s\r\n"
	    "*1\r\n$4\r\nPING\r\n",
	    pl, a->password);
	return k > 0 && (size_t)k < n ? k : -1;
}

int
redisping(const char *url, int timeout_ms)
{
	struct redis_addr a;
	struct timespec deadline;
	char req[600], in[512];
	size_t got = 0;
	ssize_t w = 0, k;
	int fd = -1, len, up = 0;

	if (redisping_parse(url, &a) < 0)
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += timeout_ms / 1000;
	deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	if ((len = request(&a, req, sizeof(req))) < 0 ||
	    (fd = connect_by(&a, &deadline)) < 0)
		goto out;
	while (w < len && wait_fd(fd, POLLOUT, &deadline)) {
		if ((k = send(fd, req + w, (size_t)(len - w), MSG_NOSIGNAL)) <=
		    0)
			goto out;
		w += k;
	}
	/* Any error line (-NOAUTH, -WRONGPASS) before +PONG means down. */
	while (w == len && got + 1 < sizeof(in) &&
	    wait_fd(fd, POLLIN, &deadline)) {
		if ((k = recv(fd, in + got, sizeof(in) - 1 - got, 0)) <= 0)
			break;
		got += (size_t)k;
		in[got] = '\0';
		if (in[0] == '-' || strstr(in, "\r\n-") != NULL)
			break;
		if (strstr(in, "+PONG\r\n") != NULL) {
			up = 1;
			break;
		}
	}
out:
	explicit_bzero(req, sizeof(req));
	explicit_bzero(&a, sizeof(a));
	if (fd >= 0)
		close(fd);
	return up;
}
