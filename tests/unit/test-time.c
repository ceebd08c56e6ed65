/*
 * test-time.c - unit tests for lib/time.c.
 *
 * Expected numbers were computed independently of the code under test,
 * with Python 3 (datetime, zoneinfo over the system tzdata 2025b) and
 * cross-checked with GNU date, e.g.
 *   TZ=Europe/Paris date -d @1743296400 +%FT%T%z  ->  2025-03-30T03:00:00+0200
 *   python3 -c "import datetime as d; print((d.date(2000,2,29)-d.date(1970,1,1)).days)"
 * Zone tests need the IANA database under $TZDIR or /usr/share/zoneinfo.
 */
#include "test-util.h"

#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "time-private.h"

/* ------------------------------------------------------------------ */
/* Calendar arithmetic                                                */
/* ------------------------------------------------------------------ */

/* Day numbers from python: (date(y,m,d) - date(1970,1,1)).days */
START_TEST(test_days_from_civil_known)
{
	ck_assert_int_eq(cu__days_from_civil(1970, 1, 1), 0);
	ck_assert_int_eq(cu__days_from_civil(1969, 12, 31), -1);
	ck_assert_int_eq(cu__days_from_civil(2000, 2, 29), 11016);
	ck_assert_int_eq(cu__days_from_civil(1900, 3, 1), -25508);
	ck_assert_int_eq(cu__days_from_civil(2024, 2, 29), 19782);
	ck_assert_int_eq(cu__days_from_civil(2025, 6, 3), 20242);
	ck_assert_int_eq(cu__days_from_civil(1600, 3, 1), -135080);
	ck_assert_int_eq(cu__days_from_civil(1, 1, 1), -719162);
	ck_assert_int_eq(cu__days_from_civil(9999, 12, 31), 2932896);
	/* Year 0 is a leap year (366 days before 0001-01-01); year -1 is not. */
	ck_assert_int_eq(cu__days_from_civil(0, 1, 1), -719162 - 366);
	ck_assert_int_eq(cu__days_from_civil(-1, 1, 1), -719162 - 366 - 365);
	ck_assert_int_eq(cu__days_from_civil(-4, 3, 1) -
				 cu__days_from_civil(-4, 2, 28), 2);
}
END_TEST

START_TEST(test_leap_years)
{
	/* Feb 28 -> Mar 1 spans 2 days only in leap years. */
	ck_assert_int_eq(cu__days_from_civil(2000, 3, 1) -
				 cu__days_from_civil(2000, 2, 28), 2);
	ck_assert_int_eq(cu__days_from_civil(1900, 3, 1) -
				 cu__days_from_civil(1900, 2, 28), 1);
	ck_assert_int_eq(cu__days_from_civil(2024, 3, 1) -
				 cu__days_from_civil(2024, 2, 28), 2);
	ck_assert_int_eq(cu__days_from_civil(2025, 3, 1) -
				 cu__days_from_civil(2025, 2, 28), 1);
	ck_assert_int_eq(cu__days_from_civil(2001, 1, 1) -
				 cu__days_from_civil(2000, 1, 1), 366);
	ck_assert_int_eq(cu__days_from_civil(1901, 1, 1) -
				 cu__days_from_civil(1900, 1, 1), 365);
}
END_TEST

/* Month length by the Gregorian rule, written independently of lib. */
static int month_len(int64_t y, int m)
{
	static const int len[12] = { 31, 28, 31, 30, 31, 30,
				     31, 31, 30, 31, 30, 31 };
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : len[m - 1];
}

/* Is (y, m, d) the calendar day right after (py, pm, pd)? */
static bool is_next_date(int64_t py, int pm, int pd, int64_t y, int m, int d)
{
	if (pd < month_len(py, pm))
		return y == py && m == pm && d == pd + 1;
	if (pm < 12)
		return y == py && m == pm + 1 && d == 1;
	return y == py + 1 && m == 1 && d == 1;
}

/*
 * Walk about +-2700 years around 1970 (negative years included): each day
 * must round-trip, and consecutive days must be consecutive dates, which
 * pins down month lengths and leap years without trusting either
 * direction of the conversion alone. A sparse pass then covers +-2.7
 * million years. Failures are counted rather than asserted per day to
 * keep the loop fast under valgrind.
 */
