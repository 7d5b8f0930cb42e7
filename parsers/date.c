/*
 * date: the date formats feeds really use, converted to UTC.
 *
 * Two readers: a strict one for ISO 8601 / RFC 3339 / W3C-DTF shapes and a
 * token scanner for everything else (RFC 822 and its many deviations,
 * asctime, a few localised forms seen in the wild).  Neither depends on the
 * locale or the TZ variable: the calendar arithmetic is done here.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "parsers/date.h"

#define NOTSET	INT32_MIN

struct tm_parts {
	int	 year, mon, day;
	int	 hour, min, sec;
	int	 off;		/* seconds east of UTC, NOTSET when no zone */
	int	 ampm;		/* 0 none, 1 am, 2 pm */
	int	 rule;		/* DST rule of a named region, see zone_rule */
	int	 stdoff;	/* its standard offset, seconds */
	bool	 korean;	/* Korean words seen: KST unless told */
};

enum { RULE_NONE, RULE_US, RULE_EU };

struct name_val {
	const char	*name;
	int		 val;
};

static const struct name_val months[] = {
	{ "jan", 1 }, { "feb", 2 }, { "mar", 3 }, { "apr", 4 }, { "may", 5 },
	{ "jun", 6 }, { "jul", 7 }, { "aug", 8 }, { "sep", 9 }, { "oct", 10 },
	{ "nov", 11 }, { "dec", 12 },
	/* Hungarian, as feedparser knows them */
	{ "január", 1 }, { "február", 2 }, { "március", 3 }, { "április", 4 },
	{ "május", 5 }, { "június", 6 }, { "július", 7 }, { "augusztus", 8 },
	{ "szeptember", 9 }, { "október", 10 }, { "november", 11 },
	{ "december", 12 },
	/* Greek abbreviations */
	{ "Ιαν", 1 }, { "Φεβ", 2 }, { "Μάώ", 3 }, { "Μάρ", 3 }, { "Μαρ", 3 },
	{ "Απρ", 4 }, { "Μάι", 5 }, { "Μαϊ", 5 }, { "Μαι", 5 }, { "Ιούν", 6 },
	{ "Ιον", 6 }, { "Ιούλ", 7 }, { "Ιολ", 7 }, { "Αύγ", 8 }, { "Αυγ", 8 },
	{ "Σεπ", 9 }, { "Οκτ", 10 }, { "Νοέ", 11 }, { "Νοε", 11 }, { "Δεκ", 12 },
	{ NULL, 0 }
};

static const char *const daynames[] = {
	"mon", "tue", "wed", "thu", "fri", "sat", "sun",
	"Κυρ", "Δευ", "Τρι", "Τετ", "Πεμ", "Παρ", "Σαβ",
	NULL
};

/* Offsets in minutes east of UTC. */
static const struct name_val zones[] = {
	{ "ut", 0 }, { "utc", 0 }, { "gmt", 0 }, { "z", 0 }, { "wet", 0 },
	{ "etc/gmt", 0 }, { "etc/utc", 0 }, { "zulu", 0 },
	{ "est", -300 }, { "edt", -240 }, { "cst", -360 }, { "cdt", -300 },
	{ "mst", -420 }, { "mdt", -360 }, { "pst", -480 }, { "pdt", -420 },
	{ "ast", -240 }, { "adt", -180 }, { "akst", -540 }, { "akdt", -480 },
	{ "hst", -600 }, { "nst", -210 }, { "ndt", -150 },
	{ "at", -240 }, { "et", -300 }, { "ct", -360 }, { "mt", -420 },
	{ "pt", -480 },
	{ "bst", 60 }, { "ist", 60 }, { "west", 60 }, { "cet", 60 },
	{ "met", 60 }, { "mez", 60 }, { "cest", 120 }, { "mest", 120 },
	{ "mesz", 120 }, { "eet", 120 }, { "eest", 180 }, { "msk", 180 },
	{ "hkt", 480 }, { "sgt", 480 }, { "awst", 480 }, { "jst", 540 },
	{ "kst", 540 }, { "acst", 570 }, { "aest", 600 }, { "aedt", 660 },
	{ "nzst", 720 }, { "nzdt", 780 },
	{ NULL, 0 }
};

