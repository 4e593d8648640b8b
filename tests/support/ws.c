/*
 * ws.c - the test-side WebSocket client (RFC 6455): the opening handshake
 * with Sec-WebSocket-Accept verification, masked client frames, and a read
 * buffer that frames are parsed from in place.  Everything a connection
 * needs lives in its struct ws, so forked test processes and benchmark
 * clients never share state.  The socket stays non-blocking; every wait is
 * a poll() against a monotonic deadline.  ws_connect_tls() runs the same
 * protocol over OpenSSL (wss://), the socket still non-blocking.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "ws.h"

#define WS_GUID "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
#define WS_HEAD_MAX 16384      /* handshake response headers */
#define WS_MSG_MAX (64u << 20) /* one (reassembled) message */
#define WS_SEND_MS 10000       /* writes have no caller timeout */
#define WS_META "ws+meta.nchan"

enum {
	OP_CONT = 0x0,
	OP_TEXT = 0x1,
	OP_BINARY = 0x2,
	OP_CLOSE = 0x8,
	OP_PING = 0x9,
	OP_PONG = 0xA,
};

struct ws {
	int fd;
	SSL_CTX *ctx; /* wss:// only, else NULL */
	SSL *ssl;
	int meta;               /* the server agreed to ws+meta.nchan */
	int closed;             /* close seen/sent, EOF, or protocol error */
	int close_code;         /* of the server's close frame; 0: none */
	char close_reason[124]; /* its reason text */
	char *last_id;
	/* A group message's items (schema/websocket.md) not yet handed out
	 * by ws_expect_type: [items_next, size) of items. */
	json_t *items;
	size_t items_next;
	/* Bytes read but not yet consumed: [in_off, in_len) of in. */
	unsigned char *in;
	size_t in_off, in_len, in_cap;
	/* A data message being reassembled from fragments. */
	unsigned char *msg;
	size_t msg_len, msg_cap;
	int msg_op; /* 0: none in progress */
};

/* One parsed frame whose header and payload are all in the buffer. */
struct frame {
	int fin, op;
	const unsigned char *payload;
	size_t len, total; /* payload length; header + payload */
};

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static long long
deadline_of(int timeout_ms)
{
	return timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
}

/* Polls fd for events until deadline (-1: forever); 1 ready, 0 timeout. */
static int
wait_fd(int fd, short events, long long deadline)
{
	struct pollfd p = { .fd = fd, .events = events };
	int left, rc;

	for (;;) {
		left = -1;
		if (deadline >= 0) {
			long long d = deadline - now_ms();

			left = d < 0 ? 0 : (int)d;
		}
		rc = poll(&p, 1, left);
		if (rc >= 0)
			return rc > 0;
		if (errno != EINTR)
			return -1;
	}
}

/*
 * After an OpenSSL call returned rc <= 0: waits for what it needs and
 * returns 1 to retry, 0 on timeout, -1 on error or a closed connection.
 */
static int
tls_wait(struct ws *w, int rc, long long deadline)
{
	switch (SSL_get_error(w->ssl, rc)) {
	case SSL_ERROR_WANT_READ:
		return wait_fd(w->fd, POLLIN, deadline);
	case SSL_ERROR_WANT_WRITE:
		return wait_fd(w->fd, POLLOUT, deadline);
	default:
		ERR_clear_error();
		return -1;
	}
}

static int
tls_send_all(struct ws *w, const void *data, size_t len)
{
	const char *p = data;
	long long deadline = now_ms() + WS_SEND_MS;
	int n;

	while (len > 0) {
		n = SSL_write(w->ssl, p,
		    len > INT32_MAX ? INT32_MAX : (int)len);
		if (n > 0) {
			p += n;
			len -= (size_t)n;
		} else if (tls_wait(w, n, deadline) <= 0) {
			return -1;
		}
	}
	return 0;
}

