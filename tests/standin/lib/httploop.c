/*
 * httploop.c - the stand-ins' shared connection loop (httploop.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock.h"
#include "httploop.h"

static void
conn_close(struct standin_loop *l, int i)
{
	close(l->conns[i].fd);
	free(l->conns[i].in);
	free(l->conns[i].out);
	l->conns[i] = l->conns[--l->nconns];
}

/* Reads what is there; -1 when the peer is gone. */
static int
conn_read(struct standin_conn *c)
{
	ssize_t n;

	for (;;) {
		if (c->capin - c->nin < 4096) {
			c->capin = c->capin ? c->capin * 2 : 8192;
			c->in = realloc(c->in, c->capin + 1);
		}
		n = read(c->fd, c->in + c->nin, c->capin - c->nin);
		if (n > 0) {
			c->nin += (size_t)n;
			continue;
		}
		if (n == 0)
			return -1;
		return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
	}
}

static int
conn_write(struct standin_conn *c)
{
	ssize_t n;

	while (c->off < c->nout) {
		n = write(c->fd, c->out + c->off, c->nout - c->off);
		if (n < 0)
			return errno == EAGAIN ? 0 : -1;
		c->off += (size_t)n;
	}
	c->nout = c->off = 0;
	return c->close_after ? -1 : 0;
}

/* Answers what can be answered now; -1 when the connection is done. */
static int
conn_step(struct standin_loop *l, struct standin_conn *c)
{
	for (;;) {
		if (c->nout > c->off) {
			if (c->ready_at > clock_wall_ms())
				return 0;
			if (conn_write(c) < 0)
				return -1;
			if (c->nout > c->off)
				return 0; /* the rest at POLLOUT */
		}
		if (!l->serve_one(c))
			return 0;
	}
}

int
standin_listen(int port, int *bound)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), one = 1;

	sa.sin_port = htons((unsigned short)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(fd, 1024) < 0)
		return -1;
	getsockname(fd, (struct sockaddr *)&sa, &sl);
	*bound = ntohs(sa.sin_port);
	return fd;
}

void
standin_serve(struct standin_loop *l, int lfd)
{
	static struct pollfd pfd[STANDIN_MAX_CONNS + 1];
	long long now, wait;
	int i, n, fd, one = 1;

	while (!*l->stop) {
		now = clock_wall_ms();
		wait = 1000;
		pfd[0].fd = lfd;
		pfd[0].events = l->nconns < STANDIN_MAX_CONNS ? POLLIN : 0;
		for (i = 0; i < l->nconns; i++) {
			struct standin_conn *c = &l->conns[i];

			pfd[i + 1].fd = c->fd;
			pfd[i + 1].events = POLLIN;
			if (c->nout > c->off) {
				if (c->ready_at > now) {
					if (c->ready_at - now < wait)
						wait = c->ready_at - now;
				} else {
					pfd[i + 1].events |= POLLOUT;
				}
			}
		}
		n = l->nconns;
		if (poll(pfd, (nfds_t)n + 1, (int)wait) < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "%s: poll: %s\n", l->name,
			    strerror(errno));
			return;
		}
		/* Backwards: conn_close moves the last entry into the hole. */
		for (i = n - 1; i >= 0; i--) {
			struct standin_conn *c = &l->conns[i];
			int gone = 0;

			if (pfd[i + 1].revents & (POLLIN | POLLHUP | POLLERR))
				gone = conn_read(c) < 0;
			if (gone || conn_step(l, c) < 0)
				conn_close(l, i);
		}
		if (pfd[0].revents & POLLIN) {
			while (l->nconns < STANDIN_MAX_CONNS &&
			    (fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK)) >=
				0) {
				setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
				    sizeof(one));
				memset(&l->conns[l->nconns], 0,
				    sizeof(l->conns[0]));
				l->conns[l->nconns++].fd = fd;
			}
		}
	}
}

void
standin_close_all(struct standin_loop *l)
{
	while (l->nconns > 0)
		conn_close(l, l->nconns - 1);
}
