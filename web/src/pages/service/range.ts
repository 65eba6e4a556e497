// The time range a service page shows: one of a few fixed lengths, ending
// now (live, refreshed) or at a fixed time (a link to an anomaly). Both
// live in the address (?range=6h&end=1767225600) so every view can be
// linked. Times here are epoch milliseconds unless named otherwise.

export const ranges = [
  { key: '1h', label: '1 hour', ms: 3_600_000 },
  { key: '6h', label: '6 hours', ms: 6 * 3_600_000 },
  { key: '24h', label: '24 hours', ms: 24 * 3_600_000 },
  { key: '7d', label: '7 days', ms: 7 * 24 * 3_600_000 },
  { key: '14d', label: '14 days', ms: 14 * 24 * 3_600_000 },
] as const;

export type Range = (typeof ranges)[number];
export type RangeKey = Range['key'];

/** The range a service page opens with: a whole daily cycle. */
export const defaultRange: RangeKey = '24h';

/** rangeOf is the range named key; the default for anything else. */
export function rangeOf(key: string | null): Range {
  return ranges.find((r) => r.key === key) ?? ranges.find((r) => r.key === defaultRange) ?? ranges[0];
}

/**
 * parseEnd reads ?end= (Unix seconds). It is undefined — live — when absent,
 * not a whole number, or not before now: the future has no data yet.
 */
export function parseEnd(raw: string | null, now: number): number | undefined {
  if (raw === null || !/^\d{1,12}$/.test(raw)) return undefined;
  const ms = Number(raw) * 1000;
  return ms < now ? ms : undefined;
}

export interface TimeWindow {
  from: number;
  to: number;
  /** Ends now: the page refreshes and the forecast continues the chart. */
  live: boolean;
}

/** windowOf is the window of range ending at end, or now when end is undefined. */
export function windowOf(range: Range, end: number | undefined, now: number): TimeWindow {
  const to = end ?? now;
  return { from: to - range.ms, to, live: end === undefined };
}

/**
 * forecastReach is how far past its end a live chart extends to show the
 * forecast: a quarter of the range, so history keeps most of the width.
 * Forecasts are hourly; below six hours the extension would hold barely a
 * point of one, so short ranges show none. A historical window shows none
 * either: its future is already data.
 */
export function forecastReach(range: Range, live: boolean): number {
  return live && range.ms >= 6 * 3_600_000 ? range.ms / 4 : 0;
}

/**
 * episodeView is where a link to an anomaly episode leads: the shortest
 * range at least three times the episode's length (at least an hour), and
 * a window centred on the episode — or live, when that window would reach
 * within a minute of now. end is in Unix seconds, as the address holds it.
 */
export function episodeView(start: number, end: number, now: number): { range: RangeKey; end: number | undefined } {
  const stop = end + 60_000; // end is the start of the last anomalous minute
  const length = Math.max(stop - start, 60_000);
  const range = ranges.find((r) => r.ms >= 3 * length) ?? ranges[4];
  const to = (start + stop) / 2 + range.ms / 2;
  if (to >= now - 60_000) return { range: range.key, end: undefined };
  return { range: range.key, end: Math.ceil(to / 60_000) * 60 };
}

/**
 * maxPoints is how many steps a range query asks for: about one per two
 * pixels of a chart on a wide screen, which keeps min–max bands smooth and
 * the answer small.
 */
export const maxPoints = 720;

/** The smallest step asked for: the demo and most agents send a point a minute. */
export const minStepSeconds = 60;

/**
 * instantHorizon is how many hourly steps a forecast made on request
 * forecasts to cover reach (ms): the reach, two steps for the hour in
 * progress, and at least a day, so that the model is validated on a
 * horizon that can tell a daily cycle from noise.
 */
export function instantHorizon(reach: number): number {
  return Math.max(24, Math.ceil(reach / 3_600_000) + 2);
}