static int
send_all(struct ws *w, const void *data, size_t len)
{
	const char *p = data;
	long long deadline = now_ms() + WS_SEND_MS;
	int fd = w->fd;
	ssize_t n;

	if (w->ssl)
		return tls_send_all(w, data, len);
	while (len > 0) {
		n = send(fd, p, len, MSG_NOSIGNAL);
		if (n > 0) {
			p += n;
			len -= (size_t)n;
		} else if (n < 0 && errno == EINTR) {
			continue;
		} else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (wait_fd(fd, POLLOUT, deadline) <= 0)
				return -1;
		} else {
			return -1;
		}
	}
	return 0;
}

static int
random_bytes(void *buf, size_t n)
{
	unsigned char *p = buf;
	ssize_t got;

	while (n > 0) {
		got = getrandom(p, n, 0);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return -1;
		p += got;
		n -= (size_t)got;
	}
	return 0;
}

/*
 * Reads whatever is available into the buffer, waiting until deadline.
 * Returns 1 when bytes arrived, 0 on timeout, -1 on EOF or error.
 */
static int
fill(struct ws *w, long long deadline)
{
	ssize_t n;
	int rc;

	if (w->in_off > 0) {
		memmove(w->in, w->in + w->in_off, w->in_len - w->in_off);
		w->in_len -= w->in_off;
		w->in_off = 0;
	}
	/* One spare byte keeps the buffer NUL-terminated for sscanf(). */
	if (w->in_len + 1 >= w->in_cap) {
		size_t cap = w->in_cap ? w->in_cap * 2 : 65536;
		unsigned char *p = realloc(w->in, cap);

		if (p == NULL)
			return -1;
		w->in = p;
		w->in_cap = cap;
	}
	for (;;) {
		if (w->ssl) {
			int got = SSL_read(w->ssl, w->in + w->in_len,
			    (int)(w->in_cap - w->in_len - 1));

			if (got > 0) {
				w->in_len += (size_t)got;
				w->in[w->in_len] = '\0';
				return 1;
			}
			rc = tls_wait(w, got, deadline);
			if (rc <= 0)
				return rc;
			continue;
		}
		n = recv(w->fd, w->in + w->in_len, w->in_cap - w->in_len - 1,
		    0);
		if (n > 0) {
			w->in_len += (size_t)n;
			w->in[w->in_len] = '\0';
			return 1;
		}
		if (n == 0)
			return -1;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return -1;
		rc = wait_fd(w->fd, POLLIN, deadline);
		if (rc <= 0)
			return rc;
	}
}

static int
connect_to(int port, long long deadline)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(int);
	int fd, err = 0, one = 1;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		if (errno != EINPROGRESS ||
		    wait_fd(fd, POLLOUT, deadline) <= 0 ||
		    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &sl) < 0 ||
		    err != 0) {
			close(fd);
			return -1;
		}
	}
	/* Small frames are the norm; latency matters in the benchmarks. */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

/* base64(SHA-1(key + GUID)), the value the server must answer with. */
static int
expected_accept(const char *key, char out[64])
{
	char cat[128];
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	snprintf(cat, sizeof(cat), "%s%s", key, WS_GUID);
	if (EVP_Digest(cat, strlen(cat), md, &mdlen, EVP_sha1(), NULL) != 1)
		return -1;
	EVP_EncodeBlock((unsigned char *)out, md, (int)mdlen);
	return 0;
}

/*
 * The value of header name in the NUL-terminated header block, trimmed,
 * copied into out; NULL when absent.  Names compare case-insensitively.
 */
static const char *
header_get(const char *head, const char *name, char *out, size_t outsz)
{
	size_t nl = strlen(name), vl;
	const char *p = strstr(head, "\r\n"), *v, *e;

	while (p != NULL && p[2] != '\0') {
		p += 2;
		e = strstr(p, "\r\n");
		if (e == NULL)
			e = p + strlen(p);
		if (strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
			for (v = p + nl + 1; v < e && (*v == ' ' || *v == '\t');
			     v++)
				;
			vl = (size_t)(e - v);
			while (
			    vl > 0 && (v[vl - 1] == ' ' || v[vl - 1] == '\t'))
				vl--;
			if (vl >= outsz)
				vl = outsz - 1;
			memcpy(out, v, vl);
			out[vl] = '\0';
			return out;
		}
		p = *e ? e : NULL;
	}
	return NULL;
}