START_TEST(test_civil_round_trip)
{
	int64_t py, y, first_bad = 0, bad = 0;
	int pm, pd, m, d;

	cu__civil_from_days(-1000001, &py, &pm, &pd);
	for (int64_t days = -1000000; days <= 1000000; days++) {
		cu__civil_from_days(days, &y, &m, &d);
		if (cu__days_from_civil(y, m, d) != days ||
		    !is_next_date(py, pm, pd, y, m, d)) {
			if (bad++ == 0)
				first_bad = days;
		}
		py = y;
		pm = m;
		pd = d;
	}
	for (int64_t days = -1000000000; days <= 1000000000; days += 7919) {
		cu__civil_from_days(days, &y, &m, &d);
		if (cu__days_from_civil(y, m, d) != days && bad++ == 0)
			first_bad = days;
	}
	ck_assert_msg(bad == 0, "%lld bad days, first %lld", (long long)bad,
		      (long long)first_bad);
	cu__civil_from_days(-719528, &y, &m, &d);
	ck_assert(y == 0 && m == 1 && d == 1);
	/* 472 days before 0000-01-01: years -1 and -2 have 365 days, so day
	 * 258 (0-based) of year -2, i.e. September 16. */
	cu__civil_from_days(-720000, &y, &m, &d);
	ck_assert(y == -2 && m == 9 && d == 16);
}
END_TEST

START_TEST(test_weekday)
{
	ck_assert_int_eq(cu__weekday_from_days(0), 4);	/* Thursday */
	ck_assert_int_eq(cu__weekday_from_days(-1), 3);
	ck_assert_int_eq(cu__weekday_from_days(-7), 4);
	ck_assert_int_eq(cu__weekday_from_days(-8), 3);
	ck_assert_int_eq(cu__weekday_from_days(20242), 2);	/* 2025-06-03 Tue */
	ck_assert_int_eq(cu__weekday_from_days(10957), 6);	/* 2000-01-01 Sat */
	ck_assert_int_eq(cu__weekday_from_days(-719162), 1);	/* 0001-01-01 Mon */
	ck_assert_int_eq(cu__weekday_from_days(-135080), 3);	/* 1600-03-01 Wed */
	for (int64_t d = -1000; d < 1000; d++)
		ck_assert_int_eq(cu__weekday_from_days(d + 1),
				 (cu__weekday_from_days(d) + 1) % 7);
}
END_TEST

