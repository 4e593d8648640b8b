/*
 * ws.h - a minimal RFC 6455 WebSocket client for the integration tests and
 * benchmarks: plain TCP or TLS to 127.0.0.1, one connection per struct ws, no
 * global state (safe after fork and from several processes).  Speaks the
 * nchan "ws+meta.nchan" subprotocol's message framing on request.
 */
#ifndef EHZ_WS_H
#define EHZ_WS_H

#include <jansson.h>

struct ws;

/*
 * Connects to 127.0.0.1:port and upgrades at path_and_query (e.g.
 * "/ws").  subprotocol may be NULL or the offered list, e.g.
 * "ws+meta.nchan, bearer.<token>"; the server must pick one of them.
 * Returns NULL on failure; *http_status (when not NULL) gets the handshake's
 * HTTP status: 101 on success, else e.g. 401/403, 0 when no status line was
 * read at all.  A 101 whose Sec-WebSocket-Accept or subprotocol is wrong
 * also returns NULL (with status 101).  timeout_ms bounds connect+handshake.
 */
struct ws *ws_connect(int port, const char *path_and_query,
    const char *subprotocol, int timeout_ms, int *http_status);
/*
 * The same over TLS (wss://): TLS 1.2 or later, ALPN http/1.1.  With
 * ca_file the server's certificate must chain to it and be for 127.0.0.1;
 * NULL accepts any certificate.  A failed TLS handshake leaves status 0.
 */
struct ws *
ws_connect_tls(int port, const char *path_and_query, const char *subprotocol,
    int timeout_ms, int *http_status, const char *ca_file);
/* Sends one masked text frame; 0, or -1 on error/closed. */
int ws_send_text(struct ws *w, const char *text);
/*
 * Waits up to timeout_ms (< 0: forever) for the next text or binary
 * message; answers pings with pongs transparently and reassembles
 * fragmented messages.  Returns a malloc'd NUL-terminated payload (caller
 * frees), NULL on timeout, close or error (ws_closed() tells them apart).
 * Several messages may arrive in one read: after poll() on ws_fd() says
 * readable, call ws_recv(w, 0) until it returns NULL.
 */
char *ws_recv(struct ws *w, int timeout_ms);
/*
 * Splits an nchan ws+meta message "id: <msgid>\ncontent-type: ...\n\n<data>"
 * into its id (malloc'd into *id_out, NULL when absent) and returns a
 * pointer to data inside msg.  A message without a meta header is returned
 * whole.
 */
const char *ws_meta_split(const char *msg, char **id_out);
/*
 * Waits up to timeout_ms for a JSON message whose "type" equals type,
 * discarding other messages; returns it (caller json_decref()s) or NULL.
 * With the meta subprotocol the header is stripped first and its id kept
 * for ws_last_id().  A group message (an "items" array, such as
 * attendance.submissions) is unpacked: its items count as messages.
 */
json_t *ws_expect_type(struct ws *w, const char *type, int timeout_ms);
/* The last meta id seen by ws_expect_type(), or NULL. */
const char *ws_last_id(struct ws *w);
/* The socket, for poll() in benchmarks. */
int ws_fd(struct ws *w);
/* The server's close code (0: none yet) and its reason text in *reason. */
int ws_close_status(struct ws *w, const char **reason);
/* 1 once the peer closed (close frame or EOF) or a protocol error hit. */
int ws_closed(struct ws *w);
/* Sends a close frame (unless closed already) and frees w; NULL is fine. */
void ws_close(struct ws *w);

#endif
