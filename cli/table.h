/*
 * table.h - boxed text tables for the terminal, with right-aligned numbers,
 * multi-line cells and optional colour.
 */
#ifndef CLI_TABLE_H
#define CLI_TABLE_H

#include <stddef.h>
#include <stdint.h>

#define TABLE_MAX_COLS 12

typedef struct table table;

/* align: one char per column, 'l' or 'r'. */
table *table_new(size_t ncols, const char *const *headers, const char *align);
void table_free(table *t);
/* Add a row of ncols cells (copied; a cell may hold '\n' for several lines). */
int table_add(table *t, const char *const *cells);
/* Mark the last added row to be drawn in a style: 1 = dim (breakdown), 2 = bold (totals). */
void table_style_last(table *t, int style);
/* Draw a separator line before the next added row. */
void table_separate(table *t);
/* Width the table needs, in terminal columns. */
size_t table_width(const table *t);
/* Render to stdout. */
void table_print(const table *t, int color);

/* Display width of UTF-8 text in terminal columns (emoji count 2). */
size_t text_width(const char *s, size_t n);

/* "1,234,567" */
void fmt_int(int64_t v, char *buf, size_t size);
/* "$1,234.56" */
void fmt_cost(double usd, char *buf, size_t size);
/* "claude-sonnet-4-20250514" -> "sonnet-4" */
void fmt_model(const char *model, char *buf, size_t size);
/*
 * "- sonnet-4\n- opus-4-1": the n models model(owner, i) gives, each short
 * as fmt_model makes it, or empty (a copy) when n is 0. Free the result.
 */
char *fmt_model_list(const void *owner, size_t n, const char *(*model)(const void *, size_t),
                     const char *empty);

/* Print a boxed title banner. */
void print_banner(const char *title, int color);

#endif
