/*
 * test_contract.c - schema/openapi.yaml documents every public route of
 * the route table (method and path), so the contract cannot fall behind.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "router.h"

/* "/devices/:id/approve" -> "/devices/{id}/approve" */
static void
openapi_path(const char *pattern, char *out, size_t n)
{
	size_t o = 0;
	int in_param = 0;

	for (; *pattern && o + 2 < n; pattern++) {
		if (*pattern == ':') {
			out[o++] = '{';
			in_param = 1;
			continue;
		}
		if (*pattern == '/' && in_param) {
			out[o++] = '}';
			in_param = 0;
		}
		out[o++] = *pattern;
	}
	if (in_param)
		out[o++] = '}';
	out[o] = '\0';
}

/* Is "    <method>:" inside the block of "  <path>:"? */
static int
documented(const char *yaml, const char *path, const char *method)
{
	char key[512], m[32];
	const char *p, *end;
	size_t i;

	snprintf(key, sizeof(key), "\n  %s:\n", path);
	if ((p = strstr(yaml, key)) == NULL)
		return 0;
	p += strlen(key) - 1;
	/* the block ends at the next line indented by exactly two spaces */
	for (end = p; (end = strchr(end + 1, '\n')) != NULL;)
		if (end[1] == ' ' && end[2] == ' ' && end[3] != ' ')
			break;
	if (end == NULL || (end[1] != ' '))
		for (end = p; (end = strchr(end + 1, '\n')) != NULL;)
			if (end[1] != ' ')
				break;
	for (i = 0; method[i] && i < sizeof(m) - 1; i++)
		m[i] = (char)(method[i] | 0x20);
	m[i] = '\0';
	snprintf(key, sizeof(key), "\n    %s:", m);
	p = strstr(p, key);
	return p != NULL && (end == NULL || p < end);
}

Test(contract, every_public_route_is_in_openapi)
{
	char *yaml = buf_read_file("schema/openapi.yaml", NULL), path[512];
	size_t n, i;
	const struct route *rt = router_table(&n);

	cr_assert_not_null(yaml, "schema/openapi.yaml is readable");
	for (i = 0; i < n; i++) {
		if (rt[i].flags & ROUTE_INTERNAL)
			continue;
		openapi_path(rt[i].pattern, path, sizeof(path));
		cr_expect(documented(yaml, path, rt[i].method),
		    "%s %s is missing from schema/openapi.yaml", rt[i].method,
		    path);
	}
	free(yaml);
}

Test(contract, the_checker_notices_a_missing_route)
{
	const char *yaml = "paths:\n  /a:\n    get:\n      x: 1\n  /b:\n"
			   "    post:\n";

	cr_assert(documented(yaml, "/a", "GET"));
	cr_assert(!documented(yaml, "/a", "POST"));
	cr_assert(documented(yaml, "/b", "POST"));
	cr_assert(!documented(yaml, "/c", "GET"));
}
