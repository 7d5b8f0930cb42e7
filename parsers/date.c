/*
 * date: the date formats feeds really use, converted to UTC.
 *
 * Two readers: a strict one for ISO 8601 / RFC 3339 / W3C-DTF shapes and a
 * token scanner for everything else (RFC 822 and its many deviations,
 * asctime, RFC 850, JavaScript's Date.toString, Drupal's "Friday, December
 * 22, 2017 - 3:09pm", numeric dates, month and day names in nine
 * languages), and before both a bare Unix time.  None depends on the
 * locale or the TZ variable: the calendar arithmetic, the few IANA zones we
 * know and their daylight saving rules are here.  What does not read as
 * one date is no date: the caller gets -1, never a guess.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <utf8proc.h>

#include "parsers/date.h"

#define NOTSET	INT32_MIN
#define FOLD_MAX	64	/* a folded word, a month's or a day's name */
#define DATE_MAX	128	/* a date before a trailing comment */

struct tm_parts {
	int	 year, mon, day;
	int	 hour, min, sec;
	int	 off;		/* seconds east of UTC, NOTSET when no zone */
	int	 ampm;		/* 0 none, 1 am, 2 pm */
	int	 rule;		/* DST rule of a named region, see rule_dst */
	int	 stdoff;	/* its standard offset, seconds */
	int	 pmon;		/* month of a leading day-or-month word, or 0 */
	bool	 have_time;
	bool	 have_zone;	/* a zone's name was read */
	bool	 have_off;	/* a numeric offset was read on its own */
	bool	 dashed;	/* the " - " between date and time was read */
	bool	 korean;	/* Korean words seen: KST unless told */
};

enum { RULE_NONE, RULE_US, RULE_EU };

struct name_val {
	const char	*name;
	int		 val;
};

/*
 * Month names as fold_word writes them (case folded, accents stripped):
 * English, French, German, Spanish, Italian, Portuguese, Dutch, Hungarian
 * and Greek (nominative and genitive), then abbreviations that are not the
 * start of a name.  A word is a month when it is one of these, or the
 * first three letters or more of names that all say the same month:
 * "sept", "juil.", "déc", "Mär" and "febr" are, "jui" (juin, juillet) is
 * not.
 */
static const struct name_val months[] = {
	{ "january", 1 }, { "february", 2 }, { "march", 3 }, { "april", 4 },
	{ "may", 5 }, { "june", 6 }, { "july", 7 }, { "august", 8 },
	{ "september", 9 }, { "october", 10 }, { "november", 11 },
	{ "december", 12 },
	/* French */
	{ "janvier", 1 }, { "fevrier", 2 }, { "mars", 3 }, { "avril", 4 },
	{ "mai", 5 }, { "juin", 6 }, { "juillet", 7 }, { "aout", 8 },
	{ "septembre", 9 }, { "octobre", 10 }, { "novembre", 11 },
	{ "decembre", 12 },
	/* German (and Austria's Jänner) */
	{ "januar", 1 }, { "janner", 1 }, { "februar", 2 }, { "marz", 3 },
	{ "juni", 6 }, { "juli", 7 }, { "oktober", 10 }, { "dezember", 12 },
	/* Spanish */
	{ "enero", 1 }, { "febrero", 2 }, { "marzo", 3 }, { "abril", 4 },
	{ "mayo", 5 }, { "junio", 6 }, { "julio", 7 }, { "agosto", 8 },
	{ "septiembre", 9 }, { "setiembre", 9 }, { "octubre", 10 },
	{ "noviembre", 11 }, { "diciembre", 12 },
	/* Italian */
	{ "gennaio", 1 }, { "febbraio", 2 }, { "aprile", 4 }, { "maggio", 5 },
	{ "giugno", 6 }, { "luglio", 7 }, { "settembre", 9 },
	{ "ottobre", 10 }, { "dicembre", 12 },
	/* Portuguese */
	{ "janeiro", 1 }, { "fevereiro", 2 }, { "marco", 3 }, { "maio", 5 },
	{ "junho", 6 }, { "julho", 7 }, { "setembro", 9 }, { "outubro", 10 },
	{ "novembro", 11 }, { "dezembro", 12 },
	/* Dutch */
	{ "januari", 1 }, { "februari", 2 }, { "maart", 3 }, { "mei", 5 },
	{ "augustus", 8 },
	/* Hungarian, as feedparser knows them */
	{ "marcius", 3 }, { "aprilis", 4 }, { "majus", 5 }, { "junius", 6 },
	{ "julius", 7 }, { "augusztus", 8 }, { "szeptember", 9 },
	/* Greek */
	{ "ιανουαριοσ", 1 }, { "ιανουαριου", 1 }, { "φεβρουαριοσ", 2 },
	{ "φεβρουαριου", 2 }, { "μαρτιοσ", 3 }, { "μαρτιου", 3 },
	{ "απριλιοσ", 4 }, { "απριλιου", 4 }, { "μαιοσ", 5 }, { "μαιου", 5 },
	{ "ιουνιοσ", 6 }, { "ιουνιου", 6 }, { "ιουλιοσ", 7 }, { "ιουλιου", 7 },
	{ "αυγουστοσ", 8 }, { "αυγουστου", 8 }, { "σεπτεμβριοσ", 9 },
	{ "σεπτεμβριου", 9 }, { "οκτωβριοσ", 10 }, { "οκτωβριου", 10 },
	{ "νοεμβριοσ", 11 }, { "νοεμβριου", 11 }, { "δεκεμβριοσ", 12 },
	{ "δεκεμβριου", 12 },
	/* abbreviations of their own: Dutch, German, Greek */
	{ "mrt", 3 }, { "mrz", 3 }, { "μαω", 3 }, { "ιον", 6 }, { "ιολ", 7 },
	{ NULL, 0 }
};

