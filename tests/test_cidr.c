/*
 * test_cidr.c - the campus-network address test.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>

#include "cidr.h"

struct cidr_case {
	char list[64], addr[48];
	int match;
};

ParameterizedTestParameters(cidr, addresses_match_their_networks_only)
{
	static struct cidr_case cases[] = {
		{ "10.0.0.0/8", "10.1.2.3", 1 },
		{ "10.0.0.0/8", "11.1.2.3", 0 },
		{ "192.168.1.0/24, 10.0.0.0/8", "10.200.0.1", 1 },
		{ "192.168.1.0/25", "192.168.1.127", 1 },
		{ "192.168.1.0/25", "192.168.1.128", 0 },
		{ "192.168.1.7", "192.168.1.7", 1 },
		{ "192.168.1.7", "192.168.1.8", 0 },
		{ "0.0.0.0/0", "8.8.8.8", 1 },
		{ "2001:db8::/32", "2001:db8:1::5", 1 },
		{ "2001:db8::/32", "2001:db9::5", 0 },
		{ "10.0.0.0/8", "::1", 0 },
		{ "10.0.0.0/33", "10.0.0.1", 0 },
		{ "10.0.0.0/x", "10.0.0.1", 0 },
		{ "garbage", "10.0.0.1", 0 },
		{ "", "10.0.0.1", 0 },
		{ "10.0.0.0/8", "not-an-ip", 0 },
		{ ",, 127.0.0.0/8 ,", "127.0.0.1", 1 },
	};
	return cr_make_param_array(struct cidr_case, cases,
	    sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct cidr_case *c, cidr,
    addresses_match_their_networks_only)
{
	cr_assert_eq(cidr_match(c->list, c->addr), c->match, "%s in '%s'",
	    c->addr, c->list);
}

Test(cidr, a_policy_list_is_checked_entry_by_entry)
{
	static const struct {
		char list[64];
		int ok;
		char names[24]; /* the bad entry the message names */
	} cases[] = {
		{ "", 1, "" },
		{ "10.0.0.0/8, 2001:db8::/32,192.168.1.7", 1, "" },
		{ "::1, fe80::/10", 1, "" },
		{ "10.0.0.0/33", 0, "10.0.0.0/33" },
		{ "10.0.0.0/8,2001:db8::/129", 0, "2001:db8::/129" },
		{ "10.0.0/8", 0, "10.0.0/8" },
		{ "10.0.0.0/", 0, "10.0.0.0/" },
		{ "10.0.0.0/+8", 0, "10.0.0.0/+8" },
		{ "campus-wifi", 0, "campus-wifi" },
	};
	char err[128];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err[0] = '\0';
		cr_assert_eq(cidr_list_valid(cases[i].list, err, sizeof(err)),
		    cases[i].ok, "'%s'", cases[i].list);
		if (!cases[i].ok)
			cr_assert(strstr(err, cases[i].names), "'%s': %s",
			    cases[i].list, err);
	}
}
