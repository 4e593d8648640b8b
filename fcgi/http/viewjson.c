/*
 * viewjson.c - a dashboard view's rows as JSON text without a jansson
 * object per row.
 *
 * The college-wide shortage list is 23,000 rows of ten cells: a jansson
 * object per row (a hash table, a copy of every key and value) and its
 * teardown cost the worker about 200 ms, more than MariaDB's query.  Here
 * each cell is set into one reused jansson value of its kind and dumped
 * with jansson's own encoder into one buffer (json_dump_callback), and
 * each column's key is encoded once: the same bytes as dumping the
 * objects (a cell jansson would refuse, a string that is not UTF-8, is
 * left out of its row as json_object_set_new left it out), at a few
 * allocations a row (the buffer and the encoder's helpers are
 * fcgi/core/buf.c and jsontext.c).  tests/integration/test_dashboard.c
 * reads the views; the dashboard benchmark compared every view's bytes
 * with the objects'.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "jsontext.h"
#include "viewjson.h"

/* The reused values: one per kind of cell. */
struct cellvals {
	json_t *s, *i, *f;
};

/* Cell v of kind k into its value; NULL where the object would have none. */
static json_t *
cell_value(struct cellvals *cv, char k, const char *v)
{
	if (v == NULL)
		return json_null();
	if (k == 'i')
		return json_integer_set(cv->i, atoll(v)) == 0 ? cv->i : NULL;
	if (k == 'f')
		return json_real_set(cv->f, atof(v)) == 0 ? cv->f : NULL;
	return json_string_set(cv->s, v) == 0 ? cv->s : NULL;
}

/*
 * A number cell whose text is what jansson writes for it, so it is
 * written as it is: a whole number of at most 18 digits (no overflow)
 * without a leading zero or "-0", or a real as the views round their
 * percentages, at most 9 digits, a point and one digit ("%.10g" gives the
 * same digits; jansson adds the ".0" that "%g" drops).  0 for any other.
 */
static int
is_plain_number(char k, const char *v)
{
	const char *p = v + (k == 'i' && *v == '-');
	size_t n = strspn(p, "0123456789");

	if (n == 0 || n > (k == 'i' ? 18u : 9u) ||
	    (p[0] == '0' && (n > 1 || p != v))) /* 007, -0 */
		return 0;
	if (k == 'i')
		return p[n] == '\0';
	return k == 'f' && p[n] == '.' && p[n + 1] >= '0' && p[n + 1] <= '9' &&
	    p[n + 2] == '\0';
}

/* Cell j of row with its key: 1, 0 when left out (as the object left
 * it out: the caller takes the key back), -1 on error. */
static int
dump_cell(struct buf *b, const struct report_table *t, char *const *row, int j,
    const struct buf *keys, struct cellvals *cv)
{
	const char *s = row[j];
	char k = t->kinds[j];
	json_t *v;
	int rc;

	if (buf_append(b, keys[j].p, keys[j].n) < 0 ||
	    buf_append(b, ":", 1) < 0)
		return -1;
	if (s != NULL && k == 's')
		rc = jsontext_string(b, cv->s, s);
	else if (s != NULL && is_plain_number(k, s))
		rc = buf_append(b, s, strlen(s));
	else if ((v = cell_value(cv, k, s)) != NULL)
		rc = jsontext_value(b, v);
	else
		rc = 1;
	return rc < 0 ? -1 : rc == 0;
}

/* Row i as an object: {"key":value,...}.  0 or -1. */
static int
dump_row(struct buf *b, const struct report_table *t, int i,
    const struct buf *keys, struct cellvals *cv)
{
	char *const *row = t->cells + (size_t)i * (size_t)t->ncols;
	size_t mark;
	int j, rc, n = 0;

	for (j = 0; j < t->ncols; j++) {
		mark = b->n;
		if (buf_append(b, n ? "," : "{", 1) < 0 ||
		    (rc = dump_cell(b, t, row, j, keys, cv)) < 0)
			return -1;
		if (rc == 0)
			b->n = mark; /* a cell left out: no separator either */
		n += rc;
	}
	return buf_append(b, n ? "}" : "{}", n ? 1 : 2);
}

/* Each column's name as a JSON string, in keys[j]. */
static int
dump_keys(const struct report_table *t, struct buf *keys)
{
	json_t *k;
	int j, rc = 0;

	for (j = 0; j < t->ncols && rc == 0; j++) {
		if ((k = json_string(t->cols[j])) == NULL)
			return -1;
		rc = jsontext_value(&keys[j], k);
		json_decref(k);
	}
	return rc;
}

/* The rows, each after a comma but the first. */
static int
dump_rows(struct buf *b, const struct report_table *t, struct buf *keys)
{
	struct cellvals cv = { json_string(""), json_integer(0), json_real(0) };
	int i, rc = cv.s && cv.i && cv.f ? dump_keys(t, keys) : -1;

	for (i = 0; i < t->nrows && rc == 0; i++) {
		if (i > 0 && buf_append(b, ",", 1) < 0)
			rc = -1;
		else
			rc = dump_row(b, t, i, keys, &cv);
	}
	json_decref(cv.s);
	json_decref(cv.i);
	json_decref(cv.f);
	return rc;
}

char *
viewjson_dump(json_t *head, const struct report_table *t, size_t *len)
{
	struct buf b = { NULL, 0, 0 };
	struct buf *keys = calloc((size_t)t->ncols + 1, sizeof(*keys));
	int j, rc = keys && head ? 0 : -1;

	/* head ends with "rows":[] (its last member): the rows go inside */
	if (rc == 0)
		rc = json_dump_callback(head, jsontext_write, &b,
		    JSONTEXT_FLAGS);
	if (rc == 0 && (b.n < 3 || strcmp(b.p + b.n - 3, "[]}") != 0))
		rc = -1;
	if (rc == 0) {
		b.n -= 2;
		rc = dump_rows(&b, t, keys);
	}
	if (rc == 0)
		rc = buf_append(&b, "]}", 2);
	for (j = 0; keys && j < t->ncols; j++)
		free(keys[j].p);
	free(keys);
	json_decref(head);
	if (rc != 0) {
		free(b.p);
		return NULL;
	}
	*len = b.n;
	return b.p;
}