/* Whether a comma-separated header value lists token (any case). */
static int
has_token(const char *value, const char *token)
{
	size_t tl = strlen(token);
	const char *p = value;

	while (*p) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (strncasecmp(p, token, tl) == 0 &&
		    (p[tl] == '\0' || p[tl] == ',' || p[tl] == ' ' ||
			p[tl] == '\t'))
			return 1;
		while (*p && *p != ',')
			p++;
	}
	return 0;
}

/*
 * Reads the response headers and checks the upgrade.  Bytes after the
 * blank line stay in the buffer: they are the start of the first frame.
 * Returns 0 on a verified 101; the status goes to *status either way.
 */
static int
handshake_read(struct ws *w, const char *key, const char *subprotocol,
    long long deadline, int *status)
{
	char *head = NULL, want[64], val[256];
	unsigned char *end = NULL;
	int rc = -1, st = 0;
	size_t hl;

	for (;;) {
		if (w->in_len > 0 &&
		    (end = memmem(w->in, w->in_len, "\r\n\r\n", 4)) != NULL)
			break;
		if (w->in_len > WS_HEAD_MAX || fill(w, deadline) <= 0)
			break;
	}
	/* Even a truncated answer may carry a usable status line. */
	if (w->in_len > 0 && memchr(w->in, '\n', w->in_len) != NULL &&
	    sscanf((char *)w->in, "HTTP/1.%*d %d", &st) == 1)
		*status = st;
	if (end == NULL || st != 101)
		goto out;
	hl = (size_t)(end - w->in) + 2;
	head = malloc(hl + 1);
	if (head == NULL)
		goto out;
	memcpy(head, w->in, hl);
	head[hl] = '\0';
	w->in_off = hl + 2;

	if (!header_get(head, "Upgrade", val, sizeof(val)) ||
	    strcasecmp(val, "websocket") != 0)
		goto out;
	if (!header_get(head, "Connection", val, sizeof(val)) ||
	    !has_token(val, "upgrade"))
		goto out;
	if (expected_accept(key, want) < 0 ||
	    !header_get(head, "Sec-WebSocket-Accept", val, sizeof(val)) ||
	    strcmp(val, want) != 0)
		goto out;
	/* A subprotocol we did not offer is a failure (RFC 6455 4.1). */
	/* nchan answers an empty value when it picked none: none */
	if (header_get(head, "Sec-WebSocket-Protocol", val, sizeof(val)) &&
	    val[0] != '\0') {
		if (subprotocol == NULL || strchr(val, ',') != NULL ||
		    !has_token(subprotocol, val))
			goto out;
		w->meta = strcmp(val, WS_META) == 0;
	}
	rc = 0;
out:
	free(head);
	return rc;
}

/*
 * The TLS handshake on w->fd: TLS 1.2 or later, ALPN http/1.1 (nginx
 * has no WebSocket over HTTP/2), and with ca_file the certificate must
 * chain to it and name 127.0.0.1.
 */
static int
tls_start(struct ws *w, const char *ca_file, long long deadline)
{
	static const unsigned char alpn[] = "\x08http/1.1";
	int rc;

	w->ctx = SSL_CTX_new(TLS_client_method());
	if (w->ctx == NULL ||
	    !SSL_CTX_set_min_proto_version(w->ctx, TLS1_2_VERSION))
		return -1;
	if (ca_file) {
		if (SSL_CTX_load_verify_locations(w->ctx, ca_file, NULL) != 1)
			return -1;
		SSL_CTX_set_verify(w->ctx, SSL_VERIFY_PEER, NULL);
	}
	w->ssl = SSL_new(w->ctx);
	if (w->ssl == NULL || SSL_set_fd(w->ssl, w->fd) != 1 ||
	    SSL_set_alpn_protos(w->ssl, alpn, sizeof(alpn) - 1) != 0)
		return -1;
	if (ca_file &&
	    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(w->ssl),
		"127.0.0.1") != 1)
		return -1;
	while ((rc = SSL_connect(w->ssl)) != 1)
		if (tls_wait(w, rc, deadline) <= 0)
			return -1;
	return 0;
}