/* Regions whose offset depends on the date. */
static const struct {
	const char	*name;
	int		 stdmin;
	int		 rule;
} regions[] = {
	{ "america/new_york", -300, RULE_US },
	{ "america/chicago", -360, RULE_US },
	{ "america/denver", -420, RULE_US },
	{ "america/los_angeles", -480, RULE_US },
	{ "us/eastern", -300, RULE_US },
	{ "us/central", -360, RULE_US },
	{ "us/mountain", -420, RULE_US },
	{ "us/pacific", -480, RULE_US },
	{ "europe/london", 0, RULE_EU },
	{ "europe/dublin", 0, RULE_EU },
	{ "europe/paris", 60, RULE_EU },
	{ "europe/berlin", 60, RULE_EU },
	{ "europe/amsterdam", 60, RULE_EU },
	{ "europe/madrid", 60, RULE_EU },
	{ "europe/rome", 60, RULE_EU },
	{ NULL, 0, 0 }
};

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t	 era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void
civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	int64_t	 era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static bool
is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
month_days(int y, int m)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };

	if (m == 2 && is_leap(y))
		return 29;
	return mdays[m - 1];
}

/* 0 = Sunday. */
static int
weekday(int y, int m, int d)
{
	int64_t	 days = days_from_civil(y, m, d);

	return (int)(((days % 7) + 11) % 7);
}

/* Day of the month of the n-th (n > 0) or last (n == 0) Sunday. */
static int
nth_sunday(int y, int m, int n)
{
	int	 first, d;

	first = 1 + (7 - weekday(y, m, 1)) % 7;
	if (n > 0)
		return first + 7 * (n - 1);
	d = first;
	while (d + 7 <= month_days(y, m))
		d += 7;
	return d;
}

/*
 * Whether daylight saving time is in force on a local date; the change-over
 * hour is ignored, feeds rarely publish in that hour.
 */
static bool
rule_dst(int rule, int y, int m, int d)
{
	int	 start, end;

	if (rule == RULE_US) {
		if (m < 3 || m > 11)
			return false;
		if (m > 3 && m < 11)
			return true;
		start = nth_sunday(y, 3, 2);
		end = nth_sunday(y, 11, 1);
		return m == 3 ? d >= start : d < end;
	}
	if (rule == RULE_EU) {
		if (m < 3 || m > 10)
			return false;
		if (m > 3 && m < 10)
			return true;
		start = nth_sunday(y, 3, 0);
		end = nth_sunday(y, 10, 0);
		return m == 3 ? d >= start : d < end;
	}
	return false;
}

static int
lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* Case-insensitive (ASCII) comparison of a token with a name. */
static bool
tok_eq(const char *p, size_t n, const char *name)
{
	size_t	 i;

	if (strlen(name) != n)
		return false;
	for (i = 0; i < n; i++)
		if (lower((unsigned char)p[i]) != lower((unsigned char)name[i]))
			return false;
	return true;
}

/* A month name: a known spelling, or an English one cut after 3 letters. */
static int
month_lookup(const char *p, size_t n)
{
	static const char *const full[] = { "january", "february", "march",
	    "april", "may", "june", "july", "august", "september", "october",
	    "november", "december" };
	size_t	 i, j;

	for (i = 0; months[i].name != NULL; i++)
		if (tok_eq(p, n, months[i].name))
			return months[i].val;
	if (n < 3)
		return 0;
	for (i = 0; i < 12; i++) {
		if (n > strlen(full[i]))
			continue;
		for (j = 0; j < n; j++)
			if (lower((unsigned char)p[j]) != full[i][j])
				break;
		if (j == n)
			return (int)i + 1;
	}
	return 0;
}

static bool
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static bool
is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Read up to max digits; returns how many were read, 0 for none. */
static int
read_num(const char **sp, int max, int *val)
{
	const char	*s = *sp;
	int		 n = 0, v = 0;

	while (n < max && is_digit((unsigned char)s[n])) {
		v = v * 10 + (s[n] - '0');
		n++;
	}
	*sp = s + n;
	*val = v;
	return n;
}

static int
count_digits(const char *s)
{
	int	 n = 0;

	while (is_digit((unsigned char)s[n]))
		n++;
	return n;
}

