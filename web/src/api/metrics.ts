// Stored metrics: /api/v1/series (what is stored) and /api/v1/query (a
// series' values over a range, downsampled to min/avg/max per step).

import type { ApiClient } from './client';
import { Fields, numbers } from './decode';

/** A stored series: one metric of one service with one set of labels. */
export interface Series {
  id: number;
  service: string;
  metric: string;
  /** Empty for the service-wide aggregate. */
  labels: Record<string, string>;
  /** When its first and last points are (epoch ms); null: none yet. */
  firstPoint: number | null;
  lastPoint: number | null;
}

/** One step of a range query: the points in [t, t + step). */
export interface Bucket {
  /** Start of the step, epoch seconds (as the API sends it). */
  t: number;
  avg: number;
  min: number;
  max: number;
  count: number;
}

export interface RangeResult {
  series: Series;
  /** The range asked for (epoch ms). */
  from: number;
  to: number;
  stepSeconds: number;
  /** Which table answered: raw points or a rollup. */
  source: string;
  /** Only steps that have data, oldest first. */
  points: Bucket[];
}

export interface RangeQuery {
  series: number;
  /** Epoch ms. */
  from: number;
  to: number;
  /** The most buckets wanted; the API picks a step that fits. */
  maxPoints?: number;
  /** The smallest step wanted, in seconds. */
  minStepSeconds?: number;
}

export function listSeries(api: ApiClient, service: string, signal?: AbortSignal): Promise<Series[]> {
  return api.request('GET', '/api/v1/series', decodeSeriesList, { query: { service }, ...(signal && { signal }) });
}

/** querySeries reads GET /api/v1/query for one series. */
export function querySeries(api: ApiClient, q: RangeQuery, signal?: AbortSignal): Promise<RangeResult> {
  return api.request('GET', '/api/v1/query', decodeRangeResult, {
    query: {
      series: q.series,
      // Unix seconds; the API also reads fractions, so nothing is lost.
      from: q.from / 1000,
      to: q.to / 1000,
      max_points: q.maxPoints,
      step: q.minStepSeconds,
    },
    ...(signal && { signal }),
  });
}

export function decodeSeriesList(v: unknown): Series[] {
  return new Fields(v, 'list').list('series', decodeSeries);
}

export function decodeSeries(v: unknown, path: string): Series {
  const f = new Fields(v, path);
  return {
    id: f.number('id'),
    service: f.string('service'),
    metric: f.string('metric'),
    labels: f.stringMap('labels'),
    firstPoint: f.optionalTime('first_point'),
    lastPoint: f.optionalTime('last_point'),
  };
}

export function decodeRangeResult(v: unknown): RangeResult {
  const f = new Fields(v, 'query');
  return {
    series: f.object('series', decodeSeries),
    from: f.time('from'),
    to: f.time('to'),
    stepSeconds: f.number('step_seconds'),
    source: f.string('source'),
    points: f.list('points', (x, path) => {
      const [t = 0, avg = 0, min = 0, max = 0, count = 0] = numbers(x, path, 5);
      return { t, avg, min, max, count };
    }),
  };
}
