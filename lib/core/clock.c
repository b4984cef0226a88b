/* clock.c: time helpers. */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "number.h"

long long dr_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

long long dr_wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void dr_time_iso_at(long long wall_ms, char out[DR_TIME_ISO_MAX])
{
	time_t s = (time_t)(wall_ms / 1000);
	struct tm tm;
	size_t n;

	gmtime_r(&s, &tm);
	n = strftime(out, DR_TIME_ISO_MAX, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + n, DR_TIME_ISO_MAX - n, ".%03dZ", (int)(wall_ms % 1000));
}

void dr_time_iso_utc(char out[DR_TIME_ISO_MAX])
{
	dr_time_iso_at(dr_wall_ms(), out);
}

void dr_sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* n decimal digits at s into *v; 0 or -1. */
static int clock_digits(const char *s, size_t n, unsigned long long max, int *v)
{
	unsigned long long u;

	if (dr_parse_unsigned(s, n, 10, max, &u))
		return -1;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return -1;
	*v = (int)u;
	return 0;
}

int dr_time_parse_rfc3339(const char *text, int round_up, time_t *out)
{
	int year, mon, day, hour, min, sec, oh = 0, om = 0, fraction = 0;
	size_t n = strlen(text), i = 19;
	struct tm tm;
	time_t t;

	if (n < 20 || text[4] != '-' || text[7] != '-' || (text[10] != 'T' && text[10] != 't') || text[13] != ':' ||
	    text[16] != ':' || clock_digits(text, 4, 9999, &year) || clock_digits(text + 5, 2, 12, &mon) ||
	    clock_digits(text + 8, 2, 31, &day) || clock_digits(text + 11, 2, 23, &hour) || clock_digits(text + 14, 2, 59, &min) ||
	    clock_digits(text + 17, 2, 60, &sec) || mon < 1 || day < 1)
		return -1;
	if (text[i] == '.') {
		size_t start = ++i;

		while (i < n && text[i] >= '0' && text[i] <= '9') {
			if (text[i] != '0')
				fraction = 1;
			i++;
		}
		if (i == start || i - start > 9)
			return -1;
	}
	if (i + 1 == n && (text[i] == 'Z' || text[i] == 'z')) {
		/* UTC */
	} else if (i + 6 == n && (text[i] == '+' || text[i] == '-') && text[i + 3] == ':' &&
		   !clock_digits(text + i + 1, 2, 23, &oh) && !clock_digits(text + i + 4, 2, 59, &om)) {
		if (text[i] == '-') {
			oh = -oh;
			om = -om;
		}
	} else {
		return -1;
	}
	memset(&tm, 0, sizeof tm);
	tm.tm_year = year - 1900;
	tm.tm_mon = mon - 1;
	tm.tm_mday = day;
	tm.tm_hour = hour;
	tm.tm_min = min;
	tm.tm_sec = sec > 59 ? 59 : sec;
	t = timegm(&tm);
	if (t == (time_t)-1)
		return -1;
	t -= (time_t)oh * 3600 + (time_t)om * 60;
	if (fraction && round_up)
		t += 1;
	*out = t;
	return 0;
}

void dr_time_rfc3339_at(time_t t, char out[DR_TIME_ISO_MAX])
{
	struct tm tm;

	if (!gmtime_r(&t, &tm) || !strftime(out, DR_TIME_ISO_MAX, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(out, DR_TIME_ISO_MAX, "?");
}
