/*
 * fuzz_cidr.c - cidr_match on outside input: the list comes from config
 * and class policy, the address from the client's connection.  Input: the
 * list, a newline, the address.
 */
#include "cidr.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *list = fuzz_cstr(data, size), *addr;

	if (list == NULL)
		return 0;
	addr = fuzz_split(list);
	(void)cidr_match(list, addr);
	/* each half as the other too: both are parsed */
	(void)cidr_match(addr, list);
	free(list);
	return 0;
}
