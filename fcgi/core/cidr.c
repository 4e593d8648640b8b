/*
 * cidr.c - the campus-network policy's address test.  A class may list
 * the networks its submits must come from (class.allowed_cidrs); the
 * address is the one nginx saw.  Malformed entries never match.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cidr.h"

static int
in_net(const unsigned char *a, const unsigned char *net, int bits)
{
	int i;

	for (i = 0; i < bits / 8; i++)
		if (a[i] != net[i])
			return 0;
	if (bits % 8)
		return ((a[i] ^ net[i]) & (0xff << (8 - bits % 8))) == 0;
	return 1;
}

int
cidr_match(const char *list, const char *addr)
{
	unsigned char a[16], net[16];
	char item[80], *slash, *end;
	const char *p = list, *comma;
	int fam, max;
	long bits;
	size_t n;

	if (list == NULL || addr == NULL)
		return 0;
	fam = strchr(addr, ':') ? AF_INET6 : AF_INET;
	if (inet_pton(fam, addr, a) != 1)
		return 0;
	max = fam == AF_INET ? 32 : 128;
	while (*p) {
		while (*p == ' ' || *p == ',')
			p++;
		comma = strchr(p, ',');
		n = comma ? (size_t)(comma - p) : strlen(p);
		while (n > 0 && p[n - 1] == ' ')
			n--;
		if (n > 0 && n < sizeof(item)) {
			memcpy(item, p, n);
			item[n] = '\0';
			bits = max;
			if ((slash = strchr(item, '/')) != NULL) {
				*slash = '\0';
				bits = strtol(slash + 1, &end, 10);
				if (*end != '\0' || end == slash + 1)
					bits = -1;
			}
			if (bits >= 0 && bits <= max &&
			    inet_pton(fam, item, net) == 1 &&
			    in_net(a, net, (int)bits))
				return 1;
		}
		p = comma ? comma + 1 : p + strlen(p);
	}
	return 0;
}

/* One entry: an address, or an address and a prefix within its family. */
static int
entry_valid(char *item)
{
	unsigned char net[16];
	char *slash = strchr(item, '/'), *end;
	int fam = strchr(item, ':') ? AF_INET6 : AF_INET;
	long bits = fam == AF_INET ? 32 : 128;

	if (slash) {
		*slash = '\0';
		bits = strtol(slash + 1, &end, 10);
		if (*end != '\0' || end == slash + 1 || slash[1] == '-' ||
		    slash[1] == '+' || bits > (fam == AF_INET ? 32 : 128))
			return 0;
	}
	return inet_pton(fam, item, net) == 1;
}

int
cidr_list_valid(const char *list, char *err, size_t errlen)
{
	const char *p = list ? list : "", *comma;
	char item[80];
	size_t n;

	while (*p) {
		while (*p == ' ' || *p == ',')
			p++;
		comma = strchr(p, ',');
		n = comma ? (size_t)(comma - p) : strlen(p);
		while (n > 0 && p[n - 1] == ' ')
			n--;
		if (n >= sizeof(item) ||
		    (n > 0 &&
			(memcpy(item, p, n), item[n] = '\0',
			    !entry_valid(item)))) {
			snprintf(err, errlen,
			    "'%.*s' is not an IPv4 or IPv6 network (CIDR)",
			    (int)(n > 60 ? 60 : n), p);
			return 0;
		}
		p = comma ? comma + 1 : p + strlen(p);
	}
	return 1;
}
