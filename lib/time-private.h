/*
 * time-private.h - calendar arithmetic, RFC 3339 timestamps and timezones.
 *
 * Nothing here touches the process's TZ or calls localtime(): zones are read
 * from TZif files (or a POSIX TZ string) into an immutable object that any
 * thread may use.
 */
#ifndef CU_TIME_PRIVATE_H
#define CU_TIME_PRIVATE_H

#include <stddef.h>
#include <stdint.h>

/* Days since 1970-01-01 of a proleptic Gregorian date (month 1-12). */
int64_t cu__days_from_civil(int64_t y, int m, int d);
/* Inverse of cu__days_from_civil. */
void cu__civil_from_days(int64_t days, int64_t *y, int *m, int *d);
/* 0 = Sunday ... 6 = Saturday. */
int cu__weekday_from_days(int64_t days);
/* Floor division helpers for negative times. */
int64_t cu__floor_div(int64_t a, int64_t b);

/*
 * Parse an RFC 3339 / ISO 8601 timestamp ("2025-06-03T12:00:00Z",
 * "2025-06-03T12:00:00.123456789+05:30", lower-case t/z, a space instead of
 * T) into Unix milliseconds (fraction truncated to ms). Returns 0 on
 * success, -1 when the text is not such a timestamp or a field is out of
 * range. Exactly n bytes are read; no NUL is needed.
 */
int cu__parse_timestamp(const char *s, size_t n, int64_t *unix_ms);

/*
 * Parse a date flag "YYYY-MM-DD" or "YYYYMMDD" (NUL-terminated) into days
 * since the epoch. Returns 0 or -1.
 */
int cu__parse_date(const char *s, int64_t *days);

/* Write "YYYY-MM-DD" (11 bytes with NUL) for a day number. */
void cu__format_date(int64_t days, char out[11]);

/* Write RFC 3339 UTC with milliseconds, "2025-06-03T12:00:00.000Z" (25 bytes with NUL). */
void cu__format_timestamp(int64_t unix_ms, char out[25]);

typedef struct cu__tz cu__tz;

/*
 * Load a timezone. name: NULL or "" = the local zone ($TZ if set, else
 * /etc/localtime, else UTC); "UTC"/"Etc/UTC"/"Z"; an IANA name looked up
 * under $TZDIR or /usr/share/zoneinfo; a path starting with '/'; a POSIX TZ
 * string such as "EST5EDT,M3.2.0,M11.1.0"; a leading ':' is ignored.
 * Names containing ".." are refused. Returns 0, or -1 with a message in err.
 */
int cu__tz_load(const char *name, cu__tz **out, char *err, size_t errlen);
void cu__tz_free(cu__tz *tz);
/* The name the zone was loaded under ("UTC", "Europe/Paris", "local" resolved name). */
const char *cu__tz_name(const cu__tz *tz);
/* Offset from UTC in seconds (east positive) in force at a Unix time. Thread-safe. */
int32_t cu__tz_offset(const cu__tz *tz, int64_t unix_sec);
/* Local day number (days since 1970-01-01 in the zone) of a Unix time in ms. */
int64_t cu__tz_local_day(const cu__tz *tz, int64_t unix_ms);
/*
 * Unix time (s) of local midnight starting a local day. Where midnight does
 * not exist (a DST jump), the first existing instant of that day.
 */
int64_t cu__tz_day_start(const cu__tz *tz, int64_t local_day);

#endif