/*
 * Day names, folded as above, in the same languages.  The first word of a
 * date is a day name when it is one of these or the start (two letters or
 * more) of one: "Lundi", "mer.", "Do", "sáb", "segunda-feira", "Κυρ".
 */
static const char *const daynames[] = {
	"monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
	"sunday",
	"lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
	"montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag",
	"sonnabend", "sonntag",
	"lunes", "martes", "miercoles", "jueves", "viernes", "sabado",
	"domingo",
	"lunedi", "martedi", "mercoledi", "giovedi", "venerdi", "sabato",
	"domenica",
	"segunda-feira", "terca-feira", "quarta-feira", "quinta-feira",
	"sexta-feira",
	"maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag",
	"zondag",
	"hetfo", "kedd", "szerda", "csutortok", "pentek", "szombat",
	"vasarnap",
	"κυριακη", "δευτερα", "τριτη", "τεταρτη", "πεμπτη", "παρασκευη",
	"σαββατο",
	NULL
};

/*
 * Day names skipped wherever they stand: a word starting with an English
 * or Greek abbreviation ("Thurs", "Weds", "Sunday"); none starts a month.
 */
static const char *const dayabbrevs[] = {
	"mon", "tue", "wed", "thu", "fri", "sat", "sun",
	"κυρ", "δευ", "τρι", "τετ", "πεμ", "παρ", "σαβ",
	NULL
};

