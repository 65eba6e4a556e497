// The data behind a time chart, apart from the charting library so that it
// can be tested: range-query buckets of one or more lines and a forecast
// placed on one shared time axis, gaps where data is missing, and anomaly
// episodes as shaded spans.

import type { Severity } from '../api/anomalies';
import type { ForecastPoint } from '../api/forecasts';
import type { Bucket } from '../api/metrics';

/**
 * A value at one time of the shared axis: a number; null, a gap (the line
 * breaks); or undefined, no sample of this line at a time another line
 * has (the line joins across it).
 */
export type Cell = number | null | undefined;

export interface LineData {
  avg: Cell[];
  min: Cell[];
  max: Cell[];
}

export interface ForecastData {
  yhat: Cell[];
  lo80: Cell[];
  hi80: Cell[];
  lo95: Cell[];
  hi95: Cell[];
}

export interface Timeline {
  /** The shared axis, epoch seconds, increasing. */
  x: number[];
  lines: LineData[];
  forecast: ForecastData | null;
}

/**
 * gapFactor: a line breaks where two of its samples are further apart than
 * this many times its usual spacing. Above 2, so that one lost bucket in a
 * noisy stream does not cut the line; a missing scrape interval does.
 */
export const gapFactor = 2.5;

/**
 * buildTimeline puts lines (buckets, oldest first) and forecast points
 * between from and to (epoch seconds) on one axis. Each line breaks (null)
 * where its own samples are more than gapFactor times its typical spacing
 * apart — or the step, when that is larger — so that an outage shows as a
 * hole rather than a straight line across it.
 */
export function buildTimeline(lines: readonly (readonly Bucket[])[], forecast: readonly ForecastPoint[], from: number, to: number, stepSeconds: number): Timeline {
  const own = lines.map((buckets) => buckets.filter((b) => b.t >= from && b.t <= to));
  const future = forecast.map((p) => ({ ...p, t: p.t / 1000 })).filter((p) => p.t >= from && p.t <= to);

  // Gap markers: one time just after each hole in a line, where only that line is null.
  const gaps = own.map((buckets) => {
    const spacing = Math.max(stepSeconds, typicalSpacing(buckets.map((b) => b.t)));
    const marks: number[] = [];
    for (let i = 1; i < buckets.length; i++) {
      const prev = buckets[i - 1]?.t ?? 0;
      const cur = buckets[i]?.t ?? 0;
      if (cur - prev > gapFactor * spacing) marks.push(prev + spacing);
    }
    return marks;
  });

  const times = new Set<number>();
  for (const buckets of own) for (const b of buckets) times.add(b.t);
  for (const marks of gaps) for (const t of marks) times.add(t);
  for (const p of future) times.add(p.t);
  const x = [...times].sort((a, b) => a - b);
  const index = new Map(x.map((t, i) => [t, i]));
  const column = (): Cell[] => new Array<Cell>(x.length).fill(undefined);

  const lineData = own.map((buckets, li): LineData => {
    const d = { avg: column(), min: column(), max: column() };
    for (const t of gaps[li] ?? []) {
      const i = index.get(t) ?? -1;
      d.avg[i] = d.min[i] = d.max[i] = null;
    }
    for (const b of buckets) {
      const i = index.get(b.t) ?? -1;
      d.avg[i] = b.avg;
      d.min[i] = b.min;
      d.max[i] = b.max;
    }
    return d;
  });

  let fc: ForecastData | null = null;
  if (future.length > 0) {
    fc = { yhat: column(), lo80: column(), hi80: column(), lo95: column(), hi95: column() };
    for (const p of future) {
      const i = index.get(p.t) ?? -1;
      fc.yhat[i] = p.yhat;
      fc.lo80[i] = p.lo80;
      fc.hi80[i] = p.hi80;
      fc.lo95[i] = p.lo95;
      fc.hi95[i] = p.hi95;
    }
  }
  return { x, lines: lineData, forecast: fc };
}

/**
 * typicalSpacing is the median distance between consecutive times
 * (increasing), robust to a few holes; 0 with fewer than two times.
 */
export function typicalSpacing(times: readonly number[]): number {
  const d: number[] = [];
  for (let i = 1; i < times.length; i++) d.push((times[i] ?? 0) - (times[i - 1] ?? 0));
  if (d.length === 0) return 0;
  d.sort((a, b) => a - b);
  const mid = Math.floor(d.length / 2);
  return d.length % 2 === 1 ? (d[mid] ?? 0) : ((d[mid - 1] ?? 0) + (d[mid] ?? 0)) / 2;
}

/** An episode as the chart shades it: [start, end) in epoch seconds. */
export interface Span {
  start: number;
  end: number;
  /** The highest severity among the episodes merged into the span. */
  severity: Severity;
  /** Whether one of them involved a metric the chart shows. */
  involved: boolean;
}

export interface Episode {
  /** Epoch ms; end is the start of the last anomalous minute. */
  start: number;
  end: number;
  severity: Severity;
  metrics: readonly string[];
}

const severityRank: Record<Severity, number> = { low: 0, medium: 1, high: 2, critical: 3 };

/**
 * episodeSpans turns episodes into the spans a chart of metrics shades
 * between from and to (epoch seconds): each covers its episode's minutes
 * (to the end of the last one), clipped to the chart; overlapping or
 * touching spans merge, keeping the highest severity.
 */
export function episodeSpans(episodes: readonly Episode[], metrics: readonly string[], from: number, to: number): Span[] {
  const spans = episodes
    .map((e) => ({
      start: Math.max(from, e.start / 1000),
      end: Math.min(to, e.end / 1000 + 60),
      severity: e.severity,
      involved: e.metrics.some((m) => metrics.includes(m)),
    }))
    .filter((s) => s.end > s.start)
    .sort((a, b) => a.start - b.start);
  const out: Span[] = [];
  for (const s of spans) {
    const last = out[out.length - 1];
    if (last && s.start <= last.end) {
      last.end = Math.max(last.end, s.end);
      if (severityRank[s.severity] > severityRank[last.severity]) last.severity = s.severity;
      last.involved ||= s.involved;
    } else {
      out.push({ ...s });
    }
  }
  return out;
}

/** Summary of one line for people: what a screen reader hears for the chart. */
export interface LineSummary {
  latest: number | undefined;
  min: number | undefined;
  max: number | undefined;
}

/** summarise is a line's latest average and the lowest minimum and highest maximum. */
export function summarise(buckets: readonly Bucket[]): LineSummary {
  if (buckets.length === 0) return { latest: undefined, min: undefined, max: undefined };
  let min = Infinity;
  let max = -Infinity;
  for (const b of buckets) {
    min = Math.min(min, b.min);
    max = Math.max(max, b.max);
  }
  return { latest: buckets[buckets.length - 1]?.avg, min, max };
}
