/*
 * jsontext.c - JSON text written straight into a growing buffer.
 *
 * Big answers (the dashboard's views, the class summary's register) cost
 * more as jansson trees than as their text: an object per row, a copy of
 * every key and value, the dump and the teardown.  Their writers put the
 * fixed parts (keys, punctuation, integers) into the buffer themselves and
 * hand every value whose bytes are not obvious (a string with escapes or
 * non-ASCII, a real) to jansson's own encoder through one reused value, so
 * the text is byte for byte what dumping the tree gave.
 */
#include <string.h>

#include "jsontext.h"

int
jsontext_write(const char *p, size_t n, void *data)
{
	return buf_append(data, p, n);
}

/* No JSON_ESCAPE_SLASH and no JSON_ENSURE_ASCII: jansson escapes only the
 * quote, the backslash and control characters; DEL and beyond go to the
 * encoder to be sure. */
int
jsontext_is_plain(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	for (; *p; p++)
		if (*p < 0x20 || *p > 0x7e || *p == '"' || *p == '\\')
			return 0;
	return 1;
}

int
jsontext_value(struct buf *b, json_t *v)
{
	return json_dump_callback(v, jsontext_write, b,
		   JSONTEXT_FLAGS | JSON_ENCODE_ANY) == 0
	    ? 0
	    : -1;
}

int
jsontext_string(struct buf *b, json_t *scratch, const char *s)
{
	if (s == NULL)
		return 1;
	if (jsontext_is_plain(s))
		return buf_append(b, "\"", 1) < 0 ||
			buf_append(b, s, strlen(s)) < 0 ||
			buf_append(b, "\"", 1) < 0
		    ? -1
		    : 0;
	if (json_string_set(scratch, s) < 0)
		return 1; /* not UTF-8 */
	return jsontext_value(b, scratch);
}

int
jsontext_real(struct buf *b, json_t *scratch, double p)
{
	if (json_real_set(scratch, p) < 0)
		return 1; /* NaN or infinite: json_real() is NULL */
	return jsontext_value(b, scratch);
}