static int
two_digit_year(int y)
{
	return y < 50 ? 2000 + y : 1900 + y;
}

/* "+hh", "+hhmm", "+hh:mm", "+hmm"; *sp points at the sign. */
static int
read_offset(const char **sp, int *off)
{
	const char	*s = *sp;
	int		 sign, nd, hh, mm = 0;

	sign = *s == '-' ? -1 : 1;
	s++;
	nd = count_digits(s);
	if (nd == 4 || nd == 3) {
		read_num(&s, nd - 2, &hh);
		read_num(&s, 2, &mm);
	} else if (nd == 1 || nd == 2) {
		read_num(&s, nd, &hh);
		if (*s == ':' && count_digits(s + 1) == 2) {
			s++;
			read_num(&s, 2, &mm);
		}
	} else
		return -1;
	if (hh > 23 || mm > 59)
		return -1;
	*off = sign * (hh * 3600 + mm * 60);
	*sp = s;
	return 0;
}

/* A zone or region name; 0 when known. */
static int
zone_lookup(const char *p, size_t n, struct tm_parts *tp)
{
	size_t	 i;

	for (i = 0; zones[i].name != NULL; i++) {
		if (tok_eq(p, n, zones[i].name)) {
			tp->off = zones[i].val * 60;
			return 0;
		}
	}
	for (i = 0; regions[i].name != NULL; i++) {
		if (tok_eq(p, n, regions[i].name)) {
			tp->rule = regions[i].rule;
			tp->stdoff = regions[i].stdmin * 60;
			return 0;
		}
	}
	/* Military zones: A-I +1..+9, K-M +10..+12, N-Y -1..-12. */
	if (n == 1) {
		int c = lower((unsigned char)*p);

		if (c >= 'a' && c <= 'i')
			tp->off = (c - 'a' + 1) * 3600;
		else if (c >= 'k' && c <= 'm')
			tp->off = (c - 'k' + 10) * 3600;
		else if (c >= 'n' && c <= 'y')
			tp->off = -(c - 'n' + 1) * 3600;
		else
			return -1;
		return 0;
	}
	return -1;
}

/* hh[:mm[:ss[.frac]]] or hhmm[ss]; *sp at the first digit. */
static int
read_time(const char **sp, struct tm_parts *tp, bool compact_ok)
{
	const char	*s = *sp;
	int		 nd;

	nd = count_digits(s);
	if (compact_ok && (nd == 4 || nd == 6)) {
		read_num(&s, 2, &tp->hour);
		read_num(&s, 2, &tp->min);
		if (nd == 6)
			read_num(&s, 2, &tp->sec);
		else
			tp->sec = 0;
		goto frac;
	}
	if (nd < 1 || nd > 2)
		return -1;
	read_num(&s, 2, &tp->hour);
	tp->min = tp->sec = 0;
	if (*s != ':')
		goto done;
	s++;
	if (read_num(&s, 2, &tp->min) != 2)
		return -1;
	if (*s != ':')
		goto done;
	s++;
	if (read_num(&s, 2, &tp->sec) != 2)
		return -1;
 frac:
	/* Fractions of a second are dropped: we keep whole seconds. */
	if ((*s == '.' || *s == ',') && is_digit((unsigned char)s[1])) {
		s++;
		while (is_digit((unsigned char)*s))
			s++;
	}
 done:
	*sp = s;
	return 0;
}

/* Day yday (1-based) of tp->year into tp->mon and tp->day. */
static int
set_ordinal(struct tm_parts *tp, int yday)
{
	if (yday < 1 || yday > (is_leap(tp->year) ? 366 : 365))
		return -1;
	for (tp->mon = 1; yday > month_days(tp->year, tp->mon); tp->mon++)
		yday -= month_days(tp->year, tp->mon);
	tp->day = yday;
	return 0;
}

/* "-YYMM" and "-YY-MM", feedparser's truncated forms. */
static int
iso_truncated(const char **sp, struct tm_parts *tp)
{
	const char	*s = *sp + 1;
	int		 nd, v;

	nd = count_digits(s);
	if (nd == 4) {
		read_num(&s, 2, &v);
		tp->year = two_digit_year(v);
		read_num(&s, 2, &tp->mon);
	} else if (nd == 2 && s[2] == '-' && count_digits(s + 3) == 2) {
		read_num(&s, 2, &v);
		tp->year = two_digit_year(v);
		s++;
		read_num(&s, 2, &tp->mon);
	} else
		return -1;
	tp->day = 1;
	*sp = s;
	return 0;
}

