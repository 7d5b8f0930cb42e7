/*
 * test_date: date_parse and date_format against the formats feeds use.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "parsers/date.h"

/* Parse s and compare its RFC 3339 form with want. */
static void
check(const char *s, const char *want)
{
	char	 buf[DATE_RFC3339_LEN];
	int64_t	 t;

	if (date_parse(s, &t) != 0)
		fail_msg("date_parse(\"%s\") failed, want %s", s, want);
	assert_int_equal(date_format(t, buf, sizeof(buf)), 0);
	if (strcmp(buf, want) != 0)
		fail_msg("date_parse(\"%s\") = %s, want %s", s, buf, want);
}

static void
reject(const char *s)
{
	int64_t	 t;

	if (date_parse(s, &t) != -1)
		fail_msg("date_parse(\"%s\") accepted", s);
}

static void
test_rfc822(void **state)
{
	(void)state;
	check("Thu, 01 Jan 2004 19:48:21 GMT", "2004-01-01T19:48:21Z");
	check("Mon, 02 Jan 2006 15:04:05 -0700", "2006-01-02T22:04:05Z");
	check("Mon, 02 Jan 2006 15:04:05 +05:30", "2006-01-02T09:34:05Z");
	check("02 Jan 2006 15:04:05 -0700", "2006-01-02T22:04:05Z");
	check("Mon, 2 Jan 2006 15:04 GMT", "2006-01-02T15:04:00Z");
	check("Thu, 01 Jan 04 19:48:21 GMT", "2004-01-01T19:48:21Z");
	check("Tue, 19 Jul 99 17:00:42 GMT", "1999-07-19T17:00:42Z");
	check("thu, 01 jan 2004 19:48:21 gmt", "2004-01-01T19:48:21Z");
	check("Mon, 13 Feb, 2012   06:28:00 UTC", "2012-02-13T06:28:00Z");
	check("Fri,24 Nov 2023 18:28:36 -0000", "2023-11-24T18:28:36Z");
	check("Mon, 26 January 2004 16:31:00 ET", "2004-01-26T21:31:00Z");
	check("Thu, 01 Jan 2004", "2004-01-01T00:00:00Z");
}

static void
test_zones(void **state)
{
	(void)state;
	check("Mon, 02 Jan 2006 15:04:05 EST", "2006-01-02T20:04:05Z");
	check("Mon, 02 Jan 2006 15:04:05 EDT", "2006-01-02T19:04:05Z");
	check("Mon, 02 Jan 2006 15:04:05 CST", "2006-01-02T21:04:05Z");
	check("Mon, 02 Jan 2006 15:04:05 PST", "2006-01-02T23:04:05Z");
	check("Mon, 02 Jan 2006 15:04:05 CEST", "2006-01-02T13:04:05Z");
	check("Tue, 19 Jul 2005 17:00:42 Z", "2005-07-19T17:00:42Z");
	check("Tue, 19 Jul 2005 17:00:42 A", "2005-07-19T16:00:42Z");
	check("Tue, 19 Jul 2005 17:00:42 N", "2005-07-19T18:00:42Z");
	check("Wed, 19 Feb 2012 22:40:00 GMT+2", "2012-02-19T20:40:00Z");
	check("Wed, 19 Feb 2012 22:40:00 UTC-05:00", "2012-02-20T03:40:00Z");
	check("Wed, 19 Aug 2009 18:28:00 Etc/GMT", "2009-08-19T18:28:00Z");
	/* A region follows its daylight saving rule. */
	check("Fri, 31 Mar 2023 20:19:00 America/Los_Angeles",
	    "2023-04-01T03:19:00Z");
	check("Fri, 13 Jan 2023 20:19:00 America/Los_Angeles",
	    "2023-01-14T04:19:00Z");
}

static void
test_iso8601(void **state)
{
	(void)state;
	check("2003-12-31T10:14:55Z", "2003-12-31T10:14:55Z");
	check("2003-12-31T10:14:55-08:00", "2003-12-31T18:14:55Z");
	check("1994-11-05T08:15:30-0500", "1994-11-05T13:15:30Z");
	check("2003-12-31T10:14:55+0000", "2003-12-31T10:14:55Z");
	check("2007-04-23T23:25:47.538+10:00", "2007-04-23T13:25:47Z");
	check("2003-12-31", "2003-12-31T00:00:00Z");
	check("2003-12", "2003-12-01T00:00:00Z");
	check("2003", "2003-01-01T00:00:00Z");
	check("2008-12-30T13:21", "2008-12-30T13:21:00Z");
	check("2004-07-08 23:56:58", "2004-07-08T23:56:58Z");
	check("2004-07-08 23:56:58 -00:20", "2004-07-09T00:16:58Z");
	check("2004-02-28T18:14:55-08:00", "2004-02-29T02:14:55Z");
	check("2000-02-28T18:14:55-08:00", "2000-02-29T02:14:55Z");
	check("20031231T101455Z", "2003-12-31T10:14:55Z");
	check("2003-335", "2003-12-01T00:00:00Z");
}

static void
test_asctime(void **state)
{
	(void)state;
	check("Sun Jan  4 16:29:06 2004", "2004-01-04T16:29:06Z");
	check("Sun Jul 15 01:16:00 +0000 2012", "2012-07-15T01:16:00Z");
	check("Thu Aug 30 2012 17:26:16 +0200", "2012-08-30T15:26:16Z");
}

static void
test_localised(void **state)
{
	(void)state;
	check("mer, 16 nov 2022 00:38:15 +0100", "2022-11-15T23:38:15Z");
	check("2004-július-13T9:15-05:00", "2004-07-13T14:15:00Z");
	check("2004년 05월 28일  01:31:15", "2004-05-27T16:31:15Z");
}

static void
test_reject(void **state)
{
	(void)state;
	reject("");
	reject("   ");
	reject("foobar");
	reject("-3");
	reject("2003-13-01");
	reject("2003-02-30");
	reject("2003-12-32");
	reject("2003-12-31T25:00:00Z");
	reject("2003-12-31T10:61:00Z");
	reject("Mon, 32 Jan 2006 15:04:05 GMT");
	reject("Mon, 02 Foo 2006 15:04:05 GMT");
	reject("Mon, 02 Jan 2006 25:04:05 GMT");
	reject("X00:00 2005-07-19");
	reject("2003-12-31T10:14:55 +2500");
}

static void
test_format(void **state)
{
	char	 buf[DATE_RFC3339_LEN];
	char	 small[8];

	(void)state;
	assert_int_equal(date_format(0, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "1970-01-01T00:00:00Z");
	assert_int_equal(date_format(-1, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "1969-12-31T23:59:59Z");
	assert_int_equal(date_format(951782400, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "2000-02-29T00:00:00Z");
	/* Too small a buffer is an error, not a truncated date. */
	assert_int_equal(date_format(0, small, sizeof(small)), -1);
	assert_int_equal(date_format(INT64_MAX, buf, sizeof(buf)), -1);
	assert_int_equal(date_format(INT64_MIN, buf, sizeof(buf)), -1);
	/* Year 100 is not 2000: four-digit years are taken as written. */
	check("Thu, 01 Jan 0100 00:00:01 +0100", "0099-12-31T23:00:01Z");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc822),
		cmocka_unit_test(test_zones),
		cmocka_unit_test(test_iso8601),
		cmocka_unit_test(test_asctime),
		cmocka_unit_test(test_localised),
		cmocka_unit_test(test_reject),
		cmocka_unit_test(test_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
