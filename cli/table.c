/*
 * table.c - boxed tables in the style of the reference tool.
 */
#include "table.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ANSI_DIM "\x1b[2m"
#define ANSI_BOLD "\x1b[1m"
#define ANSI_CYAN "\x1b[36m"
#define ANSI_GRAY "\x1b[90m"
#define ANSI_RESET "\x1b[0m"

typedef struct trow {
	char *cells[TABLE_MAX_COLS];
	int style;
	int sep_before;
} trow;

struct table {
	size_t ncols;
	char *headers[TABLE_MAX_COLS];
	char align[TABLE_MAX_COLS];
	trow *rows;
	size_t n, cap;
	int pending_sep;
};

static unsigned decode(const unsigned char *s, size_t n, size_t *len)
{
	unsigned c = s[0];
	size_t k = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
	if (k > n)
		k = 1;
	unsigned cp = k == 1 ? c : k == 2 ? c & 0x1f : k == 3 ? c & 0x0f : c & 0x07;
	for (size_t i = 1; i < k; i++)
		cp = (cp << 6) | (s[i] & 0x3f);
	*len = k;
	return cp;
}

size_t text_width(const char *s, size_t n)
{
	size_t w = 0;
	const unsigned char *p = (const unsigned char *)s;
	while (n > 0) {
		size_t k;
		unsigned cp = decode(p, n, &k);
		if ((cp >= 0x300 && cp < 0x370) || cp == 0x200d || (cp >= 0xfe00 && cp <= 0xfe0f))
			; /* combining marks and variation selectors take no column */
		else if ((cp >= 0x1f300 && cp <= 0x1faff) || (cp >= 0x2600 && cp <= 0x27bf && cp != 0x2714) ||
		         (cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf) ||
		         (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xff00 && cp <= 0xff60))
			w += 2;
		else
			w += 1;
		p += k;
		n -= k;
	}
	return w;
}

table *table_new(size_t ncols, const char *const *headers, const char *align)
{
	if (ncols == 0 || ncols > TABLE_MAX_COLS)
		return NULL;
	table *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	t->ncols = ncols;
	for (size_t i = 0; i < ncols; i++) {
		t->headers[i] = strdup(headers[i]);
		t->align[i] = align[i];
		if (!t->headers[i]) {
			table_free(t);
			return NULL;
		}
	}
	return t;
}

void table_free(table *t)
{
	if (!t)
		return;
	for (size_t r = 0; r < t->n; r++)
		for (size_t c = 0; c < t->ncols; c++)
			free(t->rows[r].cells[c]);
	for (size_t c = 0; c < t->ncols; c++)
		free(t->headers[c]);
	free(t->rows);
	free(t);
}

int table_add(table *t, const char *const *cells)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 32;
		trow *v = realloc(t->rows, cap * sizeof *v);
		if (!v)
			return -1;
		t->rows = v;
		t->cap = cap;
	}
	trow *r = &t->rows[t->n];
	memset(r, 0, sizeof *r);
	for (size_t c = 0; c < t->ncols; c++) {
		r->cells[c] = strdup(cells[c] ? cells[c] : "");
		if (!r->cells[c]) {
			for (size_t k = 0; k < c; k++)
				free(r->cells[k]);
			return -1;
		}
	}
	r->sep_before = t->pending_sep;
	t->pending_sep = 0;
	t->n++;
	return 0;
}

void table_style_last(table *t, int style)
{
	if (t->n)
		t->rows[t->n - 1].style = style;
}

void table_separate(table *t)
{
	t->pending_sep = 1;
}

/* Widest line of a cell. */
static size_t cell_width(const char *s)
{
	size_t w = 0;
	while (*s) {
		const char *nl = strchr(s, '\n');
		size_t n = nl ? (size_t)(nl - s) : strlen(s);
		size_t lw = text_width(s, n);
		if (lw > w)
			w = lw;
		s += n + (nl != NULL);
	}
	return w;
}

static void widths(const table *t, size_t *w)
{
	for (size_t c = 0; c < t->ncols; c++) {
		w[c] = cell_width(t->headers[c]);
		for (size_t r = 0; r < t->n; r++) {
			size_t cw = cell_width(t->rows[r].cells[c]);
			if (cw > w[c])
				w[c] = cw;
		}
	}
}

size_t table_width(const table *t)
{
	size_t w[TABLE_MAX_COLS], total = 1;
	widths(t, w);
	for (size_t c = 0; c < t->ncols; c++)
		total += w[c] + 3;
	return total;
}

static void rule(const table *t, const size_t *w, const char *l, const char *m, const char *r,
                 int color)
{
	fputs(color ? ANSI_GRAY : "", stdout);
	fputs(l, stdout);
	for (size_t c = 0; c < t->ncols; c++) {
		for (size_t i = 0; i < w[c] + 2; i++)
			fputs("─", stdout);
		fputs(c + 1 < t->ncols ? m : r, stdout);
	}
	fputs(color ? ANSI_RESET "\n" : "\n", stdout);
}

/* Line `line` of a cell, as a slice; empty past the last line. */
static const char *cell_line(const char *s, size_t line, size_t *n)
{
	for (size_t i = 0; i < line; i++) {
		const char *nl = strchr(s, '\n');
		if (!nl) {
			*n = 0;
			return "";
		}
		s = nl + 1;
	}
	const char *nl = strchr(s, '\n');
	*n = nl ? (size_t)(nl - s) : strlen(s);
	return s;
}