static struct ws *
ws_open(int port, const char *path_and_query, const char *subprotocol,
    int timeout_ms, int *http_status, int tls, const char *ca_file)
{
	long long deadline = deadline_of(timeout_ms);
	unsigned char raw[16];
	char key[32], req[8192], proto[4200] = "";
	struct ws *w;
	int n, st = 0;

	if (http_status)
		*http_status = 0;
	w = calloc(1, sizeof(*w));
	if (w == NULL)
		return NULL;
	w->fd = -1;
	if (random_bytes(raw, sizeof(raw)) < 0)
		goto fail;
	EVP_EncodeBlock((unsigned char *)key, raw, sizeof(raw));
	if (subprotocol)
		snprintf(proto, sizeof(proto), "Sec-WebSocket-Protocol: %s\r\n",
		    subprotocol);
	n = snprintf(req, sizeof(req),
	    "GET %s HTTP/1.1\r\n"
	    "Host: 127.0.0.1:%d\r\n"
	    "Upgrade: websocket\r\n"
	    "Connection: Upgrade\r\n"
	    "Sec-WebSocket-Key: %s\r\n"
	    "Sec-WebSocket-Version: 13\r\n"
	    "%s\r\n",
	    path_and_query, port, key, proto);
	if (n < 0 || (size_t)n >= sizeof(req))
		goto fail;
	w->fd = connect_to(port, deadline);
	if (w->fd < 0 || (tls && tls_start(w, ca_file, deadline) < 0) ||
	    send_all(w, req, (size_t)n) < 0)
		goto fail;
	if (handshake_read(w, key, subprotocol, deadline, &st) < 0)
		goto fail;
	if (http_status)
		*http_status = st;
	return w;
fail:
	if (http_status)
		*http_status = st;
	w->closed = 1;
	ws_close(w);
	return NULL;
}

struct ws *
ws_connect(int port, const char *path_and_query, const char *subprotocol,
    int timeout_ms, int *http_status)
{
	return ws_open(port, path_and_query, subprotocol, timeout_ms,
	    http_status, 0, NULL);
}

struct ws *
ws_connect_tls(int port, const char *path_and_query, const char *subprotocol,
    int timeout_ms, int *http_status, const char *ca_file)
{
	return ws_open(port, path_and_query, subprotocol, timeout_ms,
	    http_status, 1, ca_file);
}

/* Writes one masked frame (client frames must be masked, RFC 6455 5.3). */
static int
send_frame(struct ws *w, int op, const void *data, size_t len)
{
	unsigned char *buf, *p, mask[4];
	size_t i, hl;
	int rc;

	if (w->closed || random_bytes(mask, sizeof(mask)) < 0)
		return -1;
	buf = malloc(14 + len);
	if (buf == NULL)
		return -1;
	p = buf;
	*p++ = (unsigned char)(0x80 | op);
	if (len < 126) {
		*p++ = (unsigned char)(0x80 | len);
	} else if (len <= 0xffff) {
		*p++ = 0x80 | 126;
		*p++ = (unsigned char)(len >> 8);
		*p++ = (unsigned char)len;
	} else {
		*p++ = 0x80 | 127;
		for (i = 8; i-- > 0;)
			*p++ = (unsigned char)((uint64_t)len >> (8 * i));
	}
	memcpy(p, mask, 4);
	p += 4;
	hl = (size_t)(p - buf);
	for (i = 0; i < len; i++)
		p[i] = ((const unsigned char *)data)[i] ^ mask[i & 3];
	rc = send_all(w, buf, hl + len);
	free(buf);
	return rc;
}

int
ws_send_text(struct ws *w, const char *text)
{
	if (w == NULL || text == NULL)
		return -1;
	return send_frame(w, OP_TEXT, text, strlen(text));
}

