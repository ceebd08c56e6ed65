/*
 * time.c - calendar arithmetic, RFC 3339 timestamps and timezones.
 *
 * Everything here is pure computation over caller-owned or immutable data:
 * no localtime(), no tzset(), no static buffers. A cu__tz is built once by
 * cu__tz_load() and is read-only afterwards, so any number of threads may
 * query it concurrently.
 */
#include "time-private.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SECS_PER_DAY 86400
#define MS_PER_DAY INT64_C(86400000)

/* ------------------------------------------------------------------------
 * Calendar arithmetic (proleptic Gregorian, Howard Hinnant's algorithms).
 * ------------------------------------------------------------------------ */

int64_t cu__floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	/* C truncates toward zero; step down when the signs differ and the
	 * division was inexact. */
	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

int64_t cu__days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = cu__floor_div(y, 400);
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void cu__civil_from_days(int64_t days, int64_t *y, int *m, int *d)
{
	int64_t z = days + 719468;
	int64_t era = cu__floor_div(z, 146097);
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int mm = (int)(mp < 10 ? mp + 3 : mp - 9);

	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = mm;
	*y = yoe + era * 400 + (mm <= 2);
}

int cu__weekday_from_days(int64_t days)
{
	/* 1970-01-01 was a Thursday (4). */
	return (int)(days - cu__floor_div(days + 4, 7) * 7 + 4);
}

