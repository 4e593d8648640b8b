/*
 * pubsub.c - the producer side of the WebSocket: events are POSTed to
 * nginx's nchan publisher on a unix socket (PUB_SOCKET), which fans them
 * out to subscribers and keeps a buffer for clients that reconnect with
 * last_event_id.  Each thread keeps one HTTP/1.1 connection open to it;
 * the exchange is a fixed request and a short reply, written by hand
 * because a general client cost more than the event itself.  Events of a
 * batch that nchan failed (5xx) or never answered are sent again.
 *
 * A message, not its size, is what a publish costs: one request to nchan
 * and, with nchan on Redis, one script run in Redis with its round trip.
 * So pubsub_publish_grouped sends a channel's several events of one batch
 * as one message (its items), which is what wins back Redis's cost on the
 * submit path (docs/redis.md, "Cost").
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "crypto.h"
#include "buf.h"
#include "config.h"
#include "log.h"
#include "pubsub.h"

static _Thread_local int pub_fd = -1;

char *
pubsub_user_channel(const struct config *cfg, const char *email,
    struct arena *a)
{
	char *h = crypto_hmac_hex(cfg->ws_subject_key, email, 24, a);

	return h ? arena_printf(a, "u-%s", h) : NULL;
}

char *
pubsub_class_channel(long long class_id, struct arena *a)
{
	return arena_printf(a, "c-%lld", class_id);
}

static int
send_all(int fd, const char *p, size_t len)
{
	ssize_t n;

	while (len > 0) {
		if ((n = send(fd, p, len, MSG_NOSIGNAL)) < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Reads one reply: the status line and headers, then Content-Length bytes
 * of body.  *carry holds bytes already read past the previous reply (the
 * replies to pipelined requests arrive back to back).  1 when the
 * connection was closed before anything came back.
 */
static int
read_reply(int fd, char *buf, size_t cap, size_t *carry, long *code,
    int *close_after)
{
	size_t have = *carry, used;
	char *end, *p;
	ssize_t n;
	long clen = 0;

	for (;;) {
		buf[have] = '\0';
		if ((end = strstr(buf, "\r\n\r\n")) != NULL)
			break;
		if (have == cap - 1)
			return -1;
		if ((n = recv(fd, buf + have, cap - 1 - have, 0)) <= 0)
			return have == 0 && (n == 0 || errno == ECONNRESET)
			    ? 1
			    : -1;
		have += (size_t)n;
	}
	*end = '\0';
	if (strncmp(buf, "HTTP/1.1 ", 9) != 0)
		return -1;
	*code = strtol(buf + 9, NULL, 10);
	for (p = strstr(buf, "\r\n"); p; p = strstr(p + 2, "\r\n")) {
		if (strncasecmp(p + 2, "Content-Length:", 15) == 0)
			clen = strtol(p + 17, NULL, 10);
		else if (strncasecmp(p + 2, "Connection: close", 17) == 0)
			*close_after = 1;
	}
	if (clen < 0 || clen > 65536)
		return -1;
	used = (size_t)(end + 4 - buf) + (size_t)clen;
	if (used > have) { /* the body runs past the buffer: drop it */
		size_t left = used - have;

		for (;;) {
			if ((n = recv(fd, buf, cap - 1, 0)) <= 0)
				return -1;
			if ((size_t)n >= left)
				break;
			left -= (size_t)n;
		}
		memmove(buf, buf + left, (size_t)n - left);
		*carry = (size_t)n - left;
		return 0;
	}
	memmove(buf, buf + used, have - used);
	*carry = have - used;
	return 0;
}

