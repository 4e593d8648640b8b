/*
 * test_pubsub.c - publishing to nchan's publisher socket: the hand-written
 * HTTP/1.1 exchange, pipelined replies however they arrive, a connection
 * nginx closed while idle, and refusals.  A thread plays the publisher on
 * a unix socket and answers as each test scripts it.
 */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "config.h"
#include "pubsub.h"

enum reply_mode {
	ALL_AT_ONCE,     /* every reply in one write */
	BYTE_BY_BYTE,    /* each reply dribbled out a byte at a time */
	CLOSE_FIRST,     /* the first connection is closed without a reply */
	REFUSE,          /* 403 to everything */
	FAIL_MIDDLE,     /* first connection: 201, 500, 201; then all 201 */
	CLOSE_AFTER_ONE, /* first connection: one 201, then closed */
};

struct publisher {
	char path[108];
	int fd, mode, conns, requests;
	char last_body[512];
	char all[8192]; /* the requests of the last read, as they came */
};

static const char reply_ok[] =
    "HTTP/1.1 201 Created\r\nServer: nginx\r\nContent-Type: text/plain\r\n"
    "Content-Length: 46\r\n\r\nqueued messages: 1\r\nlast requested: 0 sec. "
    "ago";
static const char reply_refused[] =
    "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n";
static const char reply_failed[] =
    "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n";

/* Reads requests until n complete ones (JSON bodies) have arrived. */
static int
read_requests(int c, int n, char *last_body, size_t cap, char *all,
    size_t allcap)
{
	char buf[65536], *p;
	size_t have = 0;
	int seen = 0;
	ssize_t k;

	while (seen < n) {
		if ((k = read(c, buf + have, sizeof(buf) - 1 - have)) <= 0)
			return seen;
		have += (size_t)k;
		buf[have] = '\0';
		seen = 0;
		for (p = buf; (p = strstr(p, "POST /pub/")) != NULL; p++)
			seen++;
		if (buf[have - 1] != '}')
			seen--; /* the last body is not all there yet */
	}
	p = strrchr(buf, '{');
	/* truncated to the callers' buffers on purpose */
	snprintf(last_body, cap, "%.*s", (int)(cap - 1), p ? p : "");
	snprintf(all, allcap, "%.*s", (int)(allcap - 1), buf);
	return seen;
}

/* Answers the requests on one connection as the mode says, until EOF. */
static void
converse(struct publisher *pb, int c)
{
	char all[4096];
	const char *r;
	size_t j;
	int n, i;

	for (;;) {
		/* The partial modes' first batch is three events. */
		n = read_requests(c,
		    pb->mode == ALL_AT_ONCE ||
			    (pb->mode >= FAIL_MIDDLE && pb->conns == 1 &&
				pb->requests == 0)
			? 3
			: 1,
		    pb->last_body, sizeof(pb->last_body), pb->all,
		    sizeof(pb->all));
		if (n <= 0 || (pb->mode == CLOSE_FIRST && pb->conns == 1))
			return;
		pb->requests += n;
		if (pb->conns == 1 && n == 3 && pb->mode == FAIL_MIDDLE) {
			snprintf(all, sizeof(all), "%s%s%s", reply_ok,
			    reply_failed, reply_ok);
			if (write(c, all, strlen(all)) < 0)
				return;
			continue;
		}
		if (pb->conns == 1 && n == 3 && pb->mode == CLOSE_AFTER_ONE) {
			(void)write(c, reply_ok, strlen(reply_ok));
			return;
		}
		r = pb->mode == REFUSE ? reply_refused : reply_ok;
		if (pb->mode == BYTE_BY_BYTE) {
			for (j = 0; j < strlen(r); j++) {
				if (write(c, r + j, 1) != 1)
					return;
				usleep(200);
			}
			continue;
		}
		all[0] = '\0';
		for (i = 0; i < n; i++)
			strcat(all, r);
		if (write(c, all, strlen(all)) < 0)
			return;
	}
}

static void *
serve(void *arg)
{
	struct publisher *pb = arg;
	int c;

	while ((c = accept(pb->fd, NULL, NULL)) >= 0) {
		pb->conns++;
		converse(pb, c);
		close(c);
	}
	return NULL;
}

static struct publisher pb;
static pthread_t server;
static struct config cfg;