START_TEST(test_floor_div)
{
	ck_assert_int_eq(cu__floor_div(7, 2), 3);
	ck_assert_int_eq(cu__floor_div(-7, 2), -4);
	ck_assert_int_eq(cu__floor_div(-8, 2), -4);
	ck_assert_int_eq(cu__floor_div(-1, 86400), -1);
	ck_assert_int_eq(cu__floor_div(0, 86400), 0);
	ck_assert_int_eq(cu__floor_div(-86400, 86400), -1);
	ck_assert_int_eq(cu__floor_div(-86401, 86400), -2);
	ck_assert_int_eq(cu__floor_div(7, -2), -4);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Timestamps                                                         */
/* ------------------------------------------------------------------ */

/*
 * Parse from an exact-size heap copy with no NUL, so AddressSanitizer or
 * valgrind catches any read past n.
 */
static int parse(const char *text, int64_t *ms)
{
	size_t n = strlen(text);
	char *copy = malloc(n ? n : 1);
	int rc;

	ck_assert_ptr_nonnull(copy);
	memcpy(copy, text, n);
	rc = cu__parse_timestamp(copy, n, ms);
	free(copy);
	return rc;
}

static void expect_ts(const char *text, int64_t want)
{
	int64_t got = 0;

	ck_assert_msg(parse(text, &got) == 0, "rejected '%s'", text);
	ck_assert_msg(got == want, "'%s': got %lld want %lld", text,
		      (long long)got, (long long)want);
}

/* Expected values: python (datetime.fromisoformat(s) - epoch) // 1 ms. */
START_TEST(test_parse_basic)
{
	expect_ts("2025-06-03T12:00:00Z", 1748952000000);
	expect_ts("2025-06-03T12:00:00+05:30", 1748932200000);
	expect_ts("2025-06-03T12:00:00+0530", 1748932200000);
	expect_ts("2025-06-03T12:00:00-08:00", 1748980800000);
	expect_ts("2025-06-03T12:00:00-0800", 1748980800000);
	expect_ts("2025-06-03T12:00:00+00:00", 1748952000000);
	expect_ts("2025-06-03T12:00:00-00:00", 1748952000000);
	expect_ts("2025-06-03t12:00:00z", 1748952000000);
	expect_ts("2025-06-03 12:00:00Z", 1748952000000);
	expect_ts("2024-02-29T00:00:00Z", 1709164800000);
	expect_ts("1970-01-01T00:00:00Z", 0);
	expect_ts("1969-12-31T23:59:59.999Z", -1);
	expect_ts("1969-12-31T00:00:00.001Z", -86399999);
	expect_ts("1960-06-15T08:30:15.250-03:00", -301235384750);
	expect_ts("1900-01-01T00:00:00Z", -2208988800000);
	expect_ts("0001-01-01T00:00:00Z", -62135596800000);
	expect_ts("9999-12-31T23:59:59.999Z", 253402300799999);
	/* A leap second rolls into the next minute: 2016-12-31T23:59:60Z is
	 * one second after 23:59:59 (1483228799 from python). */
	expect_ts("2016-12-31T23:59:60Z", 1483228800000);
}
END_TEST

START_TEST(test_parse_fraction)
{
	/* Truncated, never rounded. */
	expect_ts("2025-06-03T12:00:00.1Z", 1748952000100);
	expect_ts("2025-06-03T12:00:00.12Z", 1748952000120);
	expect_ts("2025-06-03T12:00:00.123Z", 1748952000123);
	expect_ts("2025-06-03T12:00:00.999999Z", 1748952000999);
	expect_ts("2025-06-03T12:00:00.987654321Z", 1748952000987);
	expect_ts("2025-06-03T12:00:00.987654321999Z", 1748952000987);
	expect_ts("2025-06-03T12:00:00.000000000000Z", 1748952000000);
	expect_ts("2025-06-03T12:00:00.5+05:30", 1748932200500);
	/* Negative times truncate toward the earlier instant in UTC terms
	 * of the field, i.e. .9999 of second -1 is -1 ms. */
	expect_ts("1969-12-31T23:59:59.9999Z", -1);
}
END_TEST

START_TEST(test_parse_rejects)
{
	static const char *const bad[] = {
		"",
		"2025",
		"2025-06-03",
		"2025-06-03T12:00:00",		/* no zone: never written */
		"2025-06-03T12:00Z",
		"2025-13-01T00:00:00Z",
		"2025-00-01T00:00:00Z",
		"2025-02-30T00:00:00Z",
		"2025-02-29T00:00:00Z",
		"1900-02-29T00:00:00Z",
		"2025-04-31T00:00:00Z",
		"2025-01-32T00:00:00Z",
		"2025-01-00T00:00:00Z",
		"2025-06-03T24:00:00Z",
		"2025-06-03T23:60:00Z",
		"2025-06-03T23:59:61Z",
		"2025-06-03T12:00:00ZZ",
		"2025-06-03T12:00:00Z ",
		"2025-06-03T12:00:00Zjunk",
		"2025-06-03T12:00:00+05:30x",
		"2025-06-03T12:00:00.Z",
		"2025-06-03T12:00:00.12a3Z",
		"2025-06-03T12:00:00,123Z",
		"2025-06-03T12:00:00+5:30",
		"2025-06-03T12:00:00+05:3",
		"2025-06-03T12:00:00+05-30",
		"2025-06-03T12:00:00+24:00",
		"2025-06-03T12:00:00+05:60",
		"2025-06-03T12:00:00UTC",
		"2025-06-03X12:00:00Z",
		"2025/06/03T12:00:00Z",
		"2025-06-03T12-00-00Z",
		"+2025-06-03T12:00:00Z",
		"-025-06-03T12:00:00Z",
		"2025-6-03T12:00:00Z",
		"20250603T120000Z",
		" 2025-06-03T12:00:00Z",
	};
	int64_t ms = 42;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(parse(bad[i], &ms) == -1, "accepted '%s'",
			      bad[i]);
	ck_assert_int_eq(ms, 42);	/* untouched on failure */
}
END_TEST

/* Only n bytes are looked at: a valid prefix of a longer buffer parses. */
START_TEST(test_parse_exact_length)
{
	const char *buf = "2025-06-03T12:00:00.123Z\",\"next\":1";
	int64_t ms = 0;

	ck_assert_int_eq(cu__parse_timestamp(buf, 24, &ms), 0);
	ck_assert_int_eq(ms, 1748952000123);
	ck_assert_int_eq(cu__parse_timestamp(buf, 25, &ms), -1);
	ck_assert_int_eq(cu__parse_timestamp(buf, 23, &ms), -1);
	ck_assert_int_eq(cu__parse_timestamp(NULL, 0, &ms), -1);
}
END_TEST

START_TEST(test_parse_date)
{
	int64_t days = 0;

	ck_assert_int_eq(cu__parse_date("2025-06-03", &days), 0);
	ck_assert_int_eq(days, 20242);
	ck_assert_int_eq(cu__parse_date("20250603", &days), 0);
	ck_assert_int_eq(days, 20242);
	ck_assert_int_eq(cu__parse_date("2000-02-29", &days), 0);
	ck_assert_int_eq(days, 11016);
	ck_assert_int_eq(cu__parse_date("19691231", &days), 0);
	ck_assert_int_eq(days, -1);
	ck_assert_int_eq(cu__parse_date("2024-02-29", &days), 0);
	ck_assert_int_eq(days, 19782);
}
END_TEST

START_TEST(test_parse_date_rejects)
{
	static const char *const bad[] = {
		"", "2025", "2025-06", "2025-6-3", "2025-06-3", "2025-06-03T",
		"2025-06-03 ", " 2025-06-03", "2025/06/03", "2025-0603",
		"202506-03", "2025063", "202506033", "2025-13-01", "2025-02-29",
		"1900-02-29", "19000229", "20251301", "20250230", "2025-00-10",
		"2025-01-00", "abcd-ef-gh", "2025-06-0a", "+2025-06-03",
	};
	int64_t days = 7;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(cu__parse_date(bad[i], &days) == -1,
			      "accepted '%s'", bad[i]);
	ck_assert_int_eq(cu__parse_date(NULL, &days), -1);
	ck_assert_int_eq(days, 7);
}
END_TEST

START_TEST(test_format)
{
	char d[11], ts[25];

	cu__format_date(20242, d);
	ck_assert_str_eq(d, "2025-06-03");
	cu__format_date(-1, d);
	ck_assert_str_eq(d, "1969-12-31");
	cu__format_date(-719162, d);
	ck_assert_str_eq(d, "0001-01-01");
	cu__format_timestamp(1748952000000, ts);
	ck_assert_str_eq(ts, "2025-06-03T12:00:00.000Z");
	cu__format_timestamp(1748952000123, ts);
	ck_assert_str_eq(ts, "2025-06-03T12:00:00.123Z");
	cu__format_timestamp(0, ts);
	ck_assert_str_eq(ts, "1970-01-01T00:00:00.000Z");
	cu__format_timestamp(-1, ts);
	ck_assert_str_eq(ts, "1969-12-31T23:59:59.999Z");
	cu__format_timestamp(-301235384750, ts);
	ck_assert_str_eq(ts, "1960-06-15T11:30:15.250Z");
	cu__format_timestamp(253402300799999, ts);
	ck_assert_str_eq(ts, "9999-12-31T23:59:59.999Z");
	/* Outside 0000..9999 the fixed-size buffers force clamping. */
	cu__format_timestamp(INT64_MAX, ts);
	ck_assert_str_eq(ts, "9999-12-31T23:59:59.999Z");
	cu__format_timestamp(INT64_MIN, ts);
	ck_assert_str_eq(ts, "0000-01-01T00:00:00.000Z");
	cu__format_date(INT64_MAX / 2, d);
	ck_assert_str_eq(d, "9999-12-31");
}
END_TEST

/* format(parse(x)) == x for canonical text, over many instants. */
START_TEST(test_format_parse_round_trip)
{
	char ts[25];
	int64_t back;

	for (int64_t ms = -5000000000000; ms < 5000000000000;
	     ms += 98765432109) {
		cu__format_timestamp(ms, ts);
		ck_assert_int_eq(cu__parse_timestamp(ts, 24, &back), 0);
		ck_assert_int_eq(back, ms);
	}
}
END_TEST

/* ------------------------------------------------------------------ */
/* Timezones                                                          */
/* ------------------------------------------------------------------ */

static cu__tz *load(const char *name)
{
	char err[256] = "";
	cu__tz *tz = NULL;

	ck_assert_msg(cu__tz_load(name, &tz, err, sizeof(err)) == 0,
		      "loading '%s': %s", name, err);
	ck_assert_ptr_nonnull(tz);
	return tz;
}

/* Check the offset just before and at a transition instant. */
static void expect_transition(const cu__tz *tz, int64_t t, int32_t before,
			      int32_t after)
{
	ck_assert_int_eq(cu__tz_offset(tz, t - 1), before);
	ck_assert_int_eq(cu__tz_offset(tz, t), after);
}

START_TEST(test_tz_utc)
{
	static const char *const names[] = { "UTC", "Etc/UTC", "Z", ":UTC" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		cu__tz *tz = load(names[i]);

		ck_assert_int_eq(cu__tz_offset(tz, 0), 0);
		ck_assert_int_eq(cu__tz_offset(tz, 1748952000), 0);
		ck_assert_int_eq(cu__tz_offset(tz, -5000000000), 0);
		ck_assert_int_eq(cu__tz_offset(tz, INT64_MAX), 0);
		ck_assert_int_eq(cu__tz_offset(tz, INT64_MIN), 0);
		ck_assert_int_eq(cu__tz_local_day(tz, -1), -1);
		ck_assert_int_eq(cu__tz_day_start(tz, 20242), 20242 * 86400);
		cu__tz_free(tz);
	}
	cu__tz_free(NULL);
}
END_TEST

/* TZ=Europe/Paris date -d @1743296400 -> 03:00+0200 (01:00 UTC). */
START_TEST(test_tz_paris)
{
	cu__tz *tz = load("Europe/Paris");

	ck_assert_str_eq(cu__tz_name(tz), "Europe/Paris");
	expect_transition(tz, 1743296400, 3600, 7200);	/* 2025-03-30 */
	expect_transition(tz, 1761440400, 7200, 3600);	/* 2025-10-26 */
	ck_assert_int_eq(cu__tz_offset(tz, 1748952000), 7200);
	ck_assert_int_eq(cu__tz_offset(tz, 1735689600), 3600);
	/* LMT before 1891 (python zoneinfo: +561 s). */
	ck_assert_int_eq(cu__tz_offset(tz, -3000000000), 561);
	cu__tz_free(tz);
}
END_TEST

/* After 2037 the rule in the file's footer applies (python zoneinfo). */
START_TEST(test_tz_paris_future)
{
	cu__tz *tz = load("Europe/Paris");

	expect_transition(tz, 2216250000, 3600, 7200);	/* 2040-03-25 */
	expect_transition(tz, 2234998800, 7200, 3600);	/* 2040-10-28 */
	/* Far beyond any table: the rule is evaluated directly. */
	expect_transition(tz, 16732659600, 3600, 7200);	/* 2500-03-28 */
	cu__tz_free(tz);
}
END_TEST

START_TEST(test_tz_new_york)
{
	cu__tz *tz = load("America/New_York");

	expect_transition(tz, 1741503600, -18000, -14400);	/* 2025-03-09 */
	expect_transition(tz, 1762063200, -14400, -18000);	/* 2025-11-02 */
	cu__tz_free(tz);
}
END_TEST

START_TEST(test_tz_half_hours)
{
	cu__tz *tz = load("Asia/Kolkata");

	ck_assert_int_eq(cu__tz_offset(tz, 1748952000), 19800);
	cu__tz_free(tz);

	/* Lord Howe: +10:30 standard, +11 in summer (30-minute DST). */
	tz = load("Australia/Lord_Howe");
	expect_transition(tz, 1743865200, 39600, 37800);	/* 2025-04-05 */
	expect_transition(tz, 1759591800, 37800, 39600);	/* 2025-10-04 */
	cu__tz_free(tz);

	/* Chatham: +12:45 standard, +13:45 in summer. */
	tz = load("Pacific/Chatham");
	expect_transition(tz, 1743861600, 49500, 45900);	/* 2025-04-05 */
	expect_transition(tz, 1758981600, 45900, 49500);	/* 2025-09-27 */
	cu__tz_free(tz);
}
END_TEST

START_TEST(test_tz_posix)
{
	cu__tz *tz = load("EST5EDT,M3.2.0,M11.1.0");

	ck_assert_str_eq(cu__tz_name(tz), "EST5EDT,M3.2.0,M11.1.0");
	expect_transition(tz, 1741503600, -18000, -14400);
	expect_transition(tz, 1762063200, -14400, -18000);
	cu__tz_free(tz);

	tz = load("<+0530>-5:30");
	ck_assert_int_eq(cu__tz_offset(tz, 1748952000), 19800);
	ck_assert_int_eq(cu__tz_offset(tz, -4000000000), 19800);
	cu__tz_free(tz);

	/* Footer of America/Nuuk: negative transition time (TZif v3).
	 * Expected: python zoneinfo America/Nuuk in 2026. */
	tz = load("<-02>2<-01>,M3.5.0/-1,M10.5.0/0");
	expect_transition(tz, 1774746000, -7200, -3600);
	expect_transition(tz, 1792890000, -3600, -7200);
	cu__tz_free(tz);

	/* Footer of Asia/Jerusalem: transition at 26:00 (TZif v3). */
	tz = load("IST-2IDT,M3.4.4/26,M10.5.0");
	expect_transition(tz, 1774569600, 7200, 10800);
	expect_transition(tz, 1792882800, 10800, 7200);
	cu__tz_free(tz);

	/* RFC 8536 3.3.1: DST all year round. */
	tz = load("EST5EDT,0/0,J365/25");
	ck_assert_int_eq(cu__tz_offset(tz, 1748952000), -14400);
	ck_assert_int_eq(cu__tz_offset(tz, 1735689600), -14400);
	cu__tz_free(tz);
}
END_TEST

static void expect_load_error(const char *name, const char *needle)
{
	char err[256] = "";
	cu__tz *tz = (cu__tz *)(uintptr_t)1;	/* must be reset to NULL */

	ck_assert_int_eq(cu__tz_load(name, &tz, err, sizeof(err)), -1);
	ck_assert_ptr_null(tz);
	ck_assert_msg(strstr(err, needle) != NULL, "'%s': message '%s'",
		      name, err);
}

START_TEST(test_tz_errors)
{
	char tiny[8];
	cu__tz *tz;

	expect_load_error("Mars/Olympus", "unknown timezone 'Mars/Olympus'");
	expect_load_error("../etc", "'..'");
	expect_load_error("Europe/../../../etc/passwd", "'..'");
	expect_load_error("Europe", "unknown timezone");
	expect_load_error("/nonexistent/zone", "unknown timezone");
	expect_load_error("EST5EDT,M13.2.0,M11.1.0", "unknown timezone");
	expect_load_error("Nowhere", "unknown timezone");
	expect_load_error("EST5EDT,M3.2.0", "unknown timezone");
	/* A short error buffer is truncated, not overrun. */
	ck_assert_int_eq(cu__tz_load("Mars/Olympus", &tz, tiny, sizeof(tiny)),
			 -1);
	ck_assert_uint_eq(strlen(tiny), sizeof(tiny) - 1);
	ck_assert_int_eq(cu__tz_load("Mars/Olympus", &tz, NULL, 0), -1);
}
END_TEST

static void write_file(const char *path, const unsigned char *data,
		       size_t n)
{
	FILE *f = fopen(path, "wb");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(data, 1, n, f), n);
	ck_assert_int_eq(fclose(f), 0);
}