static size_t cell_lines(const char *s)
{
	size_t n = 1;
	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static void print_row(const table *t, const size_t *w, char *const *cells, int style, int header,
                      int color)
{
	size_t lines = 1;
	for (size_t c = 0; c < t->ncols; c++) {
		size_t k = cell_lines(cells[c]);
		if (k > lines)
			lines = k;
	}
	const char *bar = color ? ANSI_GRAY "│" ANSI_RESET : "│";
	for (size_t l = 0; l < lines; l++) {
		fputs(bar, stdout);
		for (size_t c = 0; c < t->ncols; c++) {
			size_t n;
			const char *s = cell_line(cells[c], l, &n);
			size_t pad = w[c] - text_width(s, n);
			const char *on = !color ? "" : header ? ANSI_CYAN : style == 1 ? ANSI_DIM :
			                 style == 2 ? ANSI_BOLD : "";
			putchar(' ');
			if (t->align[c] == 'r' && !header)
				printf("%*s", (int)pad, "");
			printf("%s%.*s%s", on, (int)n, s, *on ? ANSI_RESET : "");
			if (t->align[c] != 'r' || header)
				printf("%*s", (int)pad, "");
			putchar(' ');
			fputs(bar, stdout);
		}
		putchar('\n');
	}
}

void table_print(const table *t, int color)
{
	size_t w[TABLE_MAX_COLS];
	widths(t, w);
	/* Numbers right-aligned under right-aligned headers too. */
	char *hdr[TABLE_MAX_COLS];
	char buf[TABLE_MAX_COLS][128];
	for (size_t c = 0; c < t->ncols; c++) {
		size_t hw = cell_width(t->headers[c]);
		if (t->align[c] == 'r')
			snprintf(buf[c], sizeof buf[c], "%*s%s", (int)(w[c] - hw), "", t->headers[c]);
		else
			snprintf(buf[c], sizeof buf[c], "%s", t->headers[c]);
		hdr[c] = buf[c];
	}
	rule(t, w, "┌", "┬", "┐", color);
	print_row(t, w, hdr, 0, 1, color);
	rule(t, w, "├", "┼", "┤", color);
	for (size_t r = 0; r < t->n; r++) {
		if (r > 0 && t->rows[r].sep_before)
			rule(t, w, "├", "┼", "┤", color);
		print_row(t, w, t->rows[r].cells, t->rows[r].style, 0, color);
	}
	rule(t, w, "└", "┴", "┘", color);
}

void print_banner(const char *title, int color)
{
	size_t w = text_width(title, strlen(title)) + 6;
	printf("\n╭");
	for (size_t i = 0; i < w; i++)
		fputs("─", stdout);
	printf("╮\n│%*s│\n│   %s%s%s   │\n│%*s│\n╰", (int)w, "", color ? ANSI_BOLD : "", title,
	       color ? ANSI_RESET : "", (int)w, "");
	for (size_t i = 0; i < w; i++)
		fputs("─", stdout);
	printf("╯\n\n");
}

void fmt_int(int64_t v, char *buf, size_t size)
{
	char tmp[32];
	int neg = v < 0;
	uint64_t u = neg ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	size_t n = 0;
	do {
		if (n && n % 4 == 3)
			tmp[n++] = ',';
		tmp[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (neg)
		tmp[n++] = '-';
	size_t k = 0;
	while (n && k + 1 < size)
		buf[k++] = tmp[--n];
	buf[k] = '\0';
}

void fmt_cost(double usd, char *buf, size_t size)
{
	/* Cents, rounded half away from zero, then grouped. */
	double cents = usd * 100.0;
	int64_t c = (int64_t)(cents < 0 ? cents - 0.5 : cents + 0.5);
	char whole[32];
	fmt_int(c / 100, whole, sizeof whole);
	int64_t frac = c % 100;
	snprintf(buf, size, "%s$%s.%02d", c < 0 ? "-" : "", whole + (whole[0] == '-'),
	         (int)(frac < 0 ? -frac : frac));
}

void fmt_model(const char *model, char *buf, size_t size)
{
	const char *s = model;
	if (strncmp(s, "claude-", 7) == 0)
		s += 7;
	size_t n = strlen(s);
	/* Drop a trailing -YYYYMMDD. */
	if (n > 9 && s[n - 9] == '-') {
		size_t i = n - 8;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == n)
			n -= 9;
	}
	snprintf(buf, size, "%.*s", (int)n, s);
}

char *fmt_model_list(const void *owner, size_t n, const char *(*model)(const void *, size_t),
                     const char *empty)
{
	size_t cap = strlen(empty) + 1;
	for (size_t i = 0; i < n; i++)
		cap += strlen(model(owner, i)) + 4;
	char *s = malloc(cap);
	if (!s)
		return NULL;
	size_t at = 0;
	strcpy(s, n ? "" : empty);
	for (size_t i = 0; i < n; i++) {
		char m[128];
		fmt_model(model(owner, i), m, sizeof m);
		at += (size_t)snprintf(s + at, cap - at, "%s- %s", i ? "\n" : "", m);
	}
	return s;
}