/* Offsets in minutes east of UTC. */
static const struct name_val zones[] = {
	{ "ut", 0 }, { "utc", 0 }, { "gmt", 0 }, { "z", 0 }, { "wet", 0 },
	{ "etc/gmt", 0 }, { "etc/utc", 0 }, { "zulu", 0 },
	{ "etc/universal", 0 }, { "etc/zulu", 0 }, { "etc/greenwich", 0 },
	{ "universal", 0 }, { "greenwich", 0 },
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

/*
 * IANA zone names, from a table rather than the system's zoneinfo: a
 * parser that opens files named by a feed, and answers that change with
 * the machine's tzdata, is not worth the few feeds that write them.  Only
 * zones whose rules have held since 1996 are here: the US rule
 * (1987 on) and the EU rule (1996 on) for the regions that follow them,
 * a fixed offset for those without daylight saving time.  A zone not
 * listed (Europe/Moscow, Australia/Sydney ...) leaves the date unread.
 */
static const struct {
	int		 stdmin;	/* standard offset, minutes east */
	int		 rule;
	const char	*names;	/* separated by spaces */
} regions[] = {
	{ -300, RULE_US, "america/new_york us/eastern america/detroit "
	    "america/toronto america/montreal canada/eastern "
	    "est5edt" },
	{ -360, RULE_US, "america/chicago us/central america/winnipeg "
	    "canada/central cst6cdt" },
	{ -420, RULE_US, "america/denver us/mountain america/edmonton "
	    "america/boise canada/mountain mst7mdt" },
	{ -480, RULE_US, "america/los_angeles us/pacific america/vancouver "
	    "canada/pacific pst8pdt" },
	{ -540, RULE_US, "america/anchorage us/alaska" },
	{ -240, RULE_US, "america/halifax canada/atlantic" },
	{ -210, RULE_US, "america/st_johns canada/newfoundland" },
	{ -420, RULE_NONE, "america/phoenix us/arizona" },
	{ -360, RULE_NONE, "america/regina" },
	{ -240, RULE_NONE, "america/puerto_rico" },
	{ -300, RULE_NONE, "america/panama america/bogota america/lima" },
	{ -600, RULE_NONE, "pacific/honolulu us/hawaii" },
	{ 0, RULE_EU, "europe/london europe/dublin europe/lisbon "
	    "europe/guernsey europe/jersey europe/isle_of_man "
	    "atlantic/canary atlantic/madeira atlantic/faroe gb" },
	{ 60, RULE_EU, "europe/amsterdam europe/andorra europe/belgrade "
	    "europe/berlin europe/bratislava europe/brussels "
	    "europe/budapest europe/copenhagen europe/gibraltar "
	    "europe/ljubljana europe/luxembourg europe/madrid "
	    "europe/malta europe/monaco europe/oslo "
	    "europe/paris europe/podgorica europe/prague "
	    "europe/rome europe/san_marino europe/sarajevo "
	    "europe/skopje europe/stockholm europe/tirane "
	    "europe/vaduz europe/vatican europe/vienna "
	    "europe/warsaw europe/zagreb europe/zurich "
	    "africa/ceuta arctic/longyearbyen" },
	{ 120, RULE_EU, "europe/athens europe/bucharest europe/helsinki "
	    "europe/kiev europe/kyiv europe/mariehamn "
	    "europe/riga europe/sofia europe/tallinn "
	    "europe/vilnius asia/nicosia europe/nicosia" },
	{ 0, RULE_NONE, "atlantic/reykjavik africa/abidjan africa/accra" },
	{ 60, RULE_NONE, "africa/lagos" },
	{ 120, RULE_NONE, "africa/johannesburg" },
	{ 180, RULE_NONE, "africa/nairobi asia/riyadh asia/qatar" },
	{ 240, RULE_NONE, "asia/dubai" },
	{ 330, RULE_NONE, "asia/kolkata asia/calcutta" },
	{ 345, RULE_NONE, "asia/kathmandu" },
	{ 420, RULE_NONE, "asia/bangkok asia/jakarta asia/ho_chi_minh "
	    "asia/saigon" },
	{ 480, RULE_NONE, "asia/shanghai asia/hong_kong asia/taipei "
	    "asia/singapore asia/manila asia/kuala_lumpur" },
	{ 540, RULE_NONE, "asia/tokyo asia/seoul" },
	{ 600, RULE_NONE, "australia/brisbane" },
	{ 0, 0, NULL }
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
 * Whether daylight saving time is in force at a region's local time.  US:
 * from 02:00 on the second Sunday of March to 02:00 on the first Sunday of
 * November (2007 on; before, the first Sunday of April to the last of
 * October).  EU: from 01:00 UTC on the last Sunday of March to 01:00 UTC
 * on the last Sunday of October.  A time in the hour that repeats in the
 * autumn is taken as the first, still in summer time.
 */
static bool
rule_dst(const struct tm_parts *tp)
{
	int	 y = tp->year, m = tp->mon, d = tp->day;
	int	 sm, sd, em, ed, smin, emin, mins;

	mins = tp->hour * 60 + tp->min;
	if (tp->rule == RULE_US && y >= 2007) {
		sm = 3, sd = nth_sunday(y, 3, 2);
		em = 11, ed = nth_sunday(y, 11, 1);
		smin = emin = 120;
	} else if (tp->rule == RULE_US) {
		sm = 4, sd = nth_sunday(y, 4, 1);
		em = 10, ed = nth_sunday(y, 10, 0);
		smin = emin = 120;
	} else if (tp->rule == RULE_EU) {
		sm = 3, sd = nth_sunday(y, 3, 0);
		em = 10, ed = nth_sunday(y, 10, 0);
		/* 01:00 UTC in local standard time, then in summer time */
		smin = 60 + tp->stdoff / 60;
		emin = smin + 60;
	} else
		return false;
	if (m < sm || m > em)
		return false;
	if (m > sm && m < em)
		return true;
	if (m == sm)
		return d > sd || (d == sd && mins >= smin);
	return d < ed || (d == ed && mins < emin);
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

/*
 * Word w folded for comparison with the tables: Unicode case folding
 * without accents or other marks ("Mär" is "mar", "DÉC." "dec.", "Μάι"
 * "μαι").  Returns its length in out, or 0 when it is not UTF-8 or does
 * not fit (no month or day name is that long).
 */
static size_t
fold_word(const char *w, size_t n, char *out, size_t outlen)
{
	utf8proc_int32_t	 cp, dec[8];
	utf8proc_ssize_t	 len, nd, i;
	size_t			 o = 0;
	int			 bound = 0;

	while (n > 0) {
		if ((unsigned char)*w < 0x80) {
			if (outlen - o < 2)
				return 0;
			out[o++] = (char)lower((unsigned char)*w++);
			n--;
			continue;
		}
		len = utf8proc_iterate((const utf8proc_uint8_t *)w,
		    n > 4 ? 4 : (utf8proc_ssize_t)n, &cp);
		if (len <= 0)
			return 0;
		w += len;
		n -= (size_t)len;
		nd = utf8proc_decompose_char(cp, dec, 8, UTF8PROC_CASEFOLD |
		    UTF8PROC_DECOMPOSE | UTF8PROC_STRIPMARK, &bound);
		if (nd < 0 || nd > 8)
			return 0;
		for (i = 0; i < nd; i++) {
			/* four bytes at most, and the NUL */
			if (outlen - o < 5)
				return 0;
			o += (size_t)utf8proc_encode_char(dec[i],
			    (utf8proc_uint8_t *)out + o);
		}
	}
	out[o] = '\0';
	return o;
}

/* Characters (not bytes) in UTF-8 text. */
static size_t
utf8_chars(const char *s)
{
	size_t	 n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

/* Whether folded word f is the start of name (or all of it). */
static bool
starts(const char *name, const char *f, size_t fn)
{
	/* the first byte alone settles most of them, and cheaply */
	return name[0] == f[0] && strncmp(name, f, fn) == 0;
}

/* The month of folded word f (see months), or 0. */
static int
month_folded(const char *f, size_t fn)
{
	size_t	 i;
	int	 m = 0;
	bool	 two = false, abbrev;

	abbrev = utf8_chars(f) >= 3;
	for (i = 0; months[i].name != NULL; i++) {
		if (!starts(months[i].name, f, fn))
			continue;
		if (months[i].name[fn] == '\0')
			return months[i].val;
		if (m != 0 && m != months[i].val)
			two = true;	/* "jui": juin or juillet */
		m = months[i].val;
	}
	return abbrev && !two ? m : 0;
}

static int
month_lookup(const char *w, size_t n)
{
	char	 f[FOLD_MAX];
	size_t	 fn;

	if ((fn = fold_word(w, n, f, sizeof(f))) == 0)
		return 0;
	return month_folded(f, fn);
}

/* A day name that is one wherever it stands (see dayabbrevs). */
static bool
dayabbrev_folded(const char *f)
{
	size_t	 i;

	for (i = 0; dayabbrevs[i] != NULL; i++)
		if (starts(f, dayabbrevs[i], strlen(dayabbrevs[i])))
			return true;
	return false;
}

/* A day name in any language we know (see daynames). */
static bool
day_folded(const char *f, size_t fn)
{
	size_t	 i;

	if (dayabbrev_folded(f))
		return true;
	if (utf8_chars(f) < 2)
		return false;
	for (i = 0; daynames[i] != NULL; i++)
		if (starts(daynames[i], f, fn))
			return true;
	return false;
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

/* Whether the token is one of the names of a space-separated list. */
static bool
in_list(const char *list, const char *p, size_t n)
{
	size_t	 m, i;

	while (*list != '\0') {
		m = strcspn(list, " ");
		for (i = 0; m == n && i < n; i++)
			if (lower((unsigned char)p[i]) != list[i])
				break;
		if (m == n && i == n)
			return true;
		list += m;
		list += strspn(list, " ");
	}
	return false;
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
	for (i = 0; regions[i].names != NULL; i++) {
		if (!in_list(regions[i].names, p, n))
			continue;
		if (regions[i].rule == RULE_NONE)
			tp->off = regions[i].stdmin * 60;
		tp->rule = regions[i].rule;
		tp->stdoff = regions[i].stdmin * 60;
		return 0;
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

static bool
is_word_byte(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80 ||
	    c == '/' || c == '_';
}

static bool
is_sign_digit(const char *s)
{
	return (*s == '+' || *s == '-') && is_digit((unsigned char)s[1]);
}

/*
 * The zone named by word w, and an offset written against it ("GMT+2",
 * "UTC-05:00"), which wins; POSIX's Etc/GMT+5 is five hours west.  *sp
 * is just after w.  Returns 0, 1 when w names no zone, -1 for a second
 * one: "Dec x 2012 11:47:32 GMT" is not read.
 */
static int
zone_word(const char *w, size_t n, const char **sp, struct tm_parts *tp)
{
	struct tm_parts	 z = *tp;
	const char	*s = *sp;

	if (zone_lookup(w, n, &z) == -1)
		return 1;
	if (tp->have_zone)
		return -1;
	if (is_sign_digit(s)) {
		if (read_offset(&s, &z.off) == -1)
			return -1;
		if (tok_eq(w, n, "etc/gmt"))
			z.off = -z.off;
	}
	*tp = z;
	tp->have_zone = true;
	*sp = s;
	return 0;
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
		/* the day stays unset when not given: see parse_iso */
		tp->mon = 1;
		tp->day = NOTSET;
		if (iso_month_day(&s, tp) == -1)
			return -1;
		break;
	default:
		return -1;
	}
	*sp = s;
	return 0;
}

/* XML Schema's offset of a date without a time: "+hh:mm". */
static bool
is_xsd_offset(const char *s)
{
	return count_digits(s + 1) == 2 && s[3] == ':' &&
	    count_digits(s + 4) == 2;
}

/* After an ISO 8601 date and time: a zone, "Z", an offset or nothing. */
static int
iso_zone(const char *s, bool timed, struct tm_parts *tp)
{
	const char	*w;

	while (*s == ' ')
		s++;
	if (*s == '\0')
		return 0;
	if (*s == 'Z' || *s == 'z') {
		tp->off = 0;
		s++;
	} else if (*s == '+' || *s == '-') {
		/* "2013-01-27-01" is no date with a zone */
		if (!timed && !is_xsd_offset(s))
			return -1;
		if (read_offset(&s, &tp->off) == -1)
			return -1;
		/* "16:20:00-05:00Z": the offset, then a stray Z */
		if (*s == 'Z' || *s == 'z')
			s++;
	} else {
		for (w = s; is_word_byte((unsigned char)*s); s++)
			;
		if (zone_word(w, (size_t)(s - w), &s, tp) != 0)
			return -1;
	}
	while (is_space(*s))
		s++;
	return *s == '\0' ? 0 : -1;
}

/*
 * ISO 8601 shapes, including the truncated and two-digit-year ones
 * feedparser accepts ("-0312", "031231", "03335").
 */
static int
parse_iso(const char *s, struct tm_parts *tp)
{
	bool	 timed = false, partial;

	if (iso_date(&s, tp) == -1)
		return -1;
	/* "2003", "2003-12": the first day, and no time ("2020 16:29") */
	if ((partial = tp->day == NOTSET))
		tp->day = 1;
	tp->hour = tp->min = tp->sec = 0;
	if (*s == '\0')
		return 0;
	if (*s == 'T' || *s == 't' || *s == ' ') {
		s++;
		while (*s == ' ')
			s++;
		if (partial || !is_digit((unsigned char)*s))
			return -1;
		if (read_time(&s, tp, true) == -1)
			return -1;
		timed = true;
	}
	return iso_zone(s, timed, tp);
}

static bool
is_letter(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
}

/* A word of the free-form reader that is not its first. */
static int
scan_word(const char *w, size_t n, const char **sp, struct tm_parts *tp)
{
	char	 f[FOLD_MAX];
	size_t	 fn;
	int	 m, r;

	fn = fold_word(w, n, f, sizeof(f));
	if (fn > 0 && dayabbrev_folded(f))
		return 0;
	if (fn > 0 && (m = month_folded(f, fn)) != 0) {
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
	/* "June 22, 2023 at 01:11 PM": Atlantic time only after a time */
	if (tok_eq(w, n, "at") && !tp->have_time)
		return 0;
	if ((r = zone_word(w, n, sp, tp)) != 1)
		return r;
	/* Ordinal suffixes and filler words ("th", "of", "de", "à", "Uhr")
	 * are noise. */
	if (n <= 2 || tok_eq(w, n, "of") || tok_eq(w, n, "uhr"))
		return 0;
	return -1;
}

/*
 * The first word of a date is a day name when it is one in a language we
 * know (see daynames), and skipped; so is any word before a comma, in
 * whatever language ("Lundi, 16. Novembre", "ven., 03 juil.", "pon., 12
 * lis"), unless it is a month ("December, 2020").  A word that is both
 * ("mar" is mardi and March, "sze" szerda and szeptember) is kept aside:
 * it is the month only when no other comes, so "Mar 5 2020" is in March
 * and "mar., 01 déc. 2020" in December.
 */
static bool
leading_day(const char *w, size_t n, const char *after, struct tm_parts *tp)
{
	char	 f[FOLD_MAX];
	size_t	 fn;
	bool	 day = false, comma;
	int	 mon = 0;

	if ((fn = fold_word(w, n, f, sizeof(f))) > 0) {
		day = day_folded(f, fn);
		mon = month_folded(f, fn);
	}
	if (*after == '.')
		after++;
	comma = *after == ',';
	if (!day && !(comma && mon == 0))
		return false;
	if (day && mon != 0)
		tp->pmon = mon;
	return true;
}

/* A run of letters (a hyphen inside: "segunda-feira"), then what it is. */
static int
scan_alpha(const char **sp, struct tm_parts *tp, bool first)
{
	const char	*s = *sp, *w = s;
	size_t		 n;

	while (is_word_byte((unsigned char)*s) ||
	    (*s == '.' && s - w == 1) ||
	    (*s == '-' && s > w && is_letter((unsigned char)s[-1]) &&
	    is_letter((unsigned char)s[1])))
		s++;
	n = (size_t)(s - w);
	/* "X00:00" is not a zone and a time */
	if (is_digit((unsigned char)*s))
		return -1;
	*sp = s;
	if (first && leading_day(w, n, s, tp))
		return 0;
	return scan_word(w, n, sp, tp);
}

/*
 * Korean date units directly after a number: 년 (year) 월 (month) 일 (day).
 * Returns 1 when one was read, 0 for none, -1 for a field read twice.
 */
static int
korean_unit(const char **sp, int v, int nd, struct tm_parts *tp)
{
	const char	*s = *sp;
	int		*field;

	if (strncmp(s, "년", 3) == 0) {
		field = &tp->year;
		v = nd == 2 ? two_digit_year(v) : v;
	} else if (strncmp(s, "월", 3) == 0)
		field = &tp->mon;
	else if (strncmp(s, "일", 3) == 0)
		field = &tp->day;
	else
		return 0;
	if (*field != NOTSET)
		return -1;
	*field = v;
	tp->korean = true;
	*sp = s + 3;
	return 1;
}

static bool
date_started(const struct tm_parts *tp)
{
	return tp->year != NOTSET || tp->mon != NOTSET || tp->day != NOTSET;
}

/*
 * a/b/c, a-b-c and a.b.c dates.  A four-digit first number is the year
 * (y/m/d); else the year is last, in two digits or four.  Dots are
 * European, day first (30.10.23); slashes and dashes are read month first,
 * as US sites (and Drupal's "03/30/2020 - 19:19") write them, unless the
 * first number cannot be a month (26/06/2020).
 */
static int
scan_numeric_date(const char **sp, struct tm_parts *tp)
{
	const char	*s = *sp;
	char		 sep;
	int		 a, b, c, na, nc;

	if (date_started(tp))
		return -1;
	na = read_num(&s, 4, &a);
	sep = *s++;
	if (read_num(&s, 2, &b) == 0 || *s != sep)
		return -1;
	s++;
	nc = read_num(&s, 4, &c);
	if (is_digit((unsigned char)*s))
		return -1;
	if (na == 4 && (nc == 1 || nc == 2)) {
		tp->year = a;
		tp->mon = b;
		tp->day = c;
	} else if (na <= 2 && (nc == 2 || nc == 4)) {
		tp->year = nc == 2 ? two_digit_year(c) : c;
		tp->mon = sep == '.' || a > 12 ? b : a;
		tp->day = sep == '.' || a > 12 ? a : b;
	} else
		return -1;
	*sp = s;
	return 0;
}

/* dd-Mon-yy: RFC 850's date, which HTTP still allows. */
static int
scan_rfc850(const char **sp, struct tm_parts *tp)
{
	const char	*s = *sp, *w;
	int		 d, y, ny;

	if (date_started(tp))
		return -1;
	if (read_num(&s, 2, &d) == 0 || *s++ != '-')
		return -1;
	for (w = s; is_letter((unsigned char)*s); s++)
		;
	if ((tp->mon = month_lookup(w, (size_t)(s - w))) == 0 || *s++ != '-')
		return -1;
	ny = read_num(&s, 4, &y);
	if ((ny != 2 && ny != 4) || is_digit((unsigned char)*s))
		return -1;
	tp->day = d;
	tp->year = ny == 2 ? two_digit_year(y) : y;
	*sp = s;
	return 0;
}

/* A four-digit year next, alone ("11 04 2020 08:51"). */
static bool
year_follows(const char *s)
{
	while (is_space(*s))
		s++;
	return count_digits(s) == 4 &&
	    (s[4] == '\0' || s[4] == ',' || is_space(s[4]));
}

/*
 * A number on its own: a year of four digits, else the day, then
 * the month if a four-digit year follows ("Sat, 11 04 2020": RFC 822's
 * order with the month's number for its name), else a two-digit year.
 */
static int
scan_number(const char **sp, struct tm_parts *tp)
{
	const char	*s = *sp;
	int		 v, nd, r;

	nd = count_digits(s);
	if (nd > 4)
		return -1;
	read_num(&s, nd, &v);
	*sp = s;
	if ((r = korean_unit(sp, v, nd, tp)) != 0)
		return r == 1 ? 0 : -1;
	if (nd == 3)
		return -1;
	if (nd == 4) {
		if (tp->year != NOTSET)
			return -1;
		tp->year = v;
	} else if (tp->day == NOTSET)
		tp->day = v;
	else if (tp->mon == NOTSET && year_follows(s))
		tp->mon = v;
	else if (tp->year == NOTSET)
		tp->year = two_digit_year(v);
	else
		return -1;
	return 0;
}

/* What starts with a digit: a time, a numeric date or a number. */
static int
scan_digits(const char **sp, struct tm_parts *tp)
{
	const char	*s = *sp;
	int		 nd;

	nd = count_digits(s);
	if (s[nd] == ':') {
		/* one time, before any zone */
		if (tp->have_time || tp->have_zone || tp->have_off ||
		    read_time(sp, tp, false) == -1)
			return -1;
		tp->have_time = true;
		return 0;
	}
	if ((s[nd] == '/' || s[nd] == '-' || s[nd] == '.') &&
	    is_digit((unsigned char)s[nd + 1]))
		return scan_numeric_date(sp, tp);
	if (s[nd] == '-' && is_letter((unsigned char)s[nd + 1]))
		return scan_rfc850(sp, tp);
	return scan_number(sp, tp);
}

/* One token of the free-form reader. */
static int
scan_token(const char **sp, struct tm_parts *tp, bool first)
{
	const char	*s = *sp;

	if (is_sign_digit(s)) {
		/* An offset, once, not first; against what it follows only
		 * after a time: "2013-01-27-01" is no date with a zone. */
		if (tp->have_off || first ||
		    (!tp->have_time && !is_space(s[-1])))
			return -1;
		tp->have_off = true;
		return read_offset(sp, &tp->off);
	}
	if (*s == '-' && is_space(s[1])) {
		/* "December 22, 2017 - 3:09pm": once, between date and time */
		if (tp->dashed || tp->have_time || tp->have_zone ||
		    tp->have_off || !date_started(tp))
			return -1;
		tp->dashed = true;
		*sp = s + 1;
		return 0;
	}
	if (is_digit((unsigned char)*s))
		return scan_digits(sp, tp);
	if (is_word_byte((unsigned char)*s))
		return scan_alpha(sp, tp, first);
	return -1;
}

/* What the free-form reader found, completed and checked. */
static int
free_finish(struct tm_parts *tp)
{
	if (tp->mon == NOTSET && tp->pmon != 0)
		tp->mon = tp->pmon;
	if (tp->year == NOTSET || tp->mon == NOTSET)
		return -1;
	if (tp->day == NOTSET) {
		/* "Nov. 2020", and nothing more: its first day */
		if (tp->have_time || tp->have_zone || tp->have_off ||
		    tp->ampm != 0)
			return -1;
		tp->day = 1;
	}
	if (tp->dashed && !tp->have_time)
		return -1;
	if (!tp->have_time)
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

/* RFC 822 and anything else made of words, numbers and a time. */
static int
parse_free(const char *s, struct tm_parts *tp)
{
	bool	 first = true;

	for (;;) {
		while (is_space(*s) || *s == ',' || *s == '.')
			s++;
		if (*s == '\0')
			break;
		if (scan_token(&s, tp, first) == -1)
			return -1;
		first = false;
	}
	return free_finish(tp);
}

/* A bare number of 9 to 11 digits: seconds since the epoch. */
static int
parse_unix(const char *s, int64_t *t)
{
	int64_t	 v = 0;
	int	 n = 0;

	if (*s == '0')
		return -1;
	for (; is_digit((unsigned char)s[n]); n++) {
		if (n == 11)
			return -1;
		v = v * 10 + (s[n] - '0');
	}
	if (n < 9)
		return -1;
	for (s += n; is_space(*s); s++)
		;
	if (*s != '\0')
		return -1;
	*t = v;
	return 0;
}

/*
 * The length of s without the blanks at its end, counting as blanks the
 * escapes "\n", "\r" and "\t" that a generator wrote as text.
 */
static size_t
trim_end(const char *s, size_t n)
{
	for (;;) {
		if (n > 0 && is_space(s[n - 1]))
			n--;
		else if (n > 1 && s[n - 2] == '\\' &&
		    (s[n - 1] == 'n' || s[n - 1] == 'r' || s[n - 1] == 't'))
			n -= 2;
		else
			return n;
	}
}

/*
 * s without what ends it and is not the date: blanks (trim_end) and a
 * parenthesised comment ("+0200 (CEST)", JavaScript's "GMT+0000
 * (Coordinated Universal Time)").  Returns s when nothing is cut, else the
 * date copied into buf; NULL when it does not fit.
 */
static const char *
date_text(const char *s, char *buf, size_t len)
{
	size_t	 all = strlen(s), n, open;

	n = trim_end(s, all);
	if (n > 0 && s[n - 1] == ')') {
		for (open = n - 1; open > 0 && s[open - 1] != '(' &&
		    s[open - 1] != ')'; open--)
			;
		if (open > 0 && s[open - 1] == '(')
			n = trim_end(s, open - 1);
	}
	if (n == all)
		return s;
	if (n >= len)
		return NULL;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return buf;
}

static void
parts_init(struct tm_parts *tp)
{
	memset(tp, 0, sizeof(*tp));
	tp->year = tp->mon = tp->day = NOTSET;
	tp->off = NOTSET;
}

/* The instant of what was read, once checked. */
static int
parts_time(struct tm_parts *tp, int64_t *t)
{
	int64_t		 days;
	int		 off;

	if (tp->year < 0 || tp->year > 9999 || tp->mon < 1 || tp->mon > 12 ||
	    tp->day < 1 || tp->day > month_days(tp->year, tp->mon))
		return -1;
	if (tp->hour < 0 || tp->hour > 23 || tp->min < 0 || tp->min > 59 ||
	    tp->sec < 0 || tp->sec > 60)
		return -1;
	if (tp->off != NOTSET)
		off = tp->off;
	else if (tp->rule != RULE_NONE)
		off = tp->stdoff + (rule_dst(tp) ? 3600 : 0);
	else
		off = 0;	/* no zone: UTC, as RFC 3339 readers agree */
	days = days_from_civil(tp->year, tp->mon, tp->day);
	*t = days * 86400 + tp->hour * 3600 + tp->min * 60 + tp->sec - off;
	return 0;
}

int
date_parse(const char *s, int64_t *t)
{
	struct tm_parts	 tp;
	char		 buf[DATE_MAX];

	if (s == NULL)
		return -1;
	while (is_space(*s))
		s++;
	if ((s = date_text(s, buf, sizeof(buf))) == NULL || *s == '\0')
		return -1;
	if (parse_unix(s, t) == 0)
		return 0;
	parts_init(&tp);
	if (parse_iso(s, &tp) == -1) {
		parts_init(&tp);
		if (parse_free(s, &tp) == -1)
			return -1;
	}
	return parts_time(&tp, t);
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
