// Loading what a service page charts: each standard metric's range query,
// the forecasts that continue the charts, and the anomaly episodes in the
// window. One chart failing leaves the others standing.

import { listAnomalies, type Anomaly } from '../../api/anomalies';
import { isAbort, type ApiClient } from '../../api/client';
import { getForecast, type StoredForecast } from '../../api/forecasts';
import { querySeries, type RangeResult, type Series } from '../../api/metrics';
import { chartSpecs, pickSeries, type ChartSpec } from './charts';
import { forecastReach, maxPoints, minStepSeconds, windowOf, type Range, type TimeWindow } from './range';

export interface ChartLine {
  metric: string;
  series: Series;
  result: RangeResult;
}

export type ChartData =
  | {
      state: 'ok';
      spec: ChartSpec;
      /** The metrics that have a series, in the spec's order. */
      lines: ChartLine[];
      /** The spec's metrics this service has no series for. */
      missing: string[];
      forecast: StoredForecast | null;
    }
  | { state: 'error'; spec: ChartSpec; message: string };

export interface ServiceView {
  window: TimeWindow;
  /** How far past the window's end the charts reach for the forecast (ms). */
  reach: number;
  charts: ChartData[];
  /** Episodes overlapping the window, newest first; null when they could not be read. */
  episodes: Anomaly[] | null;
  episodesError: string | undefined;
}

/** At most this many episodes are shaded; a window with more is one long incident. */
const episodeLimit = 500;

/** loadServiceView reads everything the charts of service need for range ending at end (undefined: now). */
export async function loadServiceView(
  api: ApiClient,
  service: string,
  series: readonly Series[],
  range: Range,
  end: number | undefined,
  now: number,
  signal?: AbortSignal,
): Promise<ServiceView> {
  const window = windowOf(range, end, now);
  const reach = forecastReach(range, window.live);
  const episodes = listAnomalies(api, { service, from: window.from, to: window.to, limit: episodeLimit }, signal);
  const charts = chartSpecs.map((spec) => loadChart(api, spec, series, window, reach > 0, signal));
  const [eps, ...done] = await Promise.allSettled([episodes, ...charts]);
  rethrowAbort(eps);
  return {
    window,
    reach,
    charts: done.map((d, i): ChartData => {
      const spec = chartSpecs[i] as ChartSpec;
      rethrowAbort(d);
      return d.status === 'fulfilled' ? d.value : { state: 'error', spec, message: errorMessage(d.reason) };
    }),
    episodes: eps.status === 'fulfilled' ? eps.value.anomalies : null,
    episodesError: eps.status === 'rejected' ? errorMessage(eps.reason) : undefined,
  };
}

async function loadChart(api: ApiClient, spec: ChartSpec, series: readonly Series[], w: TimeWindow, withForecast: boolean, signal?: AbortSignal): Promise<ChartData> {
  const picked = spec.metrics.map((metric) => ({ metric, series: pickSeries(series, metric) }));
  const present = picked.filter((p): p is { metric: string; series: Series } => p.series !== undefined);
  const results = present.map((p) => querySeries(api, { series: p.series.id, from: w.from, to: w.to, maxPoints, minStepSeconds }, signal));
  const forecastSeries = present.find((p) => p.metric === spec.forecast)?.series;
  const forecast = withForecast && forecastSeries ? getForecast(api, forecastSeries.id, signal) : Promise.resolve(null);
  const [lines, fc] = await Promise.all([Promise.all(results), forecast]);
  return {
    state: 'ok',
    spec,
    lines: present.map((p, i) => ({ metric: p.metric, series: p.series, result: lines[i] as RangeResult })),
    missing: picked.filter((p) => p.series === undefined).map((p) => p.metric),
    forecast: fc,
  };
}

function rethrowAbort(r: PromiseSettledResult<unknown>) {
  if (r.status === 'rejected' && isAbort(r.reason)) throw r.reason;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