/* A hand-made version 1 file: +1h before 1970, +2h from then on. */
START_TEST(test_tz_tzif_v1_and_corrupt)
{
	static const unsigned char v1[] = {
		'T', 'Z', 'i', 'f', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,	/* isut, isstd, leap */
		0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 8,	/* time, type, char */
		0, 0, 0, 0,				/* transition at 0 */
		1,					/* -> type 1 */
		0, 0, 0x0e, 0x10, 0, 0,			/* +3600 */
		0, 0, 0x1c, 0x20, 1, 4,			/* +7200 */
		'A', 'A', 'A', 0, 'B', 'B', 'B', 0,
	};
	char path[] = "/tmp/test-time-XXXXXX";
	char err[256];
	int fd = mkstemp(path);
	cu__tz *tz;

	ck_assert_int_ge(fd, 0);
	close(fd);
	write_file(path, v1, sizeof(v1));
	tz = load(path);
	ck_assert_str_eq(cu__tz_name(tz), path);
	expect_transition(tz, 0, 3600, 7200);
	ck_assert_int_eq(cu__tz_offset(tz, INT64_MAX), 7200);
	cu__tz_free(tz);

	/* Not TZif at all, then truncated: reported, not crashed on. */
	write_file(path, (const unsigned char *)"hello\n", 6);
	ck_assert_int_eq(cu__tz_load(path, &tz, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "not a TZif file") != NULL, "%s", err);

	write_file(path, v1, sizeof(v1) - 3);
	ck_assert_int_eq(cu__tz_load(path, &tz, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "invalid timezone file") != NULL, "%s", err);
	unlink(path);
}
END_TEST

