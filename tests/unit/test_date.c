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
test_regions(void **state)
{
	(void)state;
	/* IANA names: a standard offset and a DST rule from our table */
	check("Thu, 25 Feb 2016 00:00:00 Europe/Brussels",
	    "2016-02-24T23:00:00Z");
	check("Wed, 05 Jul 2006 12:00:00 Europe/London", "2006-07-05T11:00:00Z");
	check("Thu, 25 Feb 2016 00:00:00 EUROPE/LONDON", "2016-02-25T00:00:00Z");
	check("2020-07-01T10:00:00 Europe/Paris", "2020-07-01T08:00:00Z");
	check("Mon, 11 Mar 2024 12:00:00 Asia/Kolkata", "2024-03-11T06:30:00Z");
	check("Thu, 25 Feb 2016 00:00:00 us/hawaii", "2016-02-25T10:00:00Z");
	/* the change-over hour: 01:00 UTC in the EU, 02:00 local in the US */
	check("Sun, 31 Mar 2024 01:59:00 Europe/Paris", "2024-03-31T00:59:00Z");
	check("Sun, 31 Mar 2024 03:00:00 Europe/Paris", "2024-03-31T01:00:00Z");
	check("Sun, 27 Oct 2024 02:30:00 Europe/Paris", "2024-10-27T00:30:00Z");
	check("Sun, 27 Oct 2024 03:00:00 Europe/Paris", "2024-10-27T02:00:00Z");
	check("Sun, 10 Mar 2024 01:59:00 America/New_York",
	    "2024-03-10T06:59:00Z");
	check("Sun, 10 Mar 2024 03:00:00 America/New_York",
	    "2024-03-10T07:00:00Z");
	/* the US rule before 2007: first Sunday of April, last of October */
	check("Sun, 12 Mar 2006 03:00:00 America/New_York",
	    "2006-03-12T08:00:00Z");
	check("Sun, 02 Apr 2006 03:00:00 US/Eastern", "2006-04-02T07:00:00Z");
	check("Sun, 29 Oct 2006 01:30:00 America/New_York",
	    "2006-10-29T05:30:00Z");
	check("Sun, 05 Nov 2006 01:30:00 America/New_York",
	    "2006-11-05T06:30:00Z");
	/* POSIX signs: Etc/GMT+5 is five hours west */
	check("Wed, 19 Feb 2012 22:40:00 Etc/GMT+5", "2012-02-20T03:40:00Z");
	check("Thu, 25 Feb 2016 00:00:00 Etc/GMT-9", "2016-02-24T15:00:00Z");
	/* a zone we do not know (or whose rules changed) is no date */
	reject("Thu, 25 Feb 2016 00:00:00 Europe/Moscow");
	reject("Fri, 01 Nov 2019 12:00:00 Mars/Olympus_Mons");
	reject("Thu, 25 Feb 2016 00:00:00 Europe/Lond");
	reject("Thu, 25 Feb 2016 00:00:00 Europe/Londonx");
}