static int
connect_pub(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = 2 };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -1;
	strcpy(sa.sun_path, path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* One event's request inside the pipelined buffer, and its fate. */
struct pub_ev {
	size_t off, len;
	int state; /* PUB_PENDING, PUB_DONE, PUB_REFUSED */
};

enum { PUB_PENDING, PUB_DONE, PUB_REFUSED };

#define PUB_ROUNDS 3 /* a partly failed batch is sent again, this often */

/*
 * Sends every pending event, pipelined in one write, and reads their
 * replies in order.  201/202: published; 5xx (nchan could not store it):
 * pending again; another status: refused.  A connection that breaks
 * leaves the events not yet answered pending: nginx handles pipelined
 * requests in order, so those were not published.  Returns the number of
 * events sent, or -1 when the publisher cannot be reached.
 */
static int
pub_round(const struct config *cfg, const struct buf *all, struct pub_ev *ev,
    int n, long *code)
{
	struct buf req = { 0 };
	char reply[4096];
	size_t carry = 0;
	int i, rc, sent = 0, close_after = 0;

	for (i = 0; i < n; i++)
		if (ev[i].state == PUB_PENDING) {
			buf_append(&req, all->p + ev[i].off, ev[i].len);
			sent++;
		}
	if (sent == 0)
		return 0;
	if (pub_fd < 0 && (pub_fd = connect_pub(cfg->pub_socket)) < 0) {
		buf_release(&req);
		return -1;
	}
	rc = send_all(pub_fd, req.p, req.n) == 0 ? 0 : -1;
	buf_release(&req);
	for (i = 0; rc == 0 && i < n; i++) {
		if (ev[i].state != PUB_PENDING)
			continue;
		rc = read_reply(pub_fd, reply, sizeof(reply), &carry, code,
		    &close_after);
		if (rc == 0 && (*code == 201 || *code == 202))
			ev[i].state = PUB_DONE;
		else if (rc == 0 && *code < 500)
			ev[i].state = PUB_REFUSED;
	}
	/* Bytes past the last reply, a break or a close: start afresh. */
	if (rc != 0 || close_after || carry) {
		close(pub_fd);
		pub_fd = -1;
	}
	return sent;
}

int
pubsub_publish_many(const struct config *cfg, int n,
    const char *const *channels, const char *const *types, json_t **data)
{
	struct buf all = { 0 };
	struct pub_ev *ev = calloc((size_t)(n > 0 ? n : 1), sizeof(*ev));
	char head[512], *body;
	long code = 0;
	int i, round, ok = 0;

	if (ev == NULL)
		return -1;
	/* Every event is its own request; they go out in one write. */
	for (i = 0; i < n; i++) {
		json_t *d = data[i] ? data[i] : json_object();

		json_object_set_new(d, "type", json_string(types[i]));
		body = json_dumps(d, JSON_COMPACT);
		json_decref(d);
		ev[i].state = body ? PUB_PENDING : PUB_REFUSED;
		if (body == NULL)
			continue;
		snprintf(head, sizeof(head),
		    "POST /pub/%s HTTP/1.1\r\nHost: localhost\r\nContent-Type: "
		    "application/json\r\nContent-Length: %zu\r\n\r\n",
		    channels[i], strlen(body));
		ev[i].off = all.n;
		buf_append(&all, head, strlen(head));
		buf_append(&all, body, strlen(body));
		ev[i].len = all.n - ev[i].off;
		free(body);
	}
	/*
	 * The connection is kept per thread; nginx may have closed an idle
	 * one, and nchan may fail some events of a batch and not others.
	 * Only events not published are sent again, so none goes twice.
	 */
	for (round = 0; round < PUB_ROUNDS && all.p != NULL; round++)
		if (pub_round(cfg, &all, ev, n, &code) <= 0)
			break; /* all answered, or no publisher */
	for (i = 0; i < n; i++)
		ok += ev[i].state == PUB_DONE;
	buf_release(&all);
	free(ev);
	if (ok < n) {
		log_warn("publish: %d of %d events to %s failed (%ld)", n - ok,
		    n, n > 0 ? channels[0] : "-", code);
		return -1;
	}
	return 0;
}

/* The messages of a grouped publish: one a channel. */
struct pub_groups {
	int n;
	const char **channels, **types;
	json_t **data;
	int *grouped;
};

/*
 * Adds event d of the given type to its channel's message: a channel's
 * first event is its message as it is; a second one wraps the first into
 * {"type":group_type,"items":[...]} and joins it.
 */
static void
group_add(struct pub_groups *g, const char *channel, const char *type,
    json_t *d, const char *group_type)
{
	int k;

	json_object_set_new(d, "type", json_string(type));
	for (k = 0; k < g->n && strcmp(g->channels[k], channel) != 0; k++)
		;
	if (k == g->n) {
		g->channels[k] = channel;
		g->types[k] = type;
		g->grouped[k] = 0;
		g->data[g->n++] = d;
		return;
	}
	if (!g->grouped[k]) {
		json_t *wrap = json_pack("{s:s,s:[o]}", "type", group_type,
		    "items", g->data[k]);

		if (wrap ==
		    NULL) { /* the first stays alone; this one is lost */
			json_decref(d);
			return;
		}
		g->data[k] = wrap;
		g->types[k] = group_type;
		g->grouped[k] = 1;
	}
	json_array_append_new(json_object_get(g->data[k], "items"), d);
}

int
pubsub_publish_grouped(const struct config *cfg, int n,
    const char *const *channels, const char *const *types, json_t **data,
    const char *group_type)
{
	size_t m = (size_t)(n > 0 ? n : 1);
	struct pub_groups g = { 0, calloc(m, sizeof(char *)),
		calloc(m, sizeof(char *)), calloc(m, sizeof(json_t *)),
		calloc(m, sizeof(int)) };
	int i, ok = g.channels && g.types && g.data && g.grouped, rc = -1;

	for (i = 0; i < n; i++) {
		json_t *d = data[i] ? data[i] : json_object();

		if (ok && d != NULL)
			group_add(&g, channels[i], types[i], d, group_type);
		else
			json_decref(d);
	}
	if (ok)
		rc = pubsub_publish_many(cfg, g.n, g.channels, g.types, g.data);
	free(g.channels);
	free(g.types);
	free(g.data);
	free(g.grouped);
	return rc;
}

int
pubsub_publish(const struct config *cfg, const char *channel, const char *type,
    json_t *data)
{
	return pubsub_publish_many(cfg, 1, &channel, &type, &data);
}