START_TEST(test_tz_local)
{
	const char *saved = getenv("TZ");
	char *copy = saved ? strdup(saved) : NULL;
	char err[256];
	cu__tz *tz;

	ck_assert_int_eq(setenv("TZ", "Europe/Paris", 1), 0);
	tz = load(NULL);
	ck_assert_str_eq(cu__tz_name(tz), "Europe/Paris");
	ck_assert_int_eq(cu__tz_offset(tz, 1748952000), 7200);
	cu__tz_free(tz);

	ck_assert_int_eq(setenv("TZ", ":Asia/Kolkata", 1), 0);
	tz = load("");
	ck_assert_str_eq(cu__tz_name(tz), "Asia/Kolkata");
	cu__tz_free(tz);

	ck_assert_int_eq(setenv("TZ", "Mars/Olympus", 1), 0);
	ck_assert_int_eq(cu__tz_load(NULL, &tz, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "$TZ") != NULL, "%s", err);

	/* /etc/localtime or UTC: whatever it is, it has a sensible name. */
	ck_assert_int_eq(unsetenv("TZ"), 0);
	tz = load(NULL);
	ck_assert_ptr_nonnull(cu__tz_name(tz));
	ck_assert_int_gt(strlen(cu__tz_name(tz)), 0);
	ck_assert_ptr_null(strstr(cu__tz_name(tz), "/zoneinfo/"));
	cu__tz_free(tz);

	if (copy) {
		setenv("TZ", copy, 1);
		free(copy);
	}
}
END_TEST

