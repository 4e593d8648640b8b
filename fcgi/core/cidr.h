/*
 * cidr.h - is an address inside a list of networks.
 */
#ifndef EHZ_CIDR_H
#define EHZ_CIDR_H

#include <stddef.h>

/*
 * 1 when addr (IPv4 or IPv6 text) is inside one of the comma-separated
 * CIDRs in list ("10.0.0.0/8, 2001:db8::/32, 192.168.1.7"); 0 otherwise,
 * including for malformed input.
 */
int cidr_match(const char *list, const char *addr);

/*
 * 1 when every comma-separated entry of list is an IPv4 or IPv6 address
 * or CIDR (an empty list too: anywhere); 0 with the first bad entry named
 * in err otherwise.
 */
int cidr_list_valid(const char *list, char *err, size_t errlen);

#endif