static bool is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int64_t y, int m)
{
	static const unsigned char dim[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

/* ------------------------------------------------------------------------
 * Fixed-width decimal fields. The parsers below work on exact byte counts
 * because timestamps come straight out of JSON buffers with no NUL.
 * ------------------------------------------------------------------------ */

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Read exactly `width` digits at s; -1 if any is not a digit. */
static int fixed_digits(const char *s, int width)
{
	int v = 0;

	for (int i = 0; i < width; i++) {
		if (!is_digit(s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static bool valid_ymd(int y, int m, int d)
{
	return y >= 0 && m >= 1 && m <= 12 && d >= 1 &&
	       d <= days_in_month(y, m);
}

/* "YYYY-MM-DD" at s (10 bytes available). */
static int parse_ymd(const char *s, int64_t *days)
{
	int y = fixed_digits(s, 4), m, d;

	if (y < 0 || s[4] != '-' || s[7] != '-')
		return -1;
	m = fixed_digits(s + 5, 2);
	d = fixed_digits(s + 8, 2);
	if (!valid_ymd(y, m, d))
		return -1;
	*days = cu__days_from_civil(y, m, d);
	return 0;
}

/* "HH:MM:SS" at s (8 bytes available). A leap second (60) is accepted and
 * simply rolls into the next minute arithmetically. */
static int parse_hms(const char *s, int32_t *secs)
{
	int h = fixed_digits(s, 2), mi, sec;

	if (s[2] != ':' || s[5] != ':')
		return -1;
	mi = fixed_digits(s + 3, 2);
	sec = fixed_digits(s + 6, 2);
	if (h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 60)
		return -1;
	*secs = h * 3600 + mi * 60 + sec;
	return 0;
}

/* Optional ".fff..." starting at *i; digits past milliseconds are
 * truncated, never rounded, so a timestamp never moves into the next ms. */
static int parse_fraction(const char *s, size_t n, size_t *i, int32_t *ms)
{
	size_t start;
	int32_t v = 0;

	*ms = 0;
	if (*i >= n || s[*i] != '.')
		return 0;
	start = ++*i;
	while (*i < n && is_digit(s[*i])) {
		if (*i - start < 3)
			v = v * 10 + (s[*i] - '0');
		++*i;
	}
	if (*i == start)
		return -1;
	for (size_t k = *i - start; k < 3; k++)
		v *= 10;
	*ms = v;
	return 0;
}

/* Zone designator: Z, +HH:MM or +HHMM; must end the text exactly. */
static int parse_zone(const char *s, size_t n, int32_t *off)
{
	int sign, h, m;

	if (n == 1 && (s[0] == 'Z' || s[0] == 'z')) {
		*off = 0;
		return 0;
	}
	if ((n != 6 && n != 5) || (s[0] != '+' && s[0] != '-'))
		return -1;
	sign = s[0] == '-' ? -1 : 1;
	h = fixed_digits(s + 1, 2);
	if (n == 6 && s[3] != ':')
		return -1;
	m = fixed_digits(s + n - 2, 2);
	if (h < 0 || h > 23 || m < 0 || m > 59)
		return -1;
	*off = sign * (h * 3600 + m * 60);
	return 0;
}

int cu__parse_timestamp(const char *s, size_t n, int64_t *unix_ms)
{
	int64_t days;
	int32_t secs, ms, off;
	size_t i = 19;

	/* Shortest valid form is "YYYY-MM-DDTHH:MM:SSZ" (20 bytes). */
	if (s == NULL || n < 20)
		return -1;
	if (s[10] != 'T' && s[10] != 't' && s[10] != ' ')
		return -1;
	if (parse_ymd(s, &days) < 0 || parse_hms(s + 11, &secs) < 0)
		return -1;
	if (parse_fraction(s, n, &i, &ms) < 0 || i >= n)
		return -1;
	if (parse_zone(s + i, n - i, &off) < 0)
		return -1;
	*unix_ms = ((days * SECS_PER_DAY + secs - off) * 1000) + ms;
	return 0;
}

int cu__parse_date(const char *s, int64_t *days)
{
	size_t n;
	int y, m, d;

	if (s == NULL)
		return -1;
	n = strlen(s);
	if (n == 10)
		return parse_ymd(s, days);
	if (n != 8)
		return -1;
	y = fixed_digits(s, 4);
	m = fixed_digits(s + 4, 2);
	d = fixed_digits(s + 6, 2);
	if (!valid_ymd(y, m, d))
		return -1;
	*days = cu__days_from_civil(y, m, d);
	return 0;
}

/* ------------------------------------------------------------------------
 * Formatting. The output buffers are fixed-size by contract, so days
 * outside years 0000..9999 are clamped rather than overflowing them.
 * ------------------------------------------------------------------------ */

#define MIN_DAY INT64_C(-719528)	/* 0000-01-01 */
#define MAX_DAY INT64_C(2932896)	/* 9999-12-31 */

static char *put_digits(char *p, int64_t v, int width)
{
	for (int i = width - 1; i >= 0; i--) {
		p[i] = (char)('0' + v % 10);
		v /= 10;
	}
	return p + width;
}

static char *put_date(char *p, int64_t days)
{
	int64_t y;
	int m, d;

	cu__civil_from_days(days, &y, &m, &d);
	p = put_digits(p, y, 4);
	*p++ = '-';
	p = put_digits(p, m, 2);
	*p++ = '-';
	return put_digits(p, d, 2);
}

void cu__format_date(int64_t days, char out[11])
{
	if (days < MIN_DAY)
		days = MIN_DAY;
	if (days > MAX_DAY)
		days = MAX_DAY;
	*put_date(out, days) = '\0';
}

void cu__format_timestamp(int64_t unix_ms, char out[25])
{
	const int64_t lo = MIN_DAY * MS_PER_DAY;
	const int64_t hi = (MAX_DAY + 1) * MS_PER_DAY - 1;
	int64_t days, rem;
	char *p;

	if (unix_ms < lo)
		unix_ms = lo;
	if (unix_ms > hi)
		unix_ms = hi;
	days = cu__floor_div(unix_ms, MS_PER_DAY);
	rem = unix_ms - days * MS_PER_DAY;
	p = put_date(out, days);
	*p++ = 'T';
	p = put_digits(p, rem / 3600000, 2);
	*p++ = ':';
	p = put_digits(p, rem / 60000 % 60, 2);
	*p++ = ':';
	p = put_digits(p, rem / 1000 % 60, 2);
	*p++ = '.';
	p = put_digits(p, rem % 1000, 3);
	*p++ = 'Z';
	*p = '\0';
}

/* ------------------------------------------------------------------------
 * POSIX TZ rules ("CET-1CEST,M3.5.0,M10.5.0/3"), used for bare TZ strings
 * and for the footer of TZif v2+ files.
 * ------------------------------------------------------------------------ */

enum rule_kind { RULE_JULIAN, RULE_ZERO, RULE_MONTH };

struct rule_date {
	enum rule_kind kind;
	int n;			/* Jn / n day, or month for Mm.w.d */
	int w, d;		/* week 1..5 and weekday 0..6 for Mm.w.d */
	int32_t secs;		/* local time of day; v3 allows -167h..167h */
};

struct tz_rule {
	int32_t std_off;	/* east-positive seconds */
	int32_t dst_off;
	bool has_dst;
	struct rule_date start, end;
};

/* Clamp so that year arithmetic on absurd inputs can never overflow. */
#define RULE_T_LIMIT (INT64_C(1) << 55)

/* Unsigned decimal of 1..maxlen digits; advances *p. */
static bool posix_num(const char **p, int maxlen, int *out)
{
	int v = 0, k = 0;

	while (k < maxlen && is_digit(**p)) {
		v = v * 10 + (**p - '0');
		++*p;
		k++;
	}
	*out = v;
	return k > 0 && !is_digit(**p);
}

/* [+-]hh[:mm[:ss]] with hh <= maxh; result in seconds, sign applied. */
static bool posix_time(const char **p, int maxh, int32_t *out)
{
	int sign = 1, h, m = 0, s = 0;

	if (**p == '+' || **p == '-')
		sign = *(*p)++ == '-' ? -1 : 1;
	if (!posix_num(p, 3, &h) || h > maxh)
		return false;
	if (**p == ':') {
		++*p;
		if (!posix_num(p, 2, &m) || m > 59)
			return false;
		if (**p == ':') {
			++*p;
			if (!posix_num(p, 2, &s) || s > 59)
				return false;
		}
	}
	*out = sign * (h * 3600 + m * 60 + s);
	return true;
}

/* Abbreviation: 3+ letters, or <...> of 3+ alphanumerics, '+' or '-'. */
static bool posix_abbr(const char **p)
{
	const char *s = *p;
	size_t k = 0;

	if (*s == '<') {
		for (s++; *s && *s != '>'; s++, k++) {
			bool ok = (*s >= 'A' && *s <= 'Z') ||
				  (*s >= 'a' && *s <= 'z') || is_digit(*s) ||
				  *s == '+' || *s == '-';
			if (!ok)
				return false;
		}
		if (*s != '>' || k < 3)
			return false;
		*p = s + 1;
		return true;
	}
	while ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z'))
		s++, k++;
	*p = s;
	return k >= 3;
}

static bool posix_date(const char **p, struct rule_date *rd)
{
	rd->secs = 7200;	/* POSIX default transition time 02:00 */
	if (**p == 'J') {
		++*p;
		rd->kind = RULE_JULIAN;
		if (!posix_num(p, 3, &rd->n) || rd->n < 1 || rd->n > 365)
			return false;
	} else if (**p == 'M') {
		++*p;
		rd->kind = RULE_MONTH;
		if (!posix_num(p, 2, &rd->n) || rd->n < 1 || rd->n > 12 ||
		    *(*p)++ != '.' || !posix_num(p, 1, &rd->w) ||
		    rd->w < 1 || rd->w > 5 || *(*p)++ != '.' ||
		    !posix_num(p, 1, &rd->d) || rd->d > 6)
			return false;
	} else {
		rd->kind = RULE_ZERO;
		if (!posix_num(p, 3, &rd->n) || rd->n > 365)
			return false;
	}
	if (**p == '/') {
		++*p;
		return posix_time(p, 167, &rd->secs);
	}
	return true;
}

/* The ",start[/time],end[/time]" part of a TZ string. */
static bool posix_rule_pair(const char **p, struct tz_rule *r)
{
	if (*(*p)++ != ',' || !posix_date(p, &r->start) || *(*p)++ != ',')
		return false;
	return posix_date(p, &r->end);
}

/* A DST zone without explicit rules gets the US rule, as in tzcode. */
static bool posix_rules(const char **p, struct tz_rule *r)
{
	const char *def = ",M3.2.0,M11.1.0";

	return posix_rule_pair(**p == '\0' ? &def : p, r);
}

static bool parse_posix_tz(const char *s, struct tz_rule *r)
{
	const char *p = s;
	int32_t off;

	memset(r, 0, sizeof(*r));
	if (!posix_abbr(&p) || !posix_time(&p, 24, &off))
		return false;
	r->std_off = -off;	/* POSIX offsets are west-positive */
	if (*p == '\0')
		return true;
	if (!posix_abbr(&p))
		return false;
	r->has_dst = true;
	r->dst_off = r->std_off + 3600;
	if (*p != '\0' && *p != ',') {
		if (!posix_time(&p, 24, &off))
			return false;
		r->dst_off = -off;
	}
	return posix_rules(&p, r) && *p == '\0';
}

/* Local day number on which a rule date falls in year y. */
static int64_t rule_day(const struct rule_date *rd, int64_t y)
{
	int64_t jan1 = cu__days_from_civil(y, 1, 1), first, day;

	if (rd->kind == RULE_JULIAN)	/* Jn never counts Feb 29 */
		return jan1 + rd->n - 1 + (is_leap(y) && rd->n >= 60);
	if (rd->kind == RULE_ZERO)
		return jan1 + rd->n;
	first = cu__days_from_civil(y, rd->n, 1);
	day = first + (rd->d - cu__weekday_from_days(first) + 7) % 7 +
	      (rd->w - 1) * 7;
	/* Week 5 means "last": step back if we ran off the month. */
	if (day >= first + days_in_month(y, rd->n))
		day -= 7;
	return day;
}

/* UTC instants of the DST start and end in year y. The start time is
 * expressed in standard time and the end time in daylight time. */
static void rule_year(const struct tz_rule *r, int64_t y, int64_t *start,
		      int64_t *end)
{
	*start = rule_day(&r->start, y) * SECS_PER_DAY + r->start.secs -
		 r->std_off;
	*end = rule_day(&r->end, y) * SECS_PER_DAY + r->end.secs - r->dst_off;
}

static int64_t utc_year(int64_t t)
{
	int64_t y;
	int m, d;

	cu__civil_from_days(cu__floor_div(t, SECS_PER_DAY), &y, &m, &d);
	return y;
}

/*
 * The offset in force is set by the latest transition at or before t.
 * Looking at the neighbouring years too copes with v3 rules whose times
 * push a transition across New Year. On a tie the DST start wins, which
 * makes "all year DST" rules such as "EST5EDT,0/0,J365/25" work.
 */
static int32_t rule_offset(const struct tz_rule *r, int64_t t)
{
	int64_t best = INT64_MIN, y, s, e;
	int32_t off = r->std_off;

	if (!r->has_dst)
		return r->std_off;
	if (t > RULE_T_LIMIT)
		t = RULE_T_LIMIT;
	if (t < -RULE_T_LIMIT)
		t = -RULE_T_LIMIT;
	y = utc_year(t);
	for (int64_t yy = y - 1; yy <= y + 1; yy++) {
		rule_year(r, yy, &s, &e);
		if (e <= t && e >= best) {
			best = e;
			off = r->std_off;
		}
		if (s <= t && s >= best) {
			best = s;
			off = r->dst_off;
		}
	}
	return off;
}

/*
 * tzcode treats a rule whose DST period lasts a whole year or more, such
 * as "EST5EDT,0/0,J365/25", as permanent DST (RFC 8536 section 3.3.1).
 * Folding it into a fixed offset gives the same answer without the
 * back-to-back transitions.
 */
static void fold_permanent_dst(struct tz_rule *r)
{
	for (int64_t y = 2023; y <= 2024; y++) {
		int64_t s, e;

		rule_year(r, y, &s, &e);
		if (e < s || e - s < (365 + is_leap(y)) * SECS_PER_DAY)
			return;
	}
	r->std_off = r->dst_off;
	r->has_dst = false;
}

/* Parse a POSIX TZ string into a ready-to-evaluate rule. */
static bool parse_rule(const char *s, struct tz_rule *r)
{
	if (!parse_posix_tz(s, r))
		return false;
	if (r->has_dst)
		fold_permanent_dst(r);
	return true;
}

/* The first rule transition strictly after t (INT64_MAX if none). */
static int64_t rule_next(const struct tz_rule *r, int64_t t)
{
	int64_t best = INT64_MAX, y, s, e;

	if (!r->has_dst || t >= RULE_T_LIMIT)
		return INT64_MAX;
	if (t < -RULE_T_LIMIT)
		t = -RULE_T_LIMIT;
	y = utc_year(t);
	for (int64_t yy = y - 1; yy <= y + 2; yy++) {
		rule_year(r, yy, &s, &e);
		if (s > t && s < best)
			best = s;
		if (e > t && e < best)
			best = e;
	}
	return best;
}

/* ------------------------------------------------------------------------
 * Zone objects.
 * ------------------------------------------------------------------------ */

struct cu__tz {
	char *name;
	size_t n;		/* transitions, strictly increasing */
	int64_t *trans;
	int32_t *offs;		/* offset in force from trans[i] on */
	int32_t before;		/* offset before trans[0] */
	bool has_rule;		/* rule governs after trans[n - 1] */
	bool rule_all;		/* ... and before trans[0] too */
	struct tz_rule rule;
};

/* Rule transitions are materialised up to here so that the common case
 * is a binary search; later instants evaluate the rule directly. */
#define RULE_TABLE_END_YEAR 2200
#define RULE_TABLE_START_YEAR 1900

int32_t cu__tz_offset(const cu__tz *tz, int64_t unix_sec)
{
	size_t lo, hi;

	if (tz->n == 0 || unix_sec < tz->trans[0])
		return tz->rule_all ? rule_offset(&tz->rule, unix_sec)
				    : tz->before;
	if (unix_sec > tz->trans[tz->n - 1] && tz->has_rule)
		return rule_offset(&tz->rule, unix_sec);
	/* Largest i with trans[i] <= unix_sec. */
	lo = 0;
	hi = tz->n;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (tz->trans[mid] <= unix_sec)
			lo = mid;
		else
			hi = mid;
	}
	return tz->offs[lo];
}

/* The first instant after t at which the offset may change. */
static int64_t tz_next(const cu__tz *tz, int64_t t)
{
	size_t lo = 0, hi = tz->n;

	if (tz->n == 0 || t < tz->trans[0]) {
		int64_t r = tz->rule_all ? rule_next(&tz->rule, t) : INT64_MAX;

		return tz->n && r > tz->trans[0] ? tz->trans[0] : r;
	}
	if (t >= tz->trans[tz->n - 1])
		return tz->has_rule ? rule_next(&tz->rule, t) : INT64_MAX;
	/* Smallest i with trans[i] > t. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (tz->trans[mid] <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return tz->trans[lo];
}

int64_t cu__tz_local_day(const cu__tz *tz, int64_t unix_ms)
{
	int64_t sec = cu__floor_div(unix_ms, 1000);

	return cu__floor_div(sec + cu__tz_offset(tz, sec), SECS_PER_DAY);
}

/*
 * Walk the constant-offset segments around local midnight L. A segment
 * [s, e) with offset o shows local times [s + o, e + o): if that range
 * already starts at or past L, midnight was skipped and s is the first
 * instant of the day; if it contains L, midnight is L - o. Taking the
 * first match also picks the earlier of two midnights on a fall-back.
 */
int64_t cu__tz_day_start(const cu__tz *tz, int64_t local_day)
{
	const int64_t day_limit = INT64_C(1) << 40;
	int64_t L, s, e;
	int32_t o;

	if (local_day > day_limit)
		local_day = day_limit;
	if (local_day < -day_limit)
		local_day = -day_limit;
	L = local_day * SECS_PER_DAY;
	/* No real offset exceeds 26 hours (RFC 8536 bounds). */
	s = L - 26 * 3600 - 1;
	for (int guard = 0; guard < 64; guard++) {
		o = cu__tz_offset(tz, s);
		/* Also taken when the whole day was skipped (Samoa dropped
		 * 2011-12-30): the next day's first instant keeps day starts
		 * increasing. */
		if (s + o >= L)
			return s;
		e = tz_next(tz, s);
		if (e == INT64_MAX || e + o > L)
			return L - o;
		s = e;
	}
	return L - cu__tz_offset(tz, L);
}

const char *cu__tz_name(const cu__tz *tz)
{
	return tz->name;
}

void cu__tz_free(cu__tz *tz)
{
	if (tz == NULL)
		return;
	free(tz->name);
	free(tz->trans);
	free(tz->offs);
	free(tz);
}

static int append_trans(cu__tz *tz, size_t *cap, int64_t t, int32_t off)
{
	if (tz->n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 64;
		int64_t *nt = realloc(tz->trans, ncap * sizeof(*nt));
		int32_t *no;

		if (nt == NULL)
			return -1;
		tz->trans = nt;
		no = realloc(tz->offs, ncap * sizeof(*no));
		if (no == NULL)
			return -1;
		tz->offs = no;
		*cap = ncap;
	}
	tz->trans[tz->n] = t;
	tz->offs[tz->n] = off;
	tz->n++;
	return 0;
}

/*
 * Materialise the rule's transitions after the last stored one (or from
 * 1900 for a bare TZ string) so lookups stay a binary search. Each entry
 * comes from rule_offset() itself, so table and rule always agree.
 */
static int extend_with_rule(cu__tz *tz)
{
	const int64_t end = cu__days_from_civil(RULE_TABLE_END_YEAR, 1, 1) *
			    SECS_PER_DAY;
	size_t cap = tz->n;
	int64_t t;
	int32_t prev;

	if (!tz->has_rule || !tz->rule.has_dst)
		return 0;
	if (tz->n > 0) {
		t = tz->trans[tz->n - 1];
		prev = tz->offs[tz->n - 1];
	} else {
		t = cu__days_from_civil(RULE_TABLE_START_YEAR, 1, 1) *
		    SECS_PER_DAY;
		prev = rule_offset(&tz->rule, t);
	}
	while ((t = rule_next(&tz->rule, t)) < end) {
		int32_t o = rule_offset(&tz->rule, t);

		if (o != prev && append_trans(tz, &cap, t, o) < 0)
			return -1;
		prev = o;
	}
	return 0;
}

/* ------------------------------------------------------------------------
 * TZif reading (RFC 8536).
 * ------------------------------------------------------------------------ */

struct tzif_hdr {
	uint32_t isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt;
};

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const unsigned char *p)
{
	return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

static bool read_hdr(const unsigned char *p, size_t len, struct tzif_hdr *h)
{
	if (len < 44 || memcmp(p, "TZif", 4) != 0)
		return false;
	h->isutcnt = be32(p + 20);
	h->isstdcnt = be32(p + 24);
	h->leapcnt = be32(p + 28);
	h->timecnt = be32(p + 32);
	h->typecnt = be32(p + 36);
	h->charcnt = be32(p + 40);
	return h->typecnt > 0 &&
	       (h->isutcnt == 0 || h->isutcnt == h->typecnt) &&
	       (h->isstdcnt == 0 || h->isstdcnt == h->typecnt);
}

/* Size of the data block following a header; 64-bit math cannot wrap. */
static uint64_t block_size(const struct tzif_hdr *h, unsigned tsize)
{
	return (uint64_t)h->timecnt * (tsize + 1) + (uint64_t)h->typecnt * 6 +
	       h->charcnt + (uint64_t)h->leapcnt * (tsize + 4) + h->isstdcnt +
	       h->isutcnt;
}

/* The utoff of every type, range-checked as RFC 8536 requires. */
static const char *read_types(const unsigned char *types, uint32_t typecnt,
			      int32_t *out)
{
	for (uint32_t i = 0; i < typecnt; i++) {
		int32_t off = (int32_t)be32(types + 6 * i);

		if (off < -89999 || off > 93599)
			return "UT offset out of range";
		out[i] = off;
	}
	return NULL;
}

/* Transitions and their types from one data block into tz. */
static const char *read_block(cu__tz *tz, const unsigned char *p,
			      const struct tzif_hdr *h, unsigned tsize)
{
	const unsigned char *idx = p + (size_t)h->timecnt * tsize;
	int32_t *type_off = malloc(h->typecnt * sizeof(*type_off));
	const char *why;

	if (type_off == NULL)
		return "out of memory";
	why = read_types(idx + h->timecnt, h->typecnt, type_off);
	if (why == NULL && h->timecnt > 0) {
		tz->trans = malloc(h->timecnt * sizeof(*tz->trans));
		tz->offs = malloc(h->timecnt * sizeof(*tz->offs));
		if (tz->trans == NULL || tz->offs == NULL)
			why = "out of memory";
	}
	for (uint32_t i = 0; why == NULL && i < h->timecnt; i++) {
		int64_t t = tsize == 8 ? be64(p + 8 * i)
				       : (int32_t)be32(p + 4 * i);

		if (idx[i] >= h->typecnt)
			why = "transition type out of range";
		else if (i > 0 && t <= tz->trans[i - 1])
			why = "transitions not in increasing order";
		tz->trans[i] = t;
		tz->offs[i] = type_off[idx[i] < h->typecnt ? idx[i] : 0];
	}
	tz->n = why == NULL ? h->timecnt : 0;
	tz->before = type_off[0];	/* RFC 8536: type 0 precedes all */
	free(type_off);
	return why;
}

/* "\nTZ string\n" after the v2+ data; an empty string means no rule. */
static const char *read_footer(cu__tz *tz, const unsigned char *p,
			       size_t len)
{
	const unsigned char *nl;
	char buf[256];
	size_t k;

	if (len < 2 || p[0] != '\n')
		return "missing TZ string footer";
	nl = memchr(p + 1, '\n', len - 1);
	if (nl == NULL)
		return "unterminated TZ string footer";
	k = (size_t)(nl - (p + 1));
	if (k == 0)
		return NULL;
	if (k >= sizeof(buf))
		return "TZ string footer too long";
	memcpy(buf, p + 1, k);
	buf[k] = '\0';
	if (!parse_rule(buf, &tz->rule))
		return "invalid TZ string footer";
	tz->has_rule = true;
	tz->rule_all = tz->n == 0;
	return NULL;
}

/*
 * Leap-second records are skipped: only "right/" zones have them, and
 * their transition times count leap seconds, which Unix time does not.
 */
static const char *parse_tzif(cu__tz *tz, const unsigned char *p, size_t len)
{
	struct tzif_hdr h;
	uint64_t sz;
	const char *why;

	if (!read_hdr(p, len, &h))
		return "not a TZif file";
	sz = 44 + block_size(&h, 4);
	if (sz > len)
		return "truncated";
	if (p[4] == '\0')	/* version 1: 32-bit data only, no footer */
		return read_block(tz, p + 44, &h, 4);
	p += sz;
	len -= (size_t)sz;
	if (!read_hdr(p, len, &h))
		return "bad version 2+ header";
	sz = 44 + block_size(&h, 8);
	if (sz > len)
		return "truncated";
	why = read_block(tz, p + 44, &h, 8);
	return why ? why : read_footer(tz, p + sz, len - (size_t)sz);
}

/* ------------------------------------------------------------------------
 * Loading.
 * ------------------------------------------------------------------------ */

#define TZIF_MAX_SIZE (1 << 22)

/*
 * Read a whole regular file. Returns 0, or -1 with errno: ENOENT also
 * stands for "not a regular file" so that directories such as "Europe"
 * are reported as unknown zones.
 */
static int slurp(const char *path, unsigned char **data, size_t *len)
{
	struct stat st;
	unsigned char *buf;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_size > TZIF_MAX_SIZE) {
		close(fd);
		errno = ENOENT;
		return -1;
	}
	buf = malloc((size_t)st.st_size + 1);
	while (buf != NULL && got < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	if (buf == NULL)
		return -1;
	*data = buf;
	*len = got;
	return 0;
}

static cu__tz *tz_new(const char *name)
{
	cu__tz *tz = calloc(1, sizeof(*tz));

	if (tz == NULL)
		return NULL;
	tz->name = strdup(name);
	if (tz->name == NULL) {
		free(tz);
		return NULL;
	}
	return tz;
}

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Write a message into the caller's buffer (if any) and return -1. */
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* 1 = loaded, 0 = no such file, -1 = error reported in err. */
static int load_file(const char *path, const char *name, cu__tz **out,
		     char *err, size_t errlen)
{
	unsigned char *data;
	size_t len;
	const char *why;
	cu__tz *tz;

	if (slurp(path, &data, &len) < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		return fail(err, errlen, "cannot read timezone file '%s': %s",
			    path, strerror(errno));
	}
	tz = tz_new(name);
	why = tz ? parse_tzif(tz, data, len) : "out of memory";
	if (why == NULL && extend_with_rule(tz) < 0)
		why = "out of memory";
	free(data);
	if (why != NULL) {
		cu__tz_free(tz);
		return fail(err, errlen, "invalid timezone file '%s': %s",
			    path, why);
	}
	*out = tz;
	return 1;
}

/* A zone defined purely by a rule (UTC, or a bare POSIX TZ string). */
static int load_rule(const char *name, const struct tz_rule *r, cu__tz **out,
		     char *err, size_t errlen)
{
	cu__tz *tz = tz_new(name);

	if (tz != NULL) {
		tz->rule = *r;
		tz->has_rule = true;
		tz->rule_all = true;
		if (extend_with_rule(tz) == 0) {
			*out = tz;
			return 0;
		}
		cu__tz_free(tz);
	}
	return fail(err, errlen, "out of memory loading timezone '%s'", name);
}

static bool is_utc_name(const char *name)
{
	return strcmp(name, "UTC") == 0 || strcmp(name, "Etc/UTC") == 0 ||
	       strcmp(name, "Z") == 0;
}

/* An explicit zone name (the leading ':' already stripped). */
static int load_named(const char *name, cu__tz **out, char *err,
		      size_t errlen)
{
	const struct tz_rule utc = { 0 };
	struct tz_rule rule;
	char path[PATH_MAX];
	const char *dir = getenv("TZDIR");
	int r;

	if (is_utc_name(name))
		return load_rule(name, &utc, out, err, errlen);
	if (strstr(name, "..") != NULL)
		return fail(err, errlen,
			    "refusing timezone name '%s': contains '..'", name);
	if (dir == NULL || *dir == '\0')
		dir = "/usr/share/zoneinfo";
	if (name[0] == '/')
		r = load_file(name, name, out, err, errlen);
	else if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >=
		 sizeof(path))
		r = 0;
	else
		r = load_file(path, name, out, err, errlen);
	if (r != 0)
		return r > 0 ? 0 : -1;
	if (name[0] != '/' && parse_rule(name, &rule))
		return load_rule(name, &rule, out, err, errlen);
	return fail(err, errlen, "unknown timezone '%s'", name);
}

/* The zone name /etc/localtime points at, or "localtime". */
static void localtime_name(char *buf, size_t size)
{
	char link[PATH_MAX];
	ssize_t k = readlink("/etc/localtime", link, sizeof(link) - 1);
	const char *p, *hit = NULL;

	snprintf(buf, size, "localtime");
	if (k <= 0)
		return;
	link[k] = '\0';
	for (p = link; (p = strstr(p, "zoneinfo/")) != NULL; p++)
		hit = p + strlen("zoneinfo/");
	if (hit != NULL && *hit != '\0')
		snprintf(buf, size, "%s", hit);
}

static int load_local(cu__tz **out, char *err, size_t errlen)
{
	const struct tz_rule utc = { 0 };
	const char *env = getenv("TZ");
	char name[256];
	int r;

	if (env != NULL && *env == ':')
		env++;
	if (env != NULL && *env != '\0') {
		char why[256];

		if (load_named(env, out, why, sizeof(why)) == 0)
			return 0;
		return fail(err, errlen, "%s (from $TZ)", why);
	}
	localtime_name(name, sizeof(name));
	r = load_file("/etc/localtime", name, out, err, errlen);
	if (r != 0)
		return r > 0 ? 0 : -1;
	return load_rule("UTC", &utc, out, err, errlen);
}

int cu__tz_load(const char *name, cu__tz **out, char *err, size_t errlen)
{
	if (out == NULL)
		return fail(err, errlen, "no output pointer");
	*out = NULL;
	if (name != NULL && *name == ':')
		name++;
	if (name == NULL || *name == '\0')
		return load_local(out, err, errlen);
	return load_named(name, out, err, errlen);
}