/* ------------------------------------------------------------------ */
/* Local days                                                         */
/* ------------------------------------------------------------------ */

START_TEST(test_local_day)
{
	cu__tz *tz = load("Europe/Paris");
	cu__tz *ny = load("America/New_York");
	cu__tz *utc = load("UTC");

	/* Paris midnight of 2025-06-04 is 2025-06-03T22:00Z. */
	ck_assert_int_eq(cu__tz_local_day(tz, 1748987999999), 20242);
	ck_assert_int_eq(cu__tz_local_day(tz, 1748988000000), 20243);
	/* Across the spring change: 2025-03-29T23:00Z is Paris midnight. */
	ck_assert_int_eq(cu__tz_local_day(tz, 1743289199999), 20176);
	ck_assert_int_eq(cu__tz_local_day(tz, 1743289200000), 20177);
	/* Negative times floor correctly. */
	ck_assert_int_eq(cu__tz_local_day(utc, -1), -1);
	ck_assert_int_eq(cu__tz_local_day(utc, -86400000), -1);
	ck_assert_int_eq(cu__tz_local_day(utc, -86400001), -2);
	/* 1970-01-01T04:59:59.999Z is still Dec 31 in New York (EST). */
	ck_assert_int_eq(cu__tz_local_day(ny, 17999999), -1);
	ck_assert_int_eq(cu__tz_local_day(ny, 18000000), 0);
	cu__tz_free(tz);
	cu__tz_free(ny);
	cu__tz_free(utc);
}
END_TEST

