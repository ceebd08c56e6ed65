/*
 * fuzz-timestamp.c - timestamps, date flags and the calendar arithmetic.
 *
 * The input, as an exact-size copy (cu__parse_timestamp reads exactly n
 * bytes: ASan sees one more), is a timestamp. When it is accepted:
 *  - it has the documented shape, and its value is what a separate
 *    computation from its fields gives (fraction truncated to ms, the
 *    offset subtracted, a leap second rolling into the next minute);
 *  - 'T', 't' or ' ' between date and time, and more fraction digits
 *    after the third, change nothing;
 *  - cu__format_timestamp writes a timestamp that parses back to the same
 *    ms (only instants outside years 0000-9999, reachable with an offset,
 *    are clamped by the formatter: then to the clamped ms).
 * The input up to its first NUL is a date flag: accepted exactly when it
 * is YYYY-MM-DD or YYYYMMDD of a real day, then cu__format_date writes it
 * back, and the day number is the separate computation's.
 * Its first 8 bytes are a day number (within +-2^40): cu__civil_from_days
 * gives a real date that cu__days_from_civil maps back, and weekdays follow
 * each other.
 */
#include "time-private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MS_PER_DAY INT64_C(86400000)
#define MIN_DAY INT64_C(-719528) /* 0000-01-01 */
#define MAX_DAY INT64_C(2932896) /* 9999-12-31 */

static void fail(const char *what, const char *text, size_t n)
{
	fprintf(stderr, "fuzz-timestamp: %s: '%.*s'\n", what, (int)(n < 200 ? n : 200), text);
	abort();
}

/* ---- a separate calendar: days since 1970 without Hinnant's algorithm ---- */