static void
test_languages(void **state)
{
	(void)state;
	check("Do, 29 Mär 2018 00:00:00 +0200", "2018-03-28T22:00:00Z");
	check("Mi, 15 MÄRZ 2023 10:00:00 +0100", "2023-03-15T09:00:00Z");
	check("Mittwoch, 15. März 2023 10:00 Uhr", "2023-03-15T10:00:00Z");
	check("15. Mrz. 2023", "2023-03-15T00:00:00Z");
	check("Di, 01 Dez 2020 10:00:00 +0100", "2020-12-01T09:00:00Z");
	check("mer, 9 avr 2018 00:00:00 +0200", "2018-04-08T22:00:00Z");
	check("ven., 03 juil. 2020 15:09:58 +0000", "2020-07-03T15:09:58Z");
	check("jeu., 02 avril 2020 00:00:00 +0200", "2020-04-01T22:00:00Z");
	check("16 DÉCEMBRE 2020", "2020-12-16T00:00:00Z");
	check("16 decembre 2020", "2020-12-16T00:00:00Z");
	check("jeudi 1er octobre 2020", "2020-10-01T00:00:00Z");
	check("dim. 07 juin 2020", "2020-06-07T00:00:00Z");
	check("miércoles, 15 de marzo de 2023 10:00", "2023-03-15T10:00:00Z");
	check("mié., 15 mar. 2023 10:00:00 +0100", "2023-03-15T09:00:00Z");
	check("sáb., 01 ago. 2020 10:00:00 +0000", "2020-08-01T10:00:00Z");
	check("mercoledì 15 marzo 2023", "2023-03-15T00:00:00Z");
	check("lun, 03 giu 2019 12:00:00 +0200", "2019-06-03T10:00:00Z");
	check("quarta-feira, 15 de março de 2023", "2023-03-15T00:00:00Z");
	check("sex, 04 out 2019 12:00:00 -0300", "2019-10-04T15:00:00Z");
	check("woensdag 15 maart 2023", "2023-03-15T00:00:00Z");
	check("wo 15 mrt 2023 10:00", "2023-03-15T10:00:00Z");
	check("vr, 04 okt 2019 12:00:00 +0200", "2019-10-04T10:00:00Z");
	check("Κυρ, 11 ΙΟΥΛ 2004 12:00:00 EST", "2004-07-11T17:00:00Z");
	check("11 Ιουλίου 2004", "2004-07-11T00:00:00Z");
	check("Thurs, 15 Oct 2020 00:00:39 +0000", "2020-10-15T00:00:39Z");
	/* "mar" is mardi, martes, martedì or March: a day name only when
	 * another month follows; "mai" and "mei" are May */
	check("mar., 01 déc. 2020 16:11:02 +0000", "2020-12-01T16:11:02Z");
	check("mar. 5 mai 2020", "2020-05-05T00:00:00Z");
	check("Mar 5 2020", "2020-03-05T00:00:00Z");
	check("ma 7 dec 2020", "2020-12-07T00:00:00Z");
	check("Mai 5 2020", "2020-05-05T00:00:00Z");
	check("5 mei 2020", "2020-05-05T00:00:00Z");
	/* "jui" starts juin and juillet */
	reject("1 jui 2020");
	reject("Lundi, 16 Foo 2020");
}

static void
test_drupal(void **state)
{
	(void)state;
	check("Friday, December 22, 2017 - 3:09pm", "2017-12-22T15:09:00Z");
	check("Monday, October 6, 2023 - 16:29", "2023-10-06T16:29:00Z");
	check("Monday, October 6, 2023 - 16:29\n", "2023-10-06T16:29:00Z");
	/* a "\n" written out by the generator is a blank too */
	check("Monday, October 6, 2023 - 16:29\\n", "2023-10-06T16:29:00Z");
	check("Mon, 03/30/2020 - 19:19", "2020-03-30T19:19:00Z");
	check("Lundi, 16. Novembre 2020 - 15:54", "2020-11-16T15:54:00Z");
	check("2020-11-08 - 16:20", "2020-11-08T16:20:00Z");
	/* the dash stands once, between a date and a time */
	reject("December 22, 2017 -");
	reject("- December 22, 2017 15:00");
	reject("December 22, 2017 - 3:09pm - 4:00");
	reject("December 22, 2017 +0100 - 15:00");
}