/* Expected: python brute force, first UTC second whose local date is d. */
START_TEST(test_day_start)
{
	cu__tz *tz = load("Europe/Paris");

	ck_assert_int_eq(cu__tz_day_start(tz, 20177), 1743289200);	/* 03-30 */
	ck_assert_int_eq(cu__tz_day_start(tz, 20178), 1743372000);	/* 03-31 */
	ck_assert_int_eq(cu__tz_day_start(tz, 20387), 1761429600);	/* 10-26 */
	ck_assert_int_eq(cu__tz_day_start(tz, 20388), 1761519600);	/* 10-27 */
	/* 2025-03-30 is 23 hours long, 2025-10-26 is 25. */
	ck_assert_int_eq(cu__tz_day_start(tz, 20178) -
				 cu__tz_day_start(tz, 20177), 23 * 3600);
	ck_assert_int_eq(cu__tz_day_start(tz, 20388) -
				 cu__tz_day_start(tz, 20387), 25 * 3600);
	cu__tz_free(tz);

	tz = load("Asia/Kolkata");
	ck_assert_int_eq(cu__tz_day_start(tz, 20242), 1748889000);
	cu__tz_free(tz);

	tz = load("America/New_York");
	ck_assert_int_eq(cu__tz_day_start(tz, -1), -68400);
	cu__tz_free(tz);
}
END_TEST

