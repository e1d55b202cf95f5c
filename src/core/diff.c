#include "core/diff.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/mem.h"

#define CONTEXT   3
#define MAX_CELLS (16u * 1024u * 1024u)

struct lines {
	const char **p; /* start of each line */
	size_t *len;    /* length without "\n" */
	bool last_nl;   /* the last line ends with "\n" */
	size_t n;
};

static void split(const char *t, struct lines *l)
{
	memset(l, 0, sizeof(*l));
	l->last_nl = true;
	if (!t || !*t)
		return;
	size_t cap = 16;
	l->p = xmalloc(cap * sizeof(*l->p));
	l->len = xmalloc(cap * sizeof(*l->len));
	while (*t) {
		const char *nl = strchr(t, '\n');
		size_t n = nl ? (size_t)(nl - t) : strlen(t);
		if (l->n == cap) {
			cap *= 2;
			l->p = xrealloc(l->p, cap * sizeof(*l->p));
			l->len = xrealloc(l->len, cap * sizeof(*l->len));
		}
		l->p[l->n] = t;
		l->len[l->n] = n;
		l->n++;
		if (!nl) {
			l->last_nl = false;
			break;
		}
		t = nl + 1;
	}
}

static bool line_eq(const struct lines *a, size_t i, const struct lines *b, size_t j)
{
	if (a->len[i] != b->len[j] || memcmp(a->p[i], b->p[j], a->len[i]) != 0)
		return false;
	/* A last line without newline differs from the same text with one. */
	bool a_nl = i + 1 < a->n || a->last_nl;
	bool b_nl = j + 1 < b->n || b->last_nl;
	return a_nl == b_nl;
}

/* ops: '=' (both), '-' (old), '+' (new), in order. */
static char *edit_script(const struct lines *a, const struct lines *b, size_t *nops)
{
	size_t n = a->n, m = b->n;
	/* Common head and tail shrink the table. */
	size_t head = 0;
	while (head < n && head < m && line_eq(a, head, b, head))
		head++;
	size_t tail = 0;
	while (tail < n - head && tail < m - head && line_eq(a, n - 1 - tail, b, m - 1 - tail))
		tail++;
	size_t an = n - head - tail, bm = m - head - tail;
	char *ops = xmalloc(n + m + 1);
	size_t k = 0;
	for (size_t i = 0; i < head; i++)
		ops[k++] = '=';
	if ((uint64_t)(an + 1) * (bm + 1) > MAX_CELLS) {
		for (size_t i = 0; i < an; i++)
			ops[k++] = '-';
		for (size_t j = 0; j < bm; j++)
			ops[k++] = '+';
	} else {
		/* L[i][j] = LCS length of a[head+i..] and b[head+j..]. */
		size_t w = bm + 1;
		uint32_t *L = xcalloc((an + 1) * w, sizeof(*L));
		for (size_t i = an; i-- > 0;)
			for (size_t j = bm; j-- > 0;)
				L[i * w + j] = line_eq(a, head + i, b, head + j)
				                   ? L[(i + 1) * w + j + 1] + 1
				                   : (L[(i + 1) * w + j] >= L[i * w + j + 1]
				                          ? L[(i + 1) * w + j]
				                          : L[i * w + j + 1]);
		size_t i = 0, j = 0;
		while (i < an || j < bm) {
			if (i < an && j < bm && line_eq(a, head + i, b, head + j)) {
				ops[k++] = '=';
				i++;
				j++;
			} else if (j == bm || (i < an && L[(i + 1) * w + j] >= L[i * w + j + 1])) {
				ops[k++] = '-';
				i++;
			} else {
				ops[k++] = '+';
				j++;
			}
		}
		free(L);
	}
	for (size_t i = 0; i < tail; i++)
		ops[k++] = '=';
	*nops = k;
	return ops;
}

static void put_line(struct buf *b, char mark, const struct lines *l, size_t i)
{
	if (!l->p || !l->len || i >= l->n)
		return;
	buf_putc(b, mark);
	buf_append(b, l->p[i], l->len[i]);
	buf_putc(b, '\n');
	if (i + 1 == l->n && !l->last_nl)
		buf_puts(b, "\\ No newline at end of file\n");
}

static void put_range(struct buf *b, size_t start, size_t count)
{
	/* GNU: empty range is "start-1,0" where start is 1-based line after. */
	if (count == 0)
		buf_printf(b, "%zu,0", start);
	else if (count == 1)
		buf_printf(b, "%zu", start + 1);
	else
		buf_printf(b, "%zu,%zu", start + 1, count);
}

char *diff_unified(const char *old_text, const char *new_text, const char *old_label,
                   const char *new_label)
{
	struct lines a, b;
	split(old_text, &a);
	split(new_text, &b);
	size_t nops = 0;
	char *ops = edit_script(&a, &b, &nops);
	struct buf out = BUF_INIT;
	bool any = false;
	for (size_t k = 0; k < nops; k++)
		if (ops[k] != '=')
			any = true;
	if (!any)
		goto done;
	buf_printf(&out, "--- %s\n+++ %s\n", old_label ? old_label : "a",
	           new_label ? new_label : "b");
	/* Positions (old index, new index) before each op. */
	size_t *ai = xmalloc((nops + 1) * sizeof(*ai));
	size_t *bj = xmalloc((nops + 1) * sizeof(*bj));
	ai[0] = bj[0] = 0;
	for (size_t k = 0; k < nops; k++) {
		ai[k + 1] = ai[k] + (ops[k] != '+');
		bj[k + 1] = bj[k] + (ops[k] != '-');
	}
	size_t k = 0;
	while (k < nops) {
		while (k < nops && ops[k] == '=')
			k++;
		if (k == nops)
			break;
		size_t start = k >= CONTEXT ? k - CONTEXT : 0;
		/* Extend while the gap of '=' between changes is <= 2*CONTEXT. */
		size_t end = k;
		for (;;) {
			while (end < nops && ops[end] != '=')
				end++;
			size_t eq = end;
			while (eq < nops && ops[eq] == '=')
				eq++;
			if (eq < nops && eq - end <= 2 * CONTEXT) {
				end = eq;
				continue;
			}
			end = end + CONTEXT < nops ? end + CONTEXT : nops;
			if (end > eq)
				end = eq;
			break;
		}
		buf_puts(&out, "@@ -");
		put_range(&out, ai[start], ai[end] - ai[start]);
		buf_puts(&out, " +");
		put_range(&out, bj[start], bj[end] - bj[start]);
		buf_puts(&out, " @@\n");
		for (size_t x = start; x < end; x++) {
			if (ops[x] == '=')
				put_line(&out, ' ', &a, ai[x]);
			else if (ops[x] == '-')
				put_line(&out, '-', &a, ai[x]);
			else
				put_line(&out, '+', &b, bj[x]);
		}
		k = end;
	}
	free(ai);
	free(bj);
done:
	free(ops);
	free(a.p);
	free(a.len);
	free(b.p);
	free(b.len);
	if (!out.data)
		return xstrdup("");
	return buf_steal(&out);
}
