/*
 * mintb64.c - base64url without padding for the test minting helpers
 * (mint.c, mintdpop.c, mintwa.c), see mint.h.  Its own file so that the
 * fuzz targets, which include the helpers' sources, can include it too.
 */
#include <openssl/evp.h>
#include <stdlib.h>

#include "mint.h"

char *
mint_b64url(const unsigned char *buf, size_t n)
{
	char *s = malloc(4 * ((n + 2) / 3) + 1), *p;
	int len;

	if (s == NULL)
		return NULL;
	len = EVP_EncodeBlock((unsigned char *)s, buf, (int)n);
	while (len > 0 && s[len - 1] == '=')
		s[--len] = '\0';
	for (p = s; *p; p++)
		*p = *p == '+' ? '-' : *p == '/' ? '_' : *p;
	return s;
}