static void
start(int mode)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	memset(&pb, 0, sizeof(pb));
	pb.mode = mode;
	snprintf(pb.path, sizeof(pb.path), "/tmp/ehz-pub-%d.sock", getpid());
	unlink(pb.path);
	strcpy(sa.sun_path, pb.path);
	pb.fd = socket(AF_UNIX, SOCK_STREAM, 0);
	cr_assert_eq(bind(pb.fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	cr_assert_eq(listen(pb.fd, 4), 0);
	cfg.pub_socket = pb.path;
	pthread_create(&server, NULL, serve, &pb);
}

static void
stop(void)
{
	unlink(pb.path);
}

static int
publish_three(void)
{
	const char *ch[3] = { "u-a", "u-b", "c-1" };
	const char *ty[3] = { "attendance.submission", "attendance.submission",
		"attendance.started" };
	json_t *d[3];
	int i;

	for (i = 0; i < 3; i++)
		d[i] = json_pack("{s:i}", "n", i);
	return pubsub_publish_many(&cfg, 3, ch, ty, d);
}

Test(pubsub, pipelined_events_go_out_in_one_write_and_every_reply_is_read,
    .fini = stop)
{
	start(ALL_AT_ONCE);
	cr_assert_eq(publish_three(), 0);
	cr_expect_eq(pb.requests, 3);
	cr_expect_eq(pb.conns, 1);
	cr_expect(strstr(pb.last_body, "\"type\":\"attendance.started\"") !=
		NULL,
	    "%s", pb.last_body);
}

/* How often needle occurs in hay. */
static int
count_of(const char *hay, const char *needle)
{
	int n = 0;

	for (; (hay = strstr(hay, needle)) != NULL; hay++)
		n++;
	return n;
}

Test(pubsub, a_channels_events_of_one_batch_go_as_one_message_in_order,
    .fini = stop)
{
	const char *ch[5] = { "u-a", "u-b", "u-a", "c-1", "u-a" };
	const char *sub = "attendance.submission";
	const char *ty[5] = { sub, sub, sub, "attendance.started", sub };
	json_t *d[5];
	const char *a;
	int i;

	for (i = 0; i < 5; i++)
		d[i] = json_pack("{s:i}", "n", i);
	start(ALL_AT_ONCE);
	cr_assert_eq(pubsub_publish_grouped(&cfg, 5, ch, ty, d,
			 "attendance.submissions"),
	    0);
	cr_expect_eq(pb.requests, 3, "one message a channel");
	cr_expect_eq(count_of(pb.all, "POST /pub/u-a "), 1, "%s", pb.all);
	a = strstr(pb.all, "POST /pub/u-a ");
	cr_assert_not_null(a);
	a = strchr(a, '{');
	/* the group, then each event whole and in order */
	cr_expect_eq(
	    strncmp(a,
		"{\"type\":\"attendance.submissions\",\"items\":[{"
		"\"n\":0,\"type\":\"attendance.submission\"},{\"n\":2,"
		"\"type\":\"attendance.submission\"},{\"n\":4,\"type\":"
		"\"attendance.submission\"}]}",
		160),
	    0, "%s", a);
	/* a channel with one event gets it as it is */
	cr_expect(strstr(pb.all,
		      "{\"n\":1,\"type\":\"attendance.submission\"}") != NULL,
	    "%s", pb.all);
	cr_expect_eq(count_of(pb.all, "attendance.submissions"), 1);
}

Test(pubsub, a_reply_that_arrives_a_byte_at_a_time_is_still_one_reply,
    .fini = stop)
{
	start(BYTE_BY_BYTE);
	cr_assert_eq(pubsub_publish(&cfg, "u-a", "ping", NULL), 0);
	/* the connection stayed usable: the next event reuses it */
	cr_assert_eq(pubsub_publish(&cfg, "u-a", "ping", NULL), 0);
	cr_expect_eq(pb.conns, 1);
	cr_expect_eq(pb.requests, 2);
}

Test(pubsub, a_connection_closed_before_any_reply_is_retried_once, .fini = stop)
{
	start(CLOSE_FIRST);
	cr_assert_eq(pubsub_publish(&cfg, "u-a", "ping", NULL), 0);
	cr_expect_eq(pb.conns, 2);
	cr_expect_eq(pb.requests, 1, "published once, on the new connection");
}

Test(pubsub, a_refused_event_is_reported, .fini = stop)
{
	start(REFUSE);
	cr_expect_eq(pubsub_publish(&cfg, "u-a", "ping", NULL), -1);
}

Test(pubsub, an_event_nchan_failed_is_sent_again_and_only_that_one,
    .fini = stop)
{
	start(FAIL_MIDDLE);
	cr_assert_eq(publish_three(), 0);
	cr_expect_eq(pb.requests, 4, "three, then the failed one");
	cr_expect_eq(pb.conns, 1, "on the same connection");
	cr_expect(strstr(pb.last_body, "\"n\":1") != NULL, "%s", pb.last_body);
}

Test(pubsub, events_not_answered_before_a_close_go_out_on_a_new_connection,
    .fini = stop)
{
	start(CLOSE_AFTER_ONE);
	cr_assert_eq(publish_three(), 0);
	cr_expect_eq(pb.conns, 2);
	cr_expect_eq(pb.requests, 5, "three, then the two unanswered");
	cr_expect(strstr(pb.last_body, "\"n\":2") != NULL, "%s", pb.last_body);
}

Test(pubsub, no_publisher_socket_is_an_error_not_a_crash)
{
	cfg.pub_socket = "/nonexistent/pub.sock";
	cr_expect_eq(pubsub_publish(&cfg, "u-a", "ping", NULL), -1);
}