/*
 * Parses the next frame in the buffer: 1 when it is complete, 0 when more
 * bytes are needed, -1 on a protocol violation.
 */
static int
frame_parse(struct ws *w, struct frame *f)
{
	const unsigned char *p = w->in + w->in_off;
	size_t avail = w->in_len - w->in_off, hl = 2, i;
	uint64_t len;

	if (avail < 2)
		return 0;
	f->fin = (p[0] & 0x80) != 0;
	f->op = p[0] & 0x0f;
	/* No extensions were negotiated, so RSV bits must be clear. */
	if (p[0] & 0x70)
		return -1;
	/* Servers never mask (RFC 6455 5.1). */
	if (p[1] & 0x80)
		return -1;
	len = p[1] & 0x7f;
	if (len == 126) {
		hl = 4;
		if (avail < hl)
			return 0;
		len = (uint64_t)p[2] << 8 | p[3];
	} else if (len == 127) {
		hl = 10;
		if (avail < hl)
			return 0;
		for (len = 0, i = 2; i < 10; i++)
			len = len << 8 | p[i];
	}
	if (len > WS_MSG_MAX)
		return -1;
	if ((f->op & 0x8) && (!f->fin || len > 125))
		return -1;
	if (avail < hl + len)
		return 0;
	f->payload = p + hl;
	f->len = (size_t)len;
	f->total = hl + (size_t)len;
	return 1;
}

static int
msg_append(struct ws *w, const unsigned char *data, size_t len)
{
	if (w->msg_len + len > WS_MSG_MAX)
		return -1;
	if (w->msg_len + len + 1 > w->msg_cap) {
		size_t cap = (w->msg_len + len + 1) * 2;
		unsigned char *p = realloc(w->msg, cap);

		if (p == NULL)
			return -1;
		w->msg = p;
		w->msg_cap = cap;
	}
	memcpy(w->msg + w->msg_len, data, len);
	w->msg_len += len;
	w->msg[w->msg_len] = '\0';
	return 0;
}

/*
 * Acts on one frame.  Returns 1 when a message completed (in w->msg),
 * 0 to go on reading, -1 on close or protocol error.
 */
static int
frame_handle(struct ws *w, const struct frame *f)
{
	switch (f->op) {
	case OP_PING:
		return send_frame(w, OP_PONG, f->payload, f->len) < 0 ? -1 : 0;
	case OP_PONG:
		return 0;
	case OP_CLOSE:
		if (f->len >= 2) {
			w->close_code = f->payload[0] << 8 | f->payload[1];
			snprintf(w->close_reason, sizeof(w->close_reason),
			    "%.*s", (int)(f->len - 2),
			    (const char *)f->payload + 2);
		}
		/* Echo the status code, as RFC 6455 5.5.1 asks. */
		send_frame(w, OP_CLOSE, f->payload, f->len >= 2 ? 2 : 0);
		return -1;
	case OP_TEXT:
	case OP_BINARY:
		if (w->msg_op != 0)
			return -1;
		w->msg_op = f->op;
		w->msg_len = 0;
		break;
	case OP_CONT:
		if (w->msg_op == 0)
			return -1;
		break;
	default:
		return -1;
	}
	if (msg_append(w, f->payload, f->len) < 0)
		return -1;
	return f->fin;
}

char *
ws_recv(struct ws *w, int timeout_ms)
{
	long long deadline = deadline_of(timeout_ms);
	struct frame f;
	char *out;
	int rc;

	if (w == NULL || w->closed)
		return NULL;
	for (;;) {
		rc = frame_parse(w, &f);
		if (rc == 0) {
			rc = fill(w, deadline);
			if (rc == 0)
				return NULL;
			if (rc < 0)
				goto closed;
			continue;
		}
		if (rc < 0)
			goto closed;
		rc = frame_handle(w, &f);
		w->in_off += f.total;
		if (rc < 0)
			goto closed;
		if (rc == 1)
			break;
	}
	out = (char *)w->msg;
	w->msg = NULL;
	w->msg_len = w->msg_cap = 0;
	w->msg_op = 0;
	return out;
closed:
	w->closed = 1;
	return NULL;
}

