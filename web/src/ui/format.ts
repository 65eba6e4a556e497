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

/**
 * formatDateTime is a time (RFC 3339, or epoch ms) as a short local date
 * and time; a string that is no date is returned as it is.
 */
export function formatDateTime(when: string | number, locale?: string, timeZone?: string): string {
  const t = typeof when === 'number' ? when : Date.parse(when);
  if (!Number.isFinite(t)) return String(when);
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', ...(timeZone && { timeZone }) }).format(t);
}

/**
 * formatNumber shows a value with three significant digits (all the digits
 * of a whole number), grouping thousands: 0.00421, 12.3, 1,234.
 */
export function formatNumber(v: number, locale = 'en'): string {
  if (!Number.isFinite(v)) return '–';
  const abs = Math.abs(v);
  const opts: Intl.NumberFormatOptions = abs >= 1000 || Number.isInteger(v) ? { maximumFractionDigits: 0 } : { maximumSignificantDigits: 3 };
  return new Intl.NumberFormat(locale, opts).format(v);
}

/** formatPercent shows a fraction (0.0042) as a percentage (0.42%) with up to three significant digits. */
export function formatPercent(fraction: number, locale = 'en'): string {
  if (!Number.isFinite(fraction)) return '–';
  const pct = fraction * 100;
  const opts: Intl.NumberFormatOptions = Math.abs(pct) >= 100 ? { maximumFractionDigits: 0 } : { maximumSignificantDigits: 3 };
  return `${new Intl.NumberFormat(locale, opts).format(pct)}%`;
}

const byteUnits = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** formatBytes shows a size in binary units with up to three significant digits: 512 MiB, 1.25 GiB. */
export function formatBytes(bytes: number, locale = 'en'): string {
  if (!Number.isFinite(bytes)) return '–';
  let v = bytes;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < byteUnits.length - 1) {
    v /= 1024;
    i++;
  }
  return `${new Intl.NumberFormat(locale, { maximumSignificantDigits: 3 }).format(v)} ${byteUnits[i]}`;
}

/**
 * formatDuration shows a length of time in seconds in its two largest
 * units, rounded down: "45 s", "12 min", "1 h 20 min", "2 d 3 h".
 */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '–';
  const s = Math.floor(seconds);
  if (s < 60) return `${s} s`;
  const parts: [number, string][] = [
    [Math.floor(s / 86400), 'd'],
    [Math.floor((s % 86400) / 3600), 'h'],
    [Math.floor((s % 3600) / 60), 'min'],
  ];
  const first = parts.findIndex(([n]) => n > 0);
  return parts
    .slice(first, first + 2)
    .filter(([n]) => n > 0)
    .map(([n, unit]) => `${n} ${unit}`)
    .join(' ');
}
