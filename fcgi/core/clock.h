/*
 * clock.h - the one clock of every binary.
 *
 * Wall-clock milliseconds are what events carry ("at") and what the outbox
 * and the relay compare expiries with; monotonic time measures durations
 * (request latency, timeouts) and never jumps with NTP.  The database has
 * its own clock (NOW(3)), which decides whether a window is open: see
 * window.h.
 */
#ifndef EHZ_CLOCK_H
#define EHZ_CLOCK_H

/* Wall-clock milliseconds since the Unix epoch. */
long long clock_wall_ms(void);
/* Monotonic milliseconds (arbitrary origin) for durations. */
long long clock_mono_ms(void);
/* Monotonic microseconds, for latencies below a millisecond. */
long long clock_mono_us(void);

#endif