/* A meta header line starts with a field name ([A-Za-z-]+) and a colon. */
static int
is_header_line(const char *p, const char *e)
{
	const char *s = p;

	while (p < e &&
	    (*p == '-' || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
		p++;
	return p > s && p < e && *p == ':';
}

const char *
ws_meta_split(const char *msg, char **id_out)
{
	const char *end, *p, *e, *v;

	if (id_out)
		*id_out = NULL;
	if (msg == NULL || (end = strstr(msg, "\n\n")) == NULL)
		return msg;
	for (p = msg; p < end; p = e + 1) {
		e = memchr(p, '\n', (size_t)(end - p));
		if (e == NULL)
			e = end;
		if (!is_header_line(p, e))
			return msg;
	}
	for (p = msg; p < end; p = e + 1) {
		e = memchr(p, '\n', (size_t)(end - p));
		if (e == NULL)
			e = end;
		if (strncasecmp(p, "id:", 3) != 0 || id_out == NULL)
			continue;
		for (v = p + 3; v < e && *v == ' '; v++)
			;
		free(*id_out);
		*id_out = strndup(v, (size_t)(e - v));
	}
	return end + 2;
}

/* The next item of the group message being handed out, or NULL. */
static json_t *
next_item(struct ws *w)
{
	json_t *it;

	if (w->items == NULL)
		return NULL;
	if (w->items_next < json_array_size(w->items)) {
		it = json_array_get(w->items, w->items_next++);
		return json_incref(it);
	}
	json_decref(w->items);
	w->items = NULL;
	return NULL;
}

/* The next message as JSON, its meta id kept; NULL on timeout or close. */
static json_t *
next_message(struct ws *w, long long deadline)
{
	long long left = deadline < 0 ? -1 : deadline - now_ms();
	const char *data;
	char *msg, *id;
	json_t *j;

	if (deadline >= 0 && left < 0)
		left = 0;
	if ((msg = ws_recv(w, (int)left)) == NULL)
		return NULL;
	data = msg;
	if (w->meta) {
		data = ws_meta_split(msg, &id);
		if (id != NULL) {
			free(w->last_id);
			w->last_id = id;
		}
	}
	j = json_loads(data, 0, NULL);
	free(msg);
	return j ? j : json_object();
}

json_t *
ws_expect_type(struct ws *w, const char *type, int timeout_ms)
{
	long long deadline = deadline_of(timeout_ms);
	const char *t;
	json_t *j;

	if (w == NULL || type == NULL)
		return NULL;
	for (;;) {
		if ((j = next_item(w)) == NULL &&
		    (j = next_message(w, deadline)) == NULL)
			return NULL;
		t = json_string_value(json_object_get(j, "type"));
		if (t != NULL && strcmp(t, type) == 0)
			return j;
		/* a group: its items are handed out as messages of their own */
		if (json_is_array(json_object_get(j, "items")) &&
		    w->items == NULL) {
			w->items = json_incref(json_object_get(j, "items"));
			w->items_next = 0;
		}
		json_decref(j);
	}
}

const char *
ws_last_id(struct ws *w)
{
	return w ? w->last_id : NULL;
}

int
ws_fd(struct ws *w)
{
	return w ? w->fd : -1;
}

int
ws_close_status(struct ws *w, const char **reason)
{
	if (reason)
		*reason = w ? w->close_reason : "";
	return w ? w->close_code : 0;
}

int
ws_closed(struct ws *w)
{
	return w == NULL || w->closed;
}

void
ws_close(struct ws *w)
{
	static const unsigned char normal[2] = { 0x03, 0xe8 }; /* 1000 */

	if (w == NULL)
		return;
	if (w->fd >= 0) {
		if (!w->closed)
			send_frame(w, OP_CLOSE, normal, sizeof(normal));
		close(w->fd);
	}
	SSL_free(w->ssl);
	SSL_CTX_free(w->ctx);
	free(w->last_id);
	json_decref(w->items);
	free(w->in);
	free(w->msg);
	free(w);
}
