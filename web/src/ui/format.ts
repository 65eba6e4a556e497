// Formatting of numbers and times as the dashboard shows them. Functions
// take "now" where time matters so that tests are exact.

/** formatLatency shows a duration in milliseconds with two or three significant digits. */
export function formatLatency(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '–';
  if (ms >= 1000) return `${trim((ms / 1000).toFixed(ms >= 10_000 ? 0 : 1))} s`;
  if (ms >= 10) return `${Math.round(ms)} ms`;
  return `${trim(ms.toFixed(1))} ms`;
}

function trim(s: string): string {
  return s.endsWith('.0') ? s.slice(0, -2) : s;
}

const units: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
];

/**
 * relativeTime says how long ago (or ahead) iso is from now in the largest
 * whole unit, "just now" within a minute; "" when iso is not a date.
 */
export function relativeTime(iso: string, now: number, locale = 'en'): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '';
  const secs = (t - now) / 1000;
  const fmt = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  for (const [unit, size] of units) {
    if (Math.abs(secs) >= size) return fmt.format(Math.trunc(secs / size), unit);
  }
  return 'just now';
}

/** formatDateTime is iso as a short local date and time; iso itself if it is no date. */
export function formatDateTime(iso: string, locale?: string, timeZone?: string): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', ...(timeZone && { timeZone }) }).format(t);
}