/* "-MM[-DD]", "-DDD" or "-monthname[-DD]" after the year. */
static int
iso_month_day(const char **sp, struct tm_parts *tp)
{
	const char	*s = *sp;
	int		 nd, yday;
	size_t		 n;

	if (*s != '-')
		return 0;
	s++;
	nd = count_digits(s);
	if (nd == 3 && s[3] != '-') {
		read_num(&s, 3, &yday);
		*sp = s;
		return set_ordinal(tp, yday);
	}
	if (nd >= 1 && nd <= 3)
		read_num(&s, nd, &tp->mon);	/* "012" is December too */
	else if (nd == 0) {
		/* A month name ("2004-július-13"). */
		for (n = 0; s[n] != '\0' && s[n] != '-' && !is_space(s[n]) &&
		    !is_digit((unsigned char)s[n]); n++)
			;
		if ((tp->mon = month_lookup(s, n)) == 0)
			return -1;
		s += n;
	} else
		return -1;
	if (*s == '-') {
		s++;
		nd = count_digits(s);
		if (nd != 1 && nd != 2)
			return -1;
		read_num(&s, nd, &tp->day);
	}
	*sp = s;
	return 0;
}

/* The date part of an ISO 8601 string, leaving *sp after it. */
static int
iso_date(const char **sp, struct tm_parts *tp)
{
	const char	*s = *sp;
	int		 v, yday;

	if (*s == '-')
		return iso_truncated(sp, tp);
	switch (count_digits(s)) {
	case 8:		/* YYYYMMDD */
		read_num(&s, 4, &tp->year);
		read_num(&s, 2, &tp->mon);
		read_num(&s, 2, &tp->day);
		break;
	case 7:		/* YYYYDDD */
		read_num(&s, 4, &tp->year);
		read_num(&s, 3, &yday);
		if (set_ordinal(tp, yday) == -1)
			return -1;
		break;
	case 6:		/* YYMMDD */
		read_num(&s, 2, &v);
		tp->year = two_digit_year(v);
		read_num(&s, 2, &tp->mon);
		read_num(&s, 2, &tp->day);
		break;
	case 5:		/* YYDDD */
		read_num(&s, 2, &v);
		tp->year = two_digit_year(v);
		read_num(&s, 3, &yday);
		if (set_ordinal(tp, yday) == -1)
			return -1;
		break;
	case 4:
	case 2:
		if (s[2] != '-' && count_digits(s) == 2)
			return -1;
		if (count_digits(s) == 4)
			read_num(&s, 4, &tp->year);
		else {
			read_num(&s, 2, &v);
			tp->year = two_digit_year(v);
		}
		tp->mon = tp->day = 1;
		if (iso_month_day(&s, tp) == -1)
			return -1;
		break;
	default:
		return -1;
	}
	*sp = s;
	return 0;
}

/*
 * ISO 8601 shapes, including the truncated and two-digit-year ones
 * feedparser accepts ("-0312", "031231", "03335").
 */
static int
parse_iso(const char *s, struct tm_parts *tp)
{
	size_t	 n;

	if (iso_date(&s, tp) == -1)
		return -1;
	tp->hour = tp->min = tp->sec = 0;
	if (*s == '\0')
		return 0;
	if (*s == 'T' || *s == 't' || *s == ' ') {
		s++;
		while (*s == ' ')
			s++;
		if (!is_digit((unsigned char)*s))
			return -1;
		if (read_time(&s, tp, true) == -1)
			return -1;
	}
	while (*s == ' ')
		s++;
	if (*s == '\0')
		return 0;
	if (*s == 'Z' || *s == 'z') {
		tp->off = 0;
		s++;
	} else if (*s == '+' || *s == '-') {
		if (read_offset(&s, &tp->off) == -1)
			return -1;
	} else {
		for (n = 0; s[n] != '\0' && !is_space(s[n]); n++)
			;
		if (zone_lookup(s, n, tp) == -1)
			return -1;
		s += n;
		if ((*s == '+' || *s == '-') && read_offset(&s, &tp->off) == -1)
			return -1;
	}
	while (is_space(*s))
		s++;
	return *s == '\0' ? 0 : -1;
}