static int ref_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int ref_month_days(int64_t y, int m)
{
	static const int dim[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	return m == 2 && ref_leap(y) ? 29 : dim[m - 1];
}

/* Year 0 to 9999 only. */
static int64_t ref_days(int64_t y, int m, int d)
{
	/* Leap years in [0, y): year 0 is one. */
	int64_t days = 365 * y + (y + 3) / 4 - (y + 99) / 100 + (y + 399) / 400;
	for (int k = 1; k < m; k++)
		days += ref_month_days(y, k);
	return days + d - 1 + MIN_DAY;
}

static int digits(const char *s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* ---- timestamps ---- */

/*
 * What an accepted timestamp must mean, from its fields: YYYY-MM-DD, one of
 * T t ' ', HH:MM:SS (SS up to 60), an optional '.' and digits, then Z, z,
 * +HH:MM or +HHMM (or '-') ending the text. Returns 0 with the value in ms,
 * or -1 when the text is not of that shape.
 */
static int ref_timestamp(const char *s, size_t n, int64_t *ms)
{
	if (n < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
	    s[13] != ':' || s[16] != ':')
		return -1;
	int y = digits(s, 4), mo = digits(s + 5, 2), d = digits(s + 8, 2);
	int h = digits(s + 11, 2), mi = digits(s + 14, 2), sec = digits(s + 17, 2);
	if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > ref_month_days(y, mo) || h < 0 || h > 23 ||
	    mi < 0 || mi > 59 || sec < 0 || sec > 60)
		return -1;
	size_t i = 19;
	int64_t frac = 0;
	if (s[i] == '.') {
		size_t start = ++i;
		while (i < n && s[i] >= '0' && s[i] <= '9') {
			if (i - start < 3)
				frac = frac * 10 + (s[i] - '0');
			i++;
		}
		if (i == start)
			return -1;
		for (size_t k = i - start; k < 3; k++)
			frac *= 10;
	}
	int64_t off;
	const char *z = s + i;
	size_t zn = n - i;
	if (zn == 1 && (z[0] == 'Z' || z[0] == 'z')) {
		off = 0;
	} else if ((zn == 6 && z[3] == ':') || zn == 5) {
		int oh = digits(z + 1, 2), om = digits(z + zn - 2, 2);
		if ((z[0] != '+' && z[0] != '-') || oh < 0 || oh > 23 || om < 0 || om > 59)
			return -1;
		off = (z[0] == '-' ? -1 : 1) * (oh * 3600 + om * 60);
	} else {
		return -1;
	}
	*ms = ((ref_days(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec) - off) * 1000 + frac;
	return 0;
}

static void check_timestamp(const char *s, size_t n)
{
	int64_t ms, want, again;
	if (cu__parse_timestamp(s, n, &ms) != 0)
		return;
	if (ref_timestamp(s, n, &want) != 0)
		fail("accepted a timestamp of another shape", s, n);
	if (ms != want)
		fail("accepted a timestamp with another value", s, n);

	/* The same text with small changes the contract says do not matter. */
	char *v = malloc(n + 1);
	if (!v)
		abort();
	memcpy(v, s, n);
	static const char seps[] = { 'T', 't', ' ' };
	for (size_t k = 0; k < sizeof seps; k++) {
		v[10] = seps[k];
		if (cu__parse_timestamp(v, n, &again) != 0 || again != ms)
			fail("the date-time separator changed the value", s, n);
	}
	v[10] = s[10];
	size_t end = 19;
	if (s[19] == '.') {
		for (end = 20; end < n && s[end] >= '0' && s[end] <= '9'; end++)
			;
		if (end - 20 >= 3) {
			/* One more digit past the milliseconds: truncated, never rounded. */
			memcpy(v, s, end);
			v[end] = '9';
			memcpy(v + end + 1, s + end, n - end);
			if (cu__parse_timestamp(v, n + 1, &again) != 0 || again != ms)
				fail("a digit past the milliseconds changed the value", s, n);
		}
	}
	free(v);

	/* Format and parse back. */
	char out[25];
	const int64_t lo = MIN_DAY * MS_PER_DAY, hi = (MAX_DAY + 1) * MS_PER_DAY - 1;
	int64_t clamped = ms < lo ? lo : ms > hi ? hi : ms;
	memset(out, 0x55, sizeof out);
	cu__format_timestamp(ms, out);
	if (memchr(out, '\0', sizeof out) != out + 24)
		fail("the formatted timestamp is not 24 characters", s, n);
	if (cu__parse_timestamp(out, 24, &again) != 0)
		fail("the formatted timestamp does not parse", out, 24);
	if (again != clamped)
		fail("the formatted timestamp parses to another value", out, 24);
}

/* ---- date flags ---- */

static void check_date(const char *s)
{
	size_t n = strlen(s);
	int64_t days, again;
	int y = -1, m = -1, d = -1;
	if (n == 10 && s[4] == '-' && s[7] == '-') {
		y = digits(s, 4);
		m = digits(s + 5, 2);
		d = digits(s + 8, 2);
	} else if (n == 8) {
		y = digits(s, 4);
		m = digits(s + 4, 2);
		d = digits(s + 6, 2);
	}
	int valid = y >= 0 && m >= 1 && m <= 12 && d >= 1 && d <= ref_month_days(y, m);
	int rc = cu__parse_date(s, &days);
	if (rc != 0 && rc != -1)
		fail("cu__parse_date returned neither 0 nor -1", s, n);
	if ((rc == 0) != valid)
		fail(valid ? "a real day was refused" : "accepted a date that is not a real day", s, n);
	if (!valid)
		return;
	if (days != ref_days(y, m, d))
		fail("the day number is not the date's", s, n);
	char out[11];
	memset(out, 0x55, sizeof out);
	cu__format_date(days, out);
	char want[32];
	snprintf(want, sizeof want, "%04d-%02d-%02d", y, m, d);
	if (out[10] != '\0' || strcmp(out, want) != 0)
		fail("the formatted date is not the one parsed", s, n);
	if (cu__parse_date(out, &again) != 0 || again != days)
		fail("the formatted date does not parse back", out, 10);
}

/* ---- calendar arithmetic ---- */

static void check_day(int64_t days)
{
	int64_t y;
	int m, d;
	cu__civil_from_days(days, &y, &m, &d);
	if (m < 1 || m > 12 || d < 1 || d > ref_month_days(y, m))
		abort();
	if (cu__days_from_civil(y, m, d) != days)
		abort();
	int wd = cu__weekday_from_days(days);
	if (wd < 0 || wd > 6 || cu__weekday_from_days(days + 1) != (wd + 1) % 7)
		abort();
	if (days >= MIN_DAY && days <= MAX_DAY && ref_days(y, m, d) != days)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Exactly size bytes, no NUL after them. */
	char *ts = malloc(size ? size : 1);
	char *date = malloc(size + 1);
	if (!ts || !date)
		abort();
	memcpy(ts, data, size);
	memcpy(date, data, size);
	date[size] = '\0';
	check_timestamp(ts, size);
	check_date(date);
	if (size >= 8) {
		uint64_t u;
		memcpy(&u, data, sizeof u);
		const int64_t span = INT64_C(1) << 40;
		check_day((int64_t)(u % (uint64_t)(2 * span + 1)) - span);
	}
	free(ts);
	free(date);
	return 0;
}
