/* clock.c: time helpers. */

#include <errno.h>
#include <stdio.h>
#include <time.h>

#include "clock.h"

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
