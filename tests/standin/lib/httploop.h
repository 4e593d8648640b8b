/*
 * httploop.h - the connection loop the HTTP stand-ins share: one thread,
 * poll(2) over a listening socket and up to STANDIN_MAX_CONNS keep-alive
 * connections, each answered by the stand-in's own serve_one as whole
 * requests arrive; an answer may be held back until ready_at (a slow
 * server on demand).
 */
#ifndef EHZ_STANDIN_HTTPLOOP_H
#define EHZ_STANDIN_HTTPLOOP_H

#include <signal.h>
#include <stddef.h>

#define STANDIN_MAX_CONNS 2048

struct standin_conn {
	int fd;
	char *in;
	size_t nin, capin;
	char *out;
	size_t nout, off;
	long long ready_at; /* a delayed answer goes out from here (ms) */
	int close_after;
};

struct standin_loop {
	const char *name; /* the program, for its messages */
	/*
	 * Answers the first whole request in c->in (sets c->out/nout and
	 * consumes it): 1 when it did, 0 when more input is needed.
	 */
	int (*serve_one)(struct standin_conn *c);
	volatile sig_atomic_t *stop; /* set by a signal: the loop returns */
	struct standin_conn conns[STANDIN_MAX_CONNS];
	int nconns;
};

/* A non-blocking socket listening on 127.0.0.1:port (0: any); the port
 * bound into *bound; -1 on failure. */
int standin_listen(int port, int *bound);
/* Serves until *l->stop. */
void standin_serve(struct standin_loop *l, int lfd);
/* Frees every connection's buffers (at exit). */
void standin_close_all(struct standin_loop *l);

#endif
