/*
 * it.h - helpers for integration tests: HTTP to the running test stack,
 * direct SQL on its database (to assert on rows), and app tokens.
 */
#ifndef EHZ_IT_H
#define EHZ_IT_H

#include <jansson.h>
#include <stdarg.h>
#include <stddef.h>

#include "arena.h"
#include "config.h"
#include "db.h"

struct it_resp {
	long status;
	char *body; /* NUL-terminated, malloc'd */
	size_t len;
	json_t *json; /* parsed body or NULL */
	char *content_type;
	char *headers; /* raw response headers */
};

/* The stack's base URL (EHAZIRA_TEST_URL); NULL when unset. */
const char *it_url(void);
/* Skips the calling test when no stack is configured. */
#define IT_REQUIRE_STACK()                                        \
	do {                                                      \
		if (it_url() == NULL)                             \
			cr_skip_test("EHAZIRA_TEST_URL not set"); \
	} while (0)

/*
 * One HTTP request.  headers is a NULL-terminated list of "Name: value"
 * strings or NULL.  Returns 0 and fills resp, or -1 on transport error.
 */
int it_request(const char *method, const char *path, const char *body,
    size_t body_len, const char *const *headers, struct it_resp *resp);
int it_get(const char *path, const char *token, struct it_resp *resp);
int it_post_json(const char *path, const char *token, const char *json,
    struct it_resp *resp);
void it_resp_free(struct it_resp *resp);
/* resp->json's error.code, or "". */
const char *it_error_code(const struct it_resp *resp);

/* The stack's config (env overrides as the stack saw them). */
const struct config *it_config(void);
/* A process-wide connection to the test database. */
struct db *it_db(void);
struct arena *it_arena(void);
/* Runs SQL that returns one integer (COUNT(*) ...); -1 on error. */
long long it_sql_int(const char *sql, const char *types, ...);
/* Runs a statement; DB_* code. */
int it_sql(const char *sql, const char *types, ...);
/* An access token for an existing device row, signed with JWT_SECRET. */
char *
it_token(const char *email, const char *role, long long device_id, long ttl);
/* Runs `scripts/stack CMD` for the test stack; the shell's status. */
int it_stack(const char *cmd);
/* The pid in STATE/run/NAME.pid, or 0. */
int it_pid(const char *name);
/*
 * Lines of STATE/log/LOG (state NULL: the test stack's) that contain
 * needle; 0 when the log is not there.
 */
int it_log_lines(const char *state, const char *log, const char *needle);
/*
 * A call to a stand-in's control surface: METHOD base + the formatted
 * path (POST with an empty body); the parsed JSON answer, or NULL when
 * the call or the parse failed.
 */
json_t *it_control(const char *base, const char *method, const char *fmt,
    va_list ap) __attribute__((format(printf, 3, 0)));
/* A unique suffix for fixture names in this process. */
const char *it_uniq(void);

#endif
