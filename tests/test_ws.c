/*
 * test_ws.c - the WebSocket test client against a tiny scripted server
 * forked per test on a loopback port: the handshake and its verification,
 * masking and length encodings both ways, fragments, ping/pong, close,
 * timeouts and the nchan ws+meta framing.  No stack needed.  The child
 * checks what the client put on the wire and reports through its exit code.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "it.h"
#include "ws.h"

#define GUID "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

struct srv {
	int port;
	pid_t pid;
};

/* A script run by the child on the accepted socket; its exit status. */
typedef int (*script_fn)(int fd, long arg);

static int
read_full(int fd, void *buf, size_t n)
{
	unsigned char *p = buf;
	ssize_t r;

	while (n > 0) {
		r = read(fd, p, n);
		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

static int
write_full(int fd, const void *buf, size_t n)
{
	const unsigned char *p = buf;
	ssize_t r;

	while (n > 0) {
		r = write(fd, p, n);
		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

/* Reads the client's request headers (NUL-terminated) into buf. */
static int
read_request(int fd, char *buf, size_t sz)
{
	size_t n = 0;

	while (n + 1 < sz) {
		if (read(fd, buf + n, 1) != 1)
			return -1;
		buf[++n] = '\0';
		if (n >= 4 && memcmp(buf + n - 4, "\r\n\r\n", 4) == 0)
			return 0;
	}
	return -1;
}

static void
accept_of(const char *key, char out[64])
{
	char cat[128];
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	snprintf(cat, sizeof(cat), "%s%s", key, GUID);
	EVP_Digest(cat, strlen(cat), md, &mdlen, EVP_sha1(), NULL);
	EVP_EncodeBlock((unsigned char *)out, md, (int)mdlen);
}

/*
 * The server side of the handshake.  accept_override replaces the computed
 * Sec-WebSocket-Accept; extra is written in the same write() as the 101.
 */
static int
handshake(int fd, const char *proto, const char *accept_override,
    const void *extra, size_t extra_len)
{
	char req[8192], key[64], acc[64], resp[9000];
	const char *k;
	size_t kl;
	int n;

	if (read_request(fd, req, sizeof(req)) < 0)
		return -1;
	k = strstr(req, "\r\nSec-WebSocket-Key: ");
	if (k == NULL ||
	    strstr(req, "\r\nSec-WebSocket-Version: 13\r\n") == NULL ||
	    strncmp(req, "GET /ws?x=1 HTTP/1.1\r\n", 22) != 0)
		return -1;
	k += 21;
	kl = strcspn(k, "\r");
	/* base64 of 16 bytes is 24 characters ending in "==". */
	if (kl != 24 || k[22] != '=' || k[23] != '=')
		return -1;
	memcpy(key, k, kl);
	key[kl] = '\0';
	accept_of(key, acc);
	n = snprintf(resp, sizeof(resp),
	    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
	    "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n%s%s%s\r\n",
	    accept_override ? accept_override : acc,
	    proto ? "Sec-WebSocket-Protocol: " : "", proto ? proto : "",
	    proto ? "\r\n" : "");
	if (extra_len > 0)
		memcpy(resp + n, extra, extra_len);
	return write_full(fd, resp, (size_t)n + extra_len);
}

/* Encodes an unmasked server frame into out; returns its size. */
static size_t
frame_encode(unsigned char *out, int fin, int op, const void *data, size_t len)
{
	size_t n = 0, i;

	out[n++] = (unsigned char)((fin ? 0x80 : 0) | op);
	if (len < 126) {
		out[n++] = (unsigned char)len;
	} else if (len <= 0xffff) {
		out[n++] = 126;
		out[n++] = (unsigned char)(len >> 8);
		out[n++] = (unsigned char)len;
	} else {
		out[n++] = 127;
		for (i = 8; i-- > 0;)
			out[n++] = (unsigned char)((uint64_t)len >> (8 * i));
	}
	memcpy(out + n, data, len);
	return n + len;
}

static int
send_frame(int fd, int fin, int op, const void *data, size_t len)
{
	unsigned char *buf = malloc(len + 14);
	int rc;

	rc = write_full(fd, buf, frame_encode(buf, fin, op, data, len));
	free(buf);
	return rc;
}

/*
 * Reads one client frame; checks it is masked and its length minimally
 * encoded.  Returns the unmasked payload (malloc'd, NUL-terminated).
 */
static unsigned char *
read_frame(int fd, int *op, size_t *len_out)
{
	unsigned char h[2], ext[8], mask[4], *p;
	uint64_t len;
	size_t i;

	if (read_full(fd, h, 2) < 0 || !(h[0] & 0x80) || !(h[1] & 0x80))
		return NULL;
	*op = h[0] & 0x0f;
	len = h[1] & 0x7f;
	if (len == 126) {
		if (read_full(fd, ext, 2) < 0)
			return NULL;
		len = (uint64_t)ext[0] << 8 | ext[1];
		if (len < 126)
			return NULL;
	} else if (len == 127) {
		if (read_full(fd, ext, 8) < 0)
			return NULL;
		for (len = 0, i = 0; i < 8; i++)
			len = len << 8 | ext[i];
		if (len <= 0xffff)
			return NULL;
	}
	p = malloc((size_t)len + 1);
	if (read_full(fd, mask, 4) < 0 || read_full(fd, p, (size_t)len) < 0) {
		free(p);
		return NULL;
	}
	for (i = 0; i < len; i++)
		p[i] ^= mask[i & 3];
	p[len] = '\0';
	*len_out = (size_t)len;
	return p;
}

/* Forks the server: listens on an ephemeral loopback port, accepts one. */
static void
srv_start(struct srv *s, script_fn fn, long arg)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	int lfd, cfd, one = 1;

	lfd = socket(AF_INET, SOCK_STREAM, 0);
	cr_assert(lfd >= 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	cr_assert(listen(lfd, 4) == 0);
	cr_assert(getsockname(lfd, (struct sockaddr *)&sa, &sl) == 0);
	s->port = ntohs(sa.sin_port);
	s->pid = fork();
	cr_assert(s->pid >= 0);
	if (s->pid == 0) {
		struct pollfd p = { .fd = lfd, .events = POLLIN };

		if (poll(&p, 1, 5000) != 1)
			_exit(100);
		cfd = accept(lfd, NULL, NULL);
		if (cfd < 0)
			_exit(101);
		close(lfd);
		_exit(fn(cfd, arg));
	}
	close(lfd);
}

/* The child's verdict: 0 means the client behaved. */
static int
srv_wait(struct srv *s)
{
	int st = 0;

	cr_assert(waitpid(s->pid, &st, 0) == s->pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 200;
}

/* Waits for the client's close frame, then EOF. */
static int
expect_close(int fd)
{
	unsigned char *p;
	size_t len;
	int op, rc = 0;

	p = read_frame(fd, &op, &len);
	if (p == NULL || op != 0x8)
		rc = 30;
	free(p);
	return rc;
}

/* --- scripts --- */

/* Echo: one client frame of arg bytes back as one server frame. */
static int
script_echo(int fd, long arg)
{
	unsigned char *p;
	size_t len;
	int op, rc;

	if (handshake(fd, NULL, NULL, NULL, 0) < 0)
		return 10;
	p = read_frame(fd, &op, &len);
	if (p == NULL)
		return 11;
	if (op != 0x1 || len != (size_t)arg)
		return 12;
	rc = send_frame(fd, 1, 0x1, p, len) < 0 ? 13 : 0;
	free(p);
	return rc ? rc : expect_close(fd);
}

struct size_case {
	long len;
};

ParameterizedTestParameters(ws, frames_of_every_length_encoding_round_trip)
{
	static struct size_case cases[] = {
		{ 0 },
		{ 1 },
		{ 125 },
		{ 126 },
		{ 127 },
		{ 65535 },
		{ 65536 },
		{ 300000 },
	};
	return cr_make_param_array(struct size_case, cases,
	    sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct size_case *c, ws,
    frames_of_every_length_encoding_round_trip)
{
	struct srv s;
	struct ws *w;
	char *text, *got;
	int st = -1;
	long i;

	srv_start(&s, script_echo, c->len);
	w = ws_connect(s.port, "/ws?x=1", NULL, 3000, &st);
	cr_assert_not_null(w);
	cr_assert_eq(st, 101);
	text = malloc((size_t)c->len + 1);
	for (i = 0; i < c->len; i++)
		text[i] = (char)('a' + i % 26);
	text[c->len] = '\0';
	cr_assert_eq(ws_send_text(w, text), 0);
	got = ws_recv(w, 5000);
	cr_assert_not_null(got, "no echo of %ld bytes", c->len);
	cr_assert_eq(strlen(got), (size_t)c->len);
	cr_assert(memcmp(got, text, (size_t)c->len) == 0);
	ws_close(w);
	cr_assert_eq(srv_wait(&s), 0, "server saw a bad frame");
	free(text);
	free(got);
}

/* The 101 and the first frame arrive in one segment. */
static int
script_frame_with_101(int fd, long arg)
{
	unsigned char buf[64];
	size_t n;

	(void)arg;
	n = frame_encode(buf, 1, 0x1, "early", 5);
	n += frame_encode(buf + n, 1, 0x2, "bin", 3);
	if (handshake(fd, "ws+meta.nchan", NULL, buf, n) < 0)
		return 10;
	return expect_close(fd);
}

Test(ws, bytes_after_the_101_headers_are_the_first_frames)
{
	struct srv s;
	struct ws *w;
	char *a, *b;

	srv_start(&s, script_frame_with_101, 0);
	w = ws_connect(s.port, "/ws?x=1", "ws+meta.nchan", 3000, NULL);
	cr_assert_not_null(w);
	a = ws_recv(w, 2000);
	b = ws_recv(w, 2000);
	cr_assert_str_eq(a, "early");
	cr_assert_str_eq(b, "bin", "binary messages are returned too");
	ws_close(w);
	cr_assert_eq(srv_wait(&s), 0);
	free(a);
	free(b);
}

/* A text message in three fragments with a ping between them. */
static int
script_fragments(int fd, long arg)
{
	unsigned char *p;
	size_t len;
	int op, rc = 0;

	(void)arg;
	if (handshake(fd, NULL, NULL, NULL, 0) < 0)
		return 10;
	if (send_frame(fd, 0, 0x1, "Hel", 3) < 0 ||
	    send_frame(fd, 1, 0x9, "p1", 2) < 0 ||
	    send_frame(fd, 0, 0x0, "lo ", 3) < 0 ||
	    send_frame(fd, 1, 0x0, "world", 5) < 0)
		return 11;
	p = read_frame(fd, &op, &len);
	if (p == NULL || op != 0xA || len != 2 || memcmp(p, "p1", 2) != 0)
		rc = 12;
	free(p);
	return rc ? rc : expect_close(fd);
}

Test(ws, fragments_are_reassembled_around_an_interleaved_ping)
{
	struct srv s;
	struct ws *w;
	char *m;

	srv_start(&s, script_fragments, 0);
	w = ws_connect(s.port, "/ws?x=1", NULL, 3000, NULL);
	cr_assert_not_null(w);
	m = ws_recv(w, 3000);
	cr_assert_str_eq(m, "Hello world");
	ws_close(w);
	cr_assert_eq(srv_wait(&s), 0, "no pong carrying the ping payload");
	free(m);
}

/* Ping, then a message: the pong must come before the client's text. */
static int
script_ping(int fd, long arg)
{
	unsigned char *p;
	size_t len;
	int op, rc = 0;

	(void)arg;
	if (handshake(fd, NULL, NULL, NULL, 0) < 0)
		return 10;
	if (send_frame(fd, 1, 0x9, "", 0) < 0 ||
	    send_frame(fd, 1, 0x1, "after", 5) < 0)
		return 11;
	p = read_frame(fd, &op, &len);
	if (p == NULL || op != 0xA || len != 0)
		rc = 12;
	free(p);
	if (rc == 0) {
		p = read_frame(fd, &op, &len);
		if (p == NULL || op != 0x1 || strcmp((char *)p, "thanks") != 0)
			rc = 13;
		free(p);
	}
	return rc ? rc : expect_close(fd);
}

Test(ws, a_ping_is_answered_with_a_pong)
{
	struct srv s;
	struct ws *w;
	char *m;

	srv_start(&s, script_ping, 0);
	w = ws_connect(s.port, "/ws?x=1", NULL, 3000, NULL);
	cr_assert_not_null(w);
	m = ws_recv(w, 3000);
	cr_assert_str_eq(m, "after");
	cr_assert_eq(ws_send_text(w, "thanks"), 0);
	ws_close(w);
	cr_assert_eq(srv_wait(&s), 0, "pong missing or out of order");
	free(m);
}

/* The server closes with 1001; the client must echo a close. */
static int
script_server_close(int fd, long arg)
{
	unsigned char *p;
	size_t len;
	int op, rc = 0;

	(void)arg;
	if (handshake(fd, NULL, NULL, NULL, 0) < 0)
		return 10;
	if (send_frame(fd, 1, 0x8, "\x03\xe9", 2) < 0)
		return 11;
	p = read_frame(fd, &op, &len);
	if (p == NULL || op != 0x8 || len != 2 || memcmp(p, "\x03\xe9", 2))
		rc = 12;
	free(p);
	/* Nothing more may follow the close. */
	if (rc == 0 && read(fd, &op, 1) != 0)
		rc = 13;
	return rc;
}

Test(ws, a_close_frame_ends_the_stream_and_is_echoed)
{
	struct srv s;
	struct ws *w;

	srv_start(&s, script_server_close, 0);
	w = ws_connect(s.port, "/ws?x=1", NULL, 3000, NULL);
	cr_assert_not_null(w);
	cr_assert_null(ws_recv(w, 3000));
	cr_assert(ws_closed(w));
	cr_assert_eq(ws_send_text(w, "late"), -1);
	ws_close(w);
	cr_assert_eq(srv_wait(&s), 0);
}

static int
script_bad_accept(int fd, long arg)
{
	(void)arg;
	if (handshake(fd, NULL, "AAAAAAAAAAAAAAAAAAAAAAAAAAA=", NULL, 0) < 0)
		return 10;
	return 0;
}

Test(ws, a_wrong_accept_key_fails_the_handshake)
{
	struct srv s;
	int st = -1;

	srv_start(&s, script_bad_accept, 0);
	cr_assert_null(ws_connect(s.port, "/ws?x=1", NULL, 3000, &st));
	cr_assert_eq(st, 101);
	cr_assert_eq(srv_wait(&s), 0);
}

static int
script_wrong_proto(int fd, long arg)
{
	(void)arg;
	return handshake(fd, "chat", NULL, NULL, 0) < 0 ? 10 : 0;
}

Test(ws, a_subprotocol_not_offered_fails_the_handshake)
{
	struct srv s;

	srv_start(&s, script_wrong_proto, 0);
	cr_assert_null(
	    ws_connect(s.port, "/ws?x=1", "ws+meta.nchan", 3000, NULL));
	cr_assert_eq(srv_wait(&s), 0);
}

static int
script_401(int fd, long arg)
{
	char req[8192];
	const char *r = "HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n"
			"Connection: close\r\n\r\n";

	(void)arg;
	if (read_request(fd, req, sizeof(req)) < 0)
		return 10;
	return write_full(fd, r, strlen(r)) < 0 ? 11 : 0;
}

Test(ws, a_refused_upgrade_reports_its_http_status)
{
	struct srv s;
	int st = -1;

	srv_start(&s, script_401, 0);
	cr_assert_null(ws_connect(s.port, "/ws?x=1", NULL, 3000, &st));
	cr_assert_eq(st, 401);
	cr_assert_eq(srv_wait(&s), 0);
}

/* Accepts and says nothing until the client goes away. */
static int
script_silent(int fd, long arg)
{
	char c;

	(void)arg;
	while (read(fd, &c, 1) > 0)
		;
	return 0;
}

Test(ws, a_silent_server_times_the_handshake_out)
{
	struct srv s;
	long long t0;
	int st = -1;

	srv_start(&s, script_silent, 0);
	t0 = clock_mono_ms();
	cr_assert_null(ws_connect(s.port, "/ws?x=1", NULL, 300, &st));
	cr_assert_geq(clock_mono_ms() - t0, 250);
	cr_assert_lt(clock_mono_ms() - t0, 2000);
	cr_assert_eq(st, 0);
	cr_assert_eq(srv_wait(&s), 0);
}

Test(ws, nothing_listening_fails_fast)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port, st = -1;

	/* Bind without listening: a port nobody accepts on. */
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert(bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	getsockname(fd, (struct sockaddr *)&sa, &sl);
	port = ntohs(sa.sin_port);
	cr_assert_null(ws_connect(port, "/ws?x=1", NULL, 1000, &st));
	cr_assert_eq(st, 0);
	close(fd);
}

/* A handshake, then nothing for a while, then one message. */
static int
script_late(int fd, long arg)
{
	(void)arg;
	if (handshake(fd, NULL, NULL, NULL, 0) < 0)
		return 10;
	usleep(400 * 1000);
	if (send_frame(fd, 1, 0x1, "late", 4) < 0)
		return 11;
	return expect_close(fd);
}

Test(ws, recv_times_out_and_keeps_the_connection_usable)
{
	struct srv s;
	struct ws *w;
	long long t0;
	char *m;

	srv_start(&s, script_late, 0);
	w = ws_connect(s.port, "/ws?x=1", NULL, 3000, NULL);
	cr_assert_not_null(w);
	t0 = clock_mono_ms();
	cr_assert_null(ws_recv(w, 100));
	cr_assert_geq(clock_mono_ms() - t0, 90);
	cr_assert(!ws_closed(w), "a timeout is not a close");
	m = ws_recv(w, 3000);
	cr_assert_str_eq(m, "late");
	ws_close(w);
	cr_assert_eq(srv_wait(&s), 0);
	free(m);
}

/* nchan ws+meta framing: two messages, the second is the one wanted. */
static int
script_meta(int fd, long arg)
{
	const char *a = "id: 1795287756:0\ncontent-type: application/json\n\n"
			"{\"type\":\"other\"}";
	const char *b = "id: 1795287757:0\ncontent-type: application/json\n\n"
			"{\"type\":\"wanted\",\"n\":7}";

	(void)arg;
	if (handshake(fd, "ws+meta.nchan", NULL, NULL, 0) < 0)
		return 10;
	if (send_frame(fd, 1, 0x1, a, strlen(a)) < 0 ||
	    send_frame(fd, 1, 0x1, "not json", 8) < 0 ||
	    send_frame(fd, 1, 0x1, b, strlen(b)) < 0)
		return 11;
	return expect_close(fd);
}

Test(ws, expect_type_skips_others_and_keeps_the_meta_id)
{
	struct srv s;
	struct ws *w;
	json_t *j;

	srv_start(&s, script_meta, 0);
	w = ws_connect(s.port, "/ws?x=1", "ws+meta.nchan", 3000, NULL);
	cr_assert_not_null(w);
	cr_assert_null(ws_last_id(w));
	j = ws_expect_type(w, "wanted", 3000);
	cr_assert_not_null(j);
	cr_assert_eq(json_integer_value(json_object_get(j, "n")), 7);
	cr_assert_str_eq(ws_last_id(w), "1795287757:0");
	cr_assert_null(ws_expect_type(w, "wanted", 100), "nothing more came");
	json_decref(j);
	ws_close(w);
	cr_assert_eq(srv_wait(&s), 0);
}

Test(ws, meta_split_separates_id_and_data)
{
	const char *m = "id: 1795287756:0\ncontent-type: application/json\n\n"
			"{\"type\":\"x\"}";
	char *id = (char *)1;

	cr_assert_str_eq(ws_meta_split(m, &id), "{\"type\":\"x\"}");
	cr_assert_str_eq(id, "1795287756:0");
	free(id);
}

Test(ws, meta_split_leaves_a_plain_message_whole)
{
	const char *m = "{\"type\":\"x\",\n\n\"a\":1}";
	char *id = (char *)1;

	cr_assert_eq(ws_meta_split(m, &id), m);
	cr_assert_null(id);
	cr_assert_null(id);
	m = "{}";
	cr_assert_eq(ws_meta_split(m, &id), m);
	cr_assert_null(id);
}

Test(ws, meta_split_without_an_id_gives_null_id)
{
	const char *m = "content-type: text/plain\n\nhello";
	char *id = (char *)1;

	cr_assert_str_eq(ws_meta_split(m, &id), "hello");
	cr_assert_null(id);
}