static bool
is_word_byte(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80 ||
	    c == '/' || c == '_';
}

/* A word of the free-form reader. */
static int
scan_word(const char *w, size_t n, struct tm_parts *tp)
{
	size_t	 i;
	int	 m;

	for (i = 0; daynames[i] != NULL; i++)
		if (n >= 3 && strncmp(w, daynames[i], strlen(daynames[i])) == 0)
			return 0;
	for (i = 0; daynames[i] != NULL && i < 7; i++)
		if (n >= 3 && lower((unsigned char)w[0]) == daynames[i][0] &&
		    tok_eq(w, 3, daynames[i]))
			return 0;
	if ((m = month_lookup(w, n)) != 0) {
		if (tp->mon != NOTSET)
			return -1;
		tp->mon = m;
		return 0;
	}
	if (tok_eq(w, n, "am") || tok_eq(w, n, "a.m")) {
		tp->ampm = 1;
		return 0;
	}
	if (tok_eq(w, n, "pm") || tok_eq(w, n, "p.m")) {
		tp->ampm = 2;
		return 0;
	}
	if (n == 6 && memcmp(w, "오전", 6) == 0) {
		tp->ampm = 1;
		tp->korean = true;
		return 0;
	}
	if (n == 6 && memcmp(w, "오후", 6) == 0) {
		tp->ampm = 2;
		tp->korean = true;
		return 0;
	}
	if (zone_lookup(w, n, tp) == 0)
		return 0;
	/* Ordinal suffixes and filler words ("th", "of", "at") are noise. */
	if (n <= 2 || tok_eq(w, n, "of"))
		return 0;
	return -1;
}

/* Korean date units directly after a number: 년 (year) 월 (month) 일 (day). */
static int
korean_unit(const char **sp, int v, int nd, struct tm_parts *tp)
{
	const char	*s = *sp;

	if (strncmp(s, "년", 3) == 0)
		tp->year = nd == 2 ? two_digit_year(v) : v;
	else if (strncmp(s, "월", 3) == 0)
		tp->mon = v;
	else if (strncmp(s, "일", 3) == 0)
		tp->day = v;
	else
		return 0;
	tp->korean = true;
	*sp = s + 3;
	return 1;
}

/* a/b/c or a-b-c dates. */
static int
scan_numeric_date(const char **sp, struct tm_parts *tp)
{
	const char	*s = *sp;
	char		 sep;
	int		 a, b, c, na, nc;

	na = read_num(&s, 4, &a);
	sep = *s++;
	if (read_num(&s, 2, &b) == 0 || *s != sep)
		return -1;
	s++;
	if ((nc = read_num(&s, 4, &c)) == 0)
		return -1;
	if (na == 4) {
		tp->year = a;
		tp->mon = b;
		tp->day = c;
	} else {
		/* d/m/y when the first can't be a month, else m/d/y */
		tp->year = nc == 2 ? two_digit_year(c) : c;
		tp->mon = a > 12 ? b : a;
		tp->day = a > 12 ? a : b;
	}
	*sp = s;
	return 0;
}

