/* clock.h: monotonic deadlines and UTC timestamps. */
#ifndef DR_CLOCK_H
#define DR_CLOCK_H

#include <stddef.h>
#include <time.h>

#define DR_TIME_ISO_MAX 32

/* Milliseconds on the monotonic clock. */
long long dr_now_ms(void);

/* Milliseconds since the Unix epoch (wall clock, for timestamps only). */
long long dr_wall_ms(void);

/* Write wall_ms (Unix ms) as 2026-01-31T12:00:00.123Z into out. */
void dr_time_iso_at(long long wall_ms, char out[DR_TIME_ISO_MAX]);

/* Write the current UTC time as 2026-01-31T12:00:00.123Z into out. */
void dr_time_iso_utc(char out[DR_TIME_ISO_MAX]);

/* An RFC 3339 time ("2021-01-12T11:53:27.123Z", or an offset) into *out (seconds since the epoch;
 * a fraction rounds up when round_up, else down); 0 or -1. */
int dr_time_parse_rfc3339(const char *text, int round_up, time_t *out);

/* Write t (seconds since the epoch) as 2026-01-31T12:00:00Z into out. */
void dr_time_rfc3339_at(time_t t, char out[DR_TIME_ISO_MAX]);

/* Sleep for ms milliseconds, resuming after signals. */
void dr_sleep_ms(long ms);

#endif