START_TEST(test_day_start_gaps)
{
	/* Havana springs forward at midnight: 2025-03-09 starts at 01:00
	 * CDT, the transition instant 05:00Z. */
	cu__tz *tz = load("America/Havana");

	ck_assert_int_eq(cu__tz_day_start(tz, 20156), 1741496400);
	/* It falls back 01:00 -> 00:00 on 2025-11-02, so midnight happens
	 * twice; the first one (04:00Z, still CDT) wins. */
	ck_assert_int_eq(cu__tz_day_start(tz, 20394), 1762056000);
	cu__tz_free(tz);

	/* Sao Paulo, 2018-11-04: midnight skipped, day begins 03:00Z. */
	tz = load("America/Sao_Paulo");
	ck_assert_int_eq(cu__tz_day_start(tz, 17839), 1541300400);
	cu__tz_free(tz);
}
END_TEST

/* day_start and local_day agree everywhere over two years of Paris. */
START_TEST(test_day_start_consistent)
{
	cu__tz *tz = load("Europe/Paris");

	for (int64_t day = 19900; day < 20700; day++) {
		int64_t s = cu__tz_day_start(tz, day);

		ck_assert_int_eq(cu__tz_local_day(tz, s * 1000), day);
		ck_assert_int_eq(cu__tz_local_day(tz, s * 1000 - 1), day - 1);
	}
	cu__tz_free(tz);
}
END_TEST

static Suite *time_suite(void)
{
	Suite *s = suite_create("time");
	TCase *civil = tcase_create("civil");
	TCase *stamp = tcase_create("timestamp");
	TCase *zone = tcase_create("timezone");
	TCase *day = tcase_create("local-day");

	tcase_add_test(civil, test_days_from_civil_known);
	tcase_add_test(civil, test_leap_years);
	tcase_add_test(civil, test_civil_round_trip);
	tcase_add_test(civil, test_weekday);
	tcase_add_test(civil, test_floor_div);
	/* The round trip walks millions of days; allow for valgrind. */
	tcase_set_timeout(civil, 120);
	suite_add_tcase(s, civil);

	tcase_add_test(stamp, test_parse_basic);
	tcase_add_test(stamp, test_parse_fraction);
	tcase_add_test(stamp, test_parse_rejects);
	tcase_add_test(stamp, test_parse_exact_length);
	tcase_add_test(stamp, test_parse_date);
	tcase_add_test(stamp, test_parse_date_rejects);
	tcase_add_test(stamp, test_format);
	tcase_add_test(stamp, test_format_parse_round_trip);
	suite_add_tcase(s, stamp);

	tcase_add_test(zone, test_tz_utc);
	tcase_add_test(zone, test_tz_paris);
	tcase_add_test(zone, test_tz_paris_future);
	tcase_add_test(zone, test_tz_new_york);
	tcase_add_test(zone, test_tz_half_hours);
	tcase_add_test(zone, test_tz_posix);
	tcase_add_test(zone, test_tz_errors);
	tcase_add_test(zone, test_tz_tzif_v1_and_corrupt);
	tcase_add_test(zone, test_tz_local);
	suite_add_tcase(s, zone);

	tcase_add_test(day, test_local_day);
	tcase_add_test(day, test_day_start);
	tcase_add_test(day, test_day_start_gaps);
	tcase_add_test(day, test_day_start_consistent);
	suite_add_tcase(s, day);
	return s;
}

int main(void)
{
	return run_suite(time_suite());
}
