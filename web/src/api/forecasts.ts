// Forecasts: a series' stored forecast (GET /api/v1/forecasts?series=ID)
// and every predicted capacity breach (GET /api/v1/forecasts).

import { ApiError, type ApiClient } from './client';
import { DecodeError, Fields } from './decode';
import { decodeSeries, type Series } from './metrics';

/** One future step with its 80% and 95% prediction intervals. */
export interface ForecastPoint {
  /** Epoch ms. */
  t: number;
  yhat: number;
  lo80: number;
  hi80: number;
  lo95: number;
  hi95: number;
}

export interface ForecastModel {
  stepSeconds: number;
  /** The last fitted step and when the fit ran (epoch ms). */
  lastTime: number;
  fittedAt: number;
  /** How many history values were fitted. */
  points: number;
  /** One line on the model, e.g. its seasonal periods. */
  summary: string;
  notes: string[];
}

/** When a forecast crosses a capacity threshold; null: not within the horizon. */
export interface Breach {
  series: Series;
  threshold: number;
  direction: 'above' | 'below';
  /** The 95% interval's near bound crosses. */
  earliest: number | null;
  /** The point forecast crosses. */
  expected: number | null;
  /** The 95% interval's far bound crosses. */
  certain: number | null;
  generatedAt: number;
}

export interface StoredForecast {
  series: Series;
  model: ForecastModel;
  forecast: ForecastPoint[];
  breach: Breach | null;
}

/**
 * getForecast reads a series' stored forecast; null when it has none yet
 * (the API answers 404: the forecaster fits series hourly once they have a
 * day of history).
 */
export async function getForecast(api: ApiClient, series: number, signal?: AbortSignal): Promise<StoredForecast | null> {
  try {
    return await api.request('GET', '/api/v1/forecasts', decodeStoredForecast, { query: { series }, ...(signal && { signal }) });
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return null;
    throw err;
  }
}

/** A forecast made on request (POST /api/v1/forecast) from a series' hourly history. */
export interface InstantForecast {
  stepSeconds: number;
  summary: string;
  notes: string[];
  /** How many history values were fitted. */
  fittedPoints: number;
  forecast: ForecastPoint[];
}

/**
 * forecastNow fits a series' hourly history now and forecasts horizon steps
 * ahead with 80% and 95% intervals, for a series the forecaster has not
 * reached yet.
 */
export function forecastNow(api: ApiClient, series: number, horizon: number, signal?: AbortSignal): Promise<InstantForecast> {
  return api.request('POST', '/api/v1/forecast', decodeInstantForecast, { body: { series, horizon, levels: [80, 95] }, ...(signal && { signal }) });
}

export function decodeInstantForecast(v: unknown): InstantForecast {
  const f = new Fields(v, 'forecast');
  return {
    stepSeconds: f.number('step_seconds'),
    summary: f.string('summary'),
    notes: f.stringList('notes'),
    fittedPoints: f.number('fitted_points'),
    forecast: f.list('forecast', (x, path) => {
      const p = new Fields(x, path);
      const lower = p.object('lower', (l, lp) => new Fields(l, lp));
      const upper = p.object('upper', (u, up) => new Fields(u, up));
      return { t: p.time('t'), yhat: p.number('yhat'), lo80: lower.number('80'), hi80: upper.number('80'), lo95: lower.number('95'), hi95: upper.number('95') };
    }),
  };
}

/** listBreaches reads every predicted capacity breach. */
export function listBreaches(api: ApiClient, signal?: AbortSignal): Promise<Breach[]> {
  return api.request('GET', '/api/v1/forecasts', decodeBreachList, signal ? { signal } : {});
}

export function decodeStoredForecast(v: unknown): StoredForecast {
  const f = new Fields(v, 'forecast');
  return {
    series: f.object('series', decodeSeries),
    model: f.object('model', decodeModel),
    forecast: f.list('forecast', decodePoint),
    breach: f.object('breach', (x, path) => (x === null || x === undefined ? null : decodeBreach(x, path))),
  };
}

export function decodeBreachList(v: unknown): Breach[] {
  return new Fields(v, 'list').list('breaches', decodeBreach);
}

function decodeModel(v: unknown, path: string): ForecastModel {
  const f = new Fields(v, path);
  return {
    stepSeconds: f.number('step_seconds'),
    lastTime: f.time('last_time'),
    fittedAt: f.time('fitted_at'),
    points: f.number('points'),
    summary: f.string('summary'),
    notes: f.stringList('notes'),
  };
}

function decodePoint(v: unknown, path: string): ForecastPoint {
  const f = new Fields(v, path);
  return { t: f.time('t'), yhat: f.number('yhat'), lo80: f.number('lo80'), hi80: f.number('hi80'), lo95: f.number('lo95'), hi95: f.number('hi95') };
}

function decodeBreach(v: unknown, path: string): Breach {
  const f = new Fields(v, path);
  const direction = f.string('direction');
  if (direction !== 'above' && direction !== 'below') throw new DecodeError(`${path}.direction`, '"above" or "below"', direction);
  return {
    series: f.object('series', decodeSeries),
    threshold: f.number('threshold'),
    direction,
    earliest: f.optionalTime('earliest'),
    expected: f.optionalTime('expected'),
    certain: f.optionalTime('certain'),
    generatedAt: f.time('generated_at'),
  };
}