/* RFC 822 and anything else made of words, numbers and a time. */
static int
parse_free(const char *s, struct tm_parts *tp)
{
	const char	*w;
	int		 v, nd;
	bool		 have_time = false, first = true, was_first;

	for (;;) {
		while (is_space(*s) || *s == ',' || *s == '.')
			s++;
		if (*s == '\0')
			break;
		was_first = first;
		first = false;
		if ((*s == '+' || *s == '-') && is_digit((unsigned char)s[1])) {
			if (read_offset(&s, &tp->off) == -1)
				return -1;
		} else if (is_digit((unsigned char)*s)) {
			nd = count_digits(s);
			if (s[nd] == ':') {
				if (have_time || read_time(&s, tp, false) == -1)
					return -1;
				have_time = true;
				continue;
			}
			if ((s[nd] == '/' || s[nd] == '-') &&
			    is_digit((unsigned char)s[nd + 1])) {
				if (tp->year != NOTSET ||
				    scan_numeric_date(&s, tp) == -1)
					return -1;
				continue;
			}
			if (nd > 4)
				return -1;
			read_num(&s, nd, &v);
			if (korean_unit(&s, v, nd, tp))
				continue;
			if (nd >= 3 && tp->year == NOTSET)
				tp->year = v;
			else if (tp->day == NOTSET && nd <= 2)
				tp->day = v;
			else if (tp->year == NOTSET)
				tp->year = two_digit_year(v);
			else
				return -1;
		} else if (is_word_byte((unsigned char)*s)) {
			w = s;
			while (is_word_byte((unsigned char)*s) ||
			    (*s == '.' && s - w == 1))
				s++;
			/* "X00:00" is not a zone and a time */
			if (is_digit((unsigned char)*s))
				return -1;
			/* A leading word before a comma is a day name, in
			 * whatever language ("mer, 16 nov 2022"). */
			if (was_first && *s == ',')
				continue;
			if (scan_word(w, (size_t)(s - w), tp) == -1)
				return -1;
		} else
			return -1;
	}
	if (tp->year == NOTSET || tp->mon == NOTSET || tp->day == NOTSET)
		return -1;
	if (!have_time)
		tp->hour = tp->min = tp->sec = 0;
	if (tp->ampm != 0) {
		if (tp->hour < 1 || tp->hour > 12)
			return -1;
		if (tp->ampm == 1 && tp->hour == 12)
			tp->hour = 0;
		else if (tp->ampm == 2 && tp->hour < 12)
			tp->hour += 12;
	}
	if (tp->off == NOTSET && tp->rule == RULE_NONE && tp->korean)
		tp->off = 9 * 3600;
	return 0;
}

int
date_parse(const char *s, int64_t *t)
{
	struct tm_parts	 tp;
	int64_t		 days;
	int		 off;

	if (s == NULL)
		return -1;
	while (is_space(*s))
		s++;
	if (*s == '\0')
		return -1;
	memset(&tp, 0, sizeof(tp));
	tp.year = tp.mon = tp.day = NOTSET;
	tp.off = NOTSET;
	if (parse_iso(s, &tp) == -1) {
		memset(&tp, 0, sizeof(tp));
		tp.year = tp.mon = tp.day = NOTSET;
		tp.off = NOTSET;
		if (parse_free(s, &tp) == -1)
			return -1;
	}
	if (tp.year < 0 || tp.year > 9999 || tp.mon < 1 || tp.mon > 12 ||
	    tp.day < 1 || tp.day > month_days(tp.year, tp.mon))
		return -1;
	if (tp.hour < 0 || tp.hour > 23 || tp.min < 0 || tp.min > 59 ||
	    tp.sec < 0 || tp.sec > 60)
		return -1;
	if (tp.off != NOTSET)
		off = tp.off;
	else if (tp.rule != RULE_NONE)
		off = tp.stdoff +
		    (rule_dst(tp.rule, tp.year, tp.mon, tp.day) ? 3600 : 0);
	else
		off = 0;	/* no zone: UTC, as RFC 3339 readers agree */
	days = days_from_civil(tp.year, tp.mon, tp.day);
	*t = days * 86400 + tp.hour * 3600 + tp.min * 60 + tp.sec - off;
	return 0;
}

int
date_format(int64_t t, char *buf, size_t len)
{
	int64_t	 days, secs, y;
	int	 m, d, n;

	/* Keep the arithmetic far from overflow: years 0..9999 and a bit. */
	if (t < -62167219200LL - 86400LL * 366 ||
	    t > 253402300799LL + 86400LL * 366)
		return -1;
	days = t / 86400;
	secs = t % 86400;
	if (secs < 0) {
		secs += 86400;
		days--;
	}
	civil_from_days(days, &y, &m, &d);
	n = snprintf(buf, len, "%04lld-%02d-%02dT%02d:%02d:%02dZ",
	    (long long)y, m, d, (int)(secs / 3600), (int)(secs / 60 % 60),
	    (int)(secs % 60));
	if (n < 0 || (size_t)n >= len)
		return -1;
	return 0;
}
