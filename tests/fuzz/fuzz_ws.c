/*
 * fuzz_ws.c - a client's WebSocket frame as nchan posts it to the workers
 * (websocket_message): the JSON frame, its type and the error frames
 * sent back.  Frames from a teacher's socket: a student's submit and
 * evidence frames go on to the database, which the submit tests cover.
 */
#include "arena.h"
#include "config.h"
#include "fuzz.h"
#include "http.h"
#include "websocket.h"

static struct config cfg;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena *ar = arena_new(64 * 1024);
	struct http_req r;
	char *env[] = { "REQUEST_METHOD=POST", "EHAZIRA_PATH=/ws/message",
		"EHAZIRA_INTERNAL=1", NULL };
	size_t len;

	http_req_init(&r, ar, &cfg, env);
	r.body = (const char *)data;
	r.body_len = size;
	r.auth.role = ROLE_TEACHER;
	r.auth.email = "t@college.edu";
	r.auth.device_id = 1;
	(void)websocket_message(&r);
	(void)http_render(&r, &len);
	arena_free(ar);
	return 0;
}