static void
test_numeric(void **state)
{
	(void)state;
	/* dots are day first; a four-digit first number is the year */
	check("30.10.23", "2023-10-30T00:00:00Z");
	check("03.04.2020", "2020-04-03T00:00:00Z");
	check("2020.04.03", "2020-04-03T00:00:00Z");
	check("jeu. 30.10.23 13:16:28", "2023-10-30T13:16:28Z");
	/* slashes and dashes are month first, unless that cannot be */
	check("03/04/2020", "2020-03-04T00:00:00Z");
	check("04/13/2020", "2020-04-13T00:00:00Z");
	check("13/04/2020", "2020-04-13T00:00:00Z");
	check("03-04-2020", "2020-03-04T00:00:00Z");
	check("Fri, 2006/09/15 08:19:53 EDT", "2006-09-15T12:19:53Z");
	/* RFC 822's order with the month's number */
	check("Sat, 11 04 2020 08:51:49 +0100", "2020-04-11T07:51:49Z");
	check("Tue, 02 4 2024 10:00:00 GMT", "2024-04-02T10:00:00Z");
	/* RFC 850, as HTTP still allows */
	check("Sunday, 06-Nov-94 08:49:37 GMT", "1994-11-06T08:49:37Z");
	reject("13/13/2020");
	reject("1/2/3");
	reject("123/4/2020");
	reject("11 04 20");
	reject("2 2024-01-02");
	reject("Apr 2006/09/15");
}

static void
test_unix(void **state)
{
	(void)state;
	check("1520932969", "2018-03-13T09:22:49Z");
	check(" 1520932969 ", "2018-03-13T09:22:49Z");
	check("100000000", "1973-03-03T09:46:40Z");
	check("99999999999", "5138-11-16T09:46:39Z");
	/* only a bare number of 9 to 11 digits */
	reject("0123456789");
	reject("123456789012");
	reject("1520932969x");
	reject("-1520932969");
	reject("Mon 1520932969");
}

static void
test_lenient(void **state)
{
	(void)state;
	/* a month and a year: its first day */
	check("Nov. 2020", "2020-11-01T00:00:00Z");
	check("März 2021", "2021-03-01T00:00:00Z");
	check("Thu, Jan 2004", "2004-01-01T00:00:00Z");
	reject("Nov. 2020 10:00");
	reject("Nov. 2020 GMT");
	reject("Nov 20");
	reject("013 May");
	/* a trailing comment; an offset after a zone's name */
	check("Thu Nov 12 2020 17:00:00 GMT+0000 (Coordinated Universal Time)",
	    "2020-11-12T17:00:00Z");
	check("Tue, 1 Jul 2003 10:52:37 +0200 (CEST)", "2003-07-01T08:52:37Z");
	check("2020-01-01T00:00:00+01:00 (CET)", "2019-12-31T23:00:00Z");
	check("2020-01-01T10:00:00 GMT+2", "2020-01-01T08:00:00Z");
	reject("(Coordinated Universal Time)");
	reject("Tue, 1 Jul 2003 10:52:37 +0200 (CEST");
	/* an offset, then a stray Z; XML Schema's zoned date */
	check("2020-11-08T16:20:00-05:00Z", "2020-11-08T21:20:00Z");
	check("2003-12-31+01:00", "2003-12-30T23:00:00Z");
	/* "at" before the time is a word, after it Atlantic time */
	check("Thu, June 22, 2023 at 01:11 PM EDT", "2023-06-22T17:11:00Z");
	check("Mon, 26 January 2004 16:31:00 AT", "2004-01-26T20:31:00Z");
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
	/* an offset needs a time, or a blank before it */
	reject("2013-01-27-01");
	reject("+0100 Mon, 02 Jan 2006 15:04:05");
	/* a year and a time are not a date */
	reject("2020 16:29");
	reject("2006 2020");
	/* one zone, after the time */
	reject("Sun, Dec x 2012 11:47:32 GMT");
	reject("Mon, 02 Jan 2006 15:04:05 GMT EST");
	reject("Mon, 02 Jan 2006 EST 15:04:05");
	reject("Sun, 16 Dec 2012 1:2:3:4 GMT");
	/* a Korean unit twice */
	reject("2004년 05월 28일 2005년");
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
		cmocka_unit_test(test_regions),
		cmocka_unit_test(test_languages),
		cmocka_unit_test(test_drupal),
		cmocka_unit_test(test_numeric),
		cmocka_unit_test(test_unix),
		cmocka_unit_test(test_lenient),
		cmocka_unit_test(test_reject),
		cmocka_unit_test(test_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
