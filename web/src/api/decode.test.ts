import { describe, expect, it } from 'vitest';

import { decodeAnomalyPage } from './anomalies';
import { mutate, rng, runs } from '../testing/arbitrary';
import { DecodeError, numbers, parseTime } from './decode';
import { decodeBreachList, decodeInstantForecast, decodeStoredForecast } from './forecasts';
import { decodeRangeResult, decodeSeriesList } from './metrics';
import { decodeHealth } from './platform';
import { decodeServiceHealth, decodeServiceList } from './services';

describe('decodeHealth', () => {
  it('reads the API health report', () => {
    const h = decodeHealth({
      status: 'unavailable',
      version: 'dev',
      checks: {
        database: { status: 'down', latency_ms: 2000.5, error: 'the database is not answering' },
        storage: { status: 'ok', latency_ms: 0.8 },
      },
    });
    expect(h).toEqual({
      status: 'unavailable',
      version: 'dev',
      checks: {
        database: { status: 'down', latencyMs: 2000.5, error: 'the database is not answering' },
        storage: { status: 'ok', latencyMs: 0.8, error: undefined },
      },
    });
  });

  it.each([
    { name: 'not an object', v: 'ok', want: 'health: want an object, got string "ok"' },
    { name: 'no checks', v: { status: 'ok', version: 'dev' }, want: 'health.checks: want an object, got nothing' },
    {
      name: 'latency as text',
      v: { status: 'ok', version: 'dev', checks: { database: { status: 'ok', latency_ms: '1' } } },
      want: 'health.checks.database.latency_ms: want a number, got string "1"',
    },
  ])('rejects $name', ({ v, want }) => {
    expect(() => decodeHealth(v)).toThrow(want);
  });
});

describe('decodeServiceList', () => {
  const svc = {
    name: 'checkout-api',
    type: 'api',
    labels: { env: 'prod' },
    owner_team: 'payments',
    status: 'active',
    last_seen: null,
    created_at: '2025-01-02T03:04:05Z',
    updated_at: '2025-01-02T03:04:05Z',
  };

  it('reads a page of services', () => {
    expect(decodeServiceList({ services: [svc, { ...svc, name: 'b', labels: null, last_seen: '2025-01-03T00:00:00Z' }], total: 7, limit: 2, offset: 0 })).toEqual({
      services: [
        { name: 'checkout-api', type: 'api', labels: { env: 'prod' }, ownerTeam: 'payments', status: 'active', lastSeen: null, createdAt: svc.created_at, updatedAt: svc.updated_at },
        { name: 'b', type: 'api', labels: {}, ownerTeam: 'payments', status: 'active', lastSeen: '2025-01-03T00:00:00Z', createdAt: svc.created_at, updatedAt: svc.updated_at },
      ],
      total: 7,
      limit: 2,
      offset: 0,
    });
  });

  it('keeps a label named __proto__', () => {
    const list = decodeServiceList(JSON.parse(`{"services":[${JSON.stringify(svc).replace('{"env":"prod"}', '{"__proto__":"x"}')}],"total":1,"limit":1,"offset":0}`));
    expect(Object.entries(list.services[0]?.labels ?? {})).toEqual([['__proto__', 'x']]);
  });

  it.each([
    { name: 'services missing', v: { total: 0, limit: 1, offset: 0 }, want: 'list.services: want an array, got nothing' },
    { name: 'a label value that is no string', v: { services: [{ ...svc, labels: { env: 1 } }], total: 1, limit: 1, offset: 0 }, want: 'list.services[0].labels.env: want a string, got number 1' },
    { name: 'last_seen missing', v: { services: [{ ...svc, last_seen: undefined }], total: 1, limit: 1, offset: 0 }, want: 'list.services[0].last_seen: want a string, got nothing' },
    { name: 'total as NaN-ish', v: { services: [], total: null, limit: 1, offset: 0 }, want: 'list.total: want a number, got null' },
  ])('rejects $name', ({ v, want }) => {
    expect(() => decodeServiceList(v)).toThrow(want);
  });
});

describe('parseTime', () => {
  it.each([
    { s: '2025-01-02T03:04:05Z', want: Date.UTC(2025, 0, 2, 3, 4, 5) },
    { s: '2025-01-02T03:04:05.123456789Z', want: Date.UTC(2025, 0, 2, 3, 4, 5, 123) },
    { s: '2025-01-02T04:04:05+01:00', want: Date.UTC(2025, 0, 2, 3, 4, 5) },
    { s: '2025', want: Number.NaN },
    { s: 'March 7', want: Number.NaN },
    { s: '2025-01-02 03:04:05Z', want: Number.NaN },
    { s: '2025-13-02T03:04:05Z', want: Number.NaN },
  ])('$s', ({ s, want }) => {
    expect(parseTime(s)).toBe(want);
  });
});

describe('numbers', () => {
  it('reads a tuple of finite numbers', () => {
    expect(numbers([1, 2.5, -3], 'p', 3)).toEqual([1, 2.5, -3]);
  });
  it.each([
    { v: [1, 2], want: 'p: want an array of 3 numbers, got an array' },
    { v: [1, '2', 3], want: 'p[1]: want a number, got string "2"' },
    { v: [1, null, 3], want: 'p[1]: want a number, got null' },
    { v: {}, want: 'p: want an array of 3 numbers, got an object' },
  ])('rejects $v', ({ v, want }) => {
    expect(() => numbers(v, 'p', 3)).toThrow(want);
  });
});

describe('decodeServiceHealth', () => {
  const health = {
    service: 'checkout-api',
    at: '2026-11-25T13:35:59.026877013Z',
    window: '15m0s',
    score: 88,
    grade: 'B',
    status: 'healthy',
    parts: [{ name: 'latency_p95', value: 1.1, warn: 0.5, critical: 2, weight: 0.3, score: 60 }],
    formula: 'part = …',
  };

  it('reads the score with its parts', () => {
    expect(decodeServiceHealth(health)).toEqual({
      service: 'checkout-api',
      at: Date.UTC(2026, 10, 25, 13, 35, 59, 26),
      window: '15m0s',
      score: 88,
      grade: 'B',
      status: 'healthy',
      parts: [{ name: 'latency_p95', value: 1.1, warn: 0.5, critical: 2, weight: 0.3, score: 60 }],
      formula: 'part = …',
    });
  });

  it('reads no data as a null score', () => {
    expect(decodeServiceHealth({ ...health, score: null, grade: 'unknown', status: 'no_data', parts: [] }).score).toBeNull();
  });

  it.each([
    { name: 'an unknown status', v: { ...health, status: 'fine' }, want: 'health.status: want healthy, degraded, critical, no_data, got string "fine"' },
    { name: 'a time that is no time', v: { ...health, at: 'now' }, want: 'health.at: want an RFC 3339 time, got string "now"' },
    { name: 'a part without a score', v: { ...health, parts: [{ ...health.parts[0], score: undefined }] }, want: 'health.parts[0].score: want a number, got nothing' },
  ])('rejects $name', ({ v, want }) => {
    expect(() => decodeServiceHealth(v)).toThrow(want);
  });
});

const series = { id: 4, service: 'checkout-api', metric: 'latency_p95', first_point: '2026-11-11T13:35:00Z', last_point: '2026-11-25T13:35:00Z' };
const seriesOut = { id: 4, service: 'checkout-api', metric: 'latency_p95', labels: {}, firstPoint: Date.UTC(2026, 10, 11, 13, 35), lastPoint: Date.UTC(2026, 10, 25, 13, 35) };

describe('decodeSeriesList', () => {
  it('reads series, labels and point times being optional', () => {
    expect(decodeSeriesList({ series: [series, { id: 5, service: 's', metric: 'cpu', labels: { pod: 'a' } }] })).toEqual([
      seriesOut,
      { id: 5, service: 's', metric: 'cpu', labels: { pod: 'a' }, firstPoint: null, lastPoint: null },
    ]);
  });
  it('rejects a series without an id', () => {
    expect(() => decodeSeriesList({ series: [{ ...series, id: '4' }] })).toThrow('list.series[0].id: want a number, got string "4"');
  });
});

describe('decodeRangeResult', () => {
  const result = { series, from: '2026-11-25T12:00:00Z', to: '2026-11-25T13:00:00Z', step_seconds: 60, source: 'raw', points: [[1795608000, 0.2, 0.1, 0.3, 1]] };

  it('reads buckets as named fields', () => {
    expect(decodeRangeResult(result)).toEqual({
      series: seriesOut,
      from: Date.UTC(2026, 10, 25, 12),
      to: Date.UTC(2026, 10, 25, 13),
      stepSeconds: 60,
      source: 'raw',
      points: [{ t: 1795608000, avg: 0.2, min: 0.1, max: 0.3, count: 1 }],
    });
  });

  it.each([
    { name: 'a short point', v: { ...result, points: [[1, 2, 3, 4]] }, want: 'query.points[0]: want an array of 5 numbers, got an array' },
    { name: 'a point with a null', v: { ...result, points: [[1, 2, null, 4, 5]] }, want: 'query.points[0][2]: want a number, got null' },
    { name: 'no series', v: { ...result, series: null }, want: 'query.series: want an object, got null' },
  ])('rejects $name', ({ v, want }) => {
    expect(() => decodeRangeResult(v)).toThrow(want);
  });
});

describe('decodeAnomalyPage', () => {
  const anomaly = {
    id: 7,
    service: 'search',
    start: '2026-11-20T16:18:00Z',
    end: '2026-11-20T16:32:00Z',
    open: false,
    peak_time: '2026-11-20T16:20:00Z',
    peak_score: 0.99,
    severity: 'critical',
    metrics: ['error_rate'],
    description: 'error rate is 155.7x its usual 16:15 level',
    observed: 0.157,
    expected: 0.001,
    updated_at: '2026-11-20T16:40:00Z',
  };

  it('reads episodes and the cursor', () => {
    const page = decodeAnomalyPage({ anomalies: [anomaly, { ...anomaly, id: 6, open: true, expected: null, metrics: null }], next: '1795608000000.6' });
    expect(page.next).toBe('1795608000000.6');
    expect(page.anomalies[0]).toEqual({
      id: 7,
      service: 'search',
      start: Date.UTC(2026, 10, 20, 16, 18),
      end: Date.UTC(2026, 10, 20, 16, 32),
      open: false,
      peakTime: Date.UTC(2026, 10, 20, 16, 20),
      peakScore: 0.99,
      severity: 'critical',
      metrics: ['error_rate'],
      description: 'error rate is 155.7x its usual 16:15 level',
      observed: 0.157,
      expected: 0.001,
    });
    expect(page.anomalies[1]).toMatchObject({ open: true, expected: null, metrics: [] });
    expect(decodeAnomalyPage({ anomalies: [], next: null })).toEqual({ anomalies: [], next: null });
  });

  it.each([
    { name: 'an unknown severity', v: { anomalies: [{ ...anomaly, severity: 'urgent' }], next: null }, want: 'page.anomalies[0].severity: want low, medium, high, critical, got string "urgent"' },
    { name: 'open as text', v: { anomalies: [{ ...anomaly, open: 'false' }], next: null }, want: 'page.anomalies[0].open: want true or false, got string "false"' },
    { name: 'a metric that is no string', v: { anomalies: [{ ...anomaly, metrics: [1] }], next: null }, want: 'page.anomalies[0].metrics[0]: want a string, got number 1' },
    { name: 'next missing', v: { anomalies: [] }, want: 'page.next: want a string, got nothing' },
  ])('rejects $name', ({ v, want }) => {
    expect(() => decodeAnomalyPage(v)).toThrow(want);
  });
});

describe('forecast decoders', () => {
  const model = { series_id: 4, object_key: 'k', step_seconds: 3600, last_time: '2026-11-25T12:00:00Z', fitted_at: '2026-11-25T13:05:00Z', points: 336, summary: 'ETS', notes: null };
  const point = { t: '2026-11-25T13:00:00Z', yhat: 1, lo80: 0.8, hi80: 1.2, lo95: 0.7, hi95: 1.3 };
  const breach = { series, threshold: 0.85, direction: 'above', earliest: '2026-11-26T01:00:00Z', expected: null, certain: null, generated_at: '2026-11-25T13:05:00Z' };

  it('reads a stored forecast with and without a breach', () => {
    const f = decodeStoredForecast({ series, model, forecast: [point], breach: null });
    expect(f.model).toEqual({ stepSeconds: 3600, lastTime: Date.UTC(2026, 10, 25, 12), fittedAt: Date.UTC(2026, 10, 25, 13, 5), points: 336, summary: 'ETS', notes: [] });
    expect(f.forecast).toEqual([{ t: Date.UTC(2026, 10, 25, 13), yhat: 1, lo80: 0.8, hi80: 1.2, lo95: 0.7, hi95: 1.3 }]);
    expect(f.breach).toBeNull();
    expect(decodeStoredForecast({ series, model, forecast: [], breach }).breach?.earliest).toBe(Date.UTC(2026, 10, 26, 1));
  });

  it('reads the list of breaches', () => {
    expect(decodeBreachList({ breaches: [breach] })).toEqual([
      { series: seriesOut, threshold: 0.85, direction: 'above', earliest: Date.UTC(2026, 10, 26, 1), expected: null, certain: null, generatedAt: Date.UTC(2026, 10, 25, 13, 5) },
    ]);
  });

  it.each([
    { name: 'a sideways direction', v: { breaches: [{ ...breach, direction: 'sideways' }] }, want: 'list.breaches[0].direction: want "above" or "below", got string "sideways"' },
    { name: 'no breaches', v: {}, want: 'list.breaches: want an array, got nothing' },
  ])('rejects $name', ({ v, want }) => {
    expect(() => decodeBreachList(v)).toThrow(want);
  });

  const instant = {
    series,
    step_seconds: 3600,
    summary: 'seasonal_ets 100%',
    notes: ['5 spikes replaced by the seasonal fit'],
    fitted_points: 336,
    forecast: [{ t: '2026-11-25T13:00:00Z', yhat: 129, lower: { '80': 127, '95': 126 }, upper: { '80': 133, '95': 139 } }],
  };

  it('reads a forecast made now, its bounds by level', () => {
    expect(decodeInstantForecast(instant)).toEqual({
      stepSeconds: 3600,
      summary: 'seasonal_ets 100%',
      notes: ['5 spikes replaced by the seasonal fit'],
      fittedPoints: 336,
      forecast: [{ t: Date.UTC(2026, 10, 25, 13), yhat: 129, lo80: 127, hi80: 133, lo95: 126, hi95: 139 }],
    });
  });

  it('rejects a forecast made now without the 95% level', () => {
    expect(() => decodeInstantForecast({ ...instant, forecast: [{ ...instant.forecast[0], upper: { '80': 1 } }] })).toThrow('forecast.forecast[0].upper.95: want a number, got nothing');
  });

  it('rejects a forecast point without bounds', () => {
    expect(() => decodeStoredForecast({ series, model, forecast: [{ ...point, hi95: undefined }], breach: null })).toThrow('forecast.forecast[0].hi95: want a number, got nothing');
  });
});

describe('decoders on near-misses of valid answers', () => {
  const valid: [string, (v: unknown) => unknown, unknown][] = [
    ['decodeServiceHealth', decodeServiceHealth, { service: 's', at: '2026-11-25T13:35:59Z', window: '15m0s', score: 88, grade: 'B', status: 'healthy', parts: [{ name: 'cpu', value: 1, warn: 0.7, critical: 0.95, weight: 0.2, score: 0 }], formula: 'f' }],
    ['decodeSeriesList', decodeSeriesList, { series: [series, { ...series, labels: { a: 'b' } }] }],
    ['decodeRangeResult', decodeRangeResult, { series, from: '2026-11-25T12:00:00Z', to: '2026-11-25T13:00:00Z', step_seconds: 60, source: 'raw', points: [[1, 2, 3, 4, 5], [2, 3, 4, 5, 6]] }],
    [
      'decodeAnomalyPage',
      decodeAnomalyPage,
      { anomalies: [{ id: 1, service: 's', start: '2026-11-20T16:18:00Z', end: '2026-11-20T16:32:00Z', open: false, peak_time: '2026-11-20T16:20:00Z', peak_score: 1, severity: 'low', metrics: ['cpu'], description: 'd', observed: 1, expected: null }], next: null },
    ],
    [
      'decodeInstantForecast',
      decodeInstantForecast,
      { step_seconds: 3600, summary: 's', notes: [], fitted_points: 30, forecast: [{ t: '2026-11-25T13:00:00Z', yhat: 1, lower: { '80': 0, '95': -1 }, upper: { '80': 2, '95': 3 } }] },
    ],
    [
      'decodeStoredForecast',
      decodeStoredForecast,
      {
        series,
        model: { step_seconds: 3600, last_time: '2026-11-25T12:00:00Z', fitted_at: '2026-11-25T13:05:00Z', points: 3, summary: 's', notes: ['n'] },
        forecast: [{ t: '2026-11-25T13:00:00Z', yhat: 1, lo80: 0, hi80: 2, lo95: -1, hi95: 3 }],
        breach: { series, threshold: 1, direction: 'below', earliest: null, expected: '2026-11-25T13:00:00Z', certain: null, generated_at: '2026-11-25T13:05:00Z' },
      },
    ],
  ];

  it.each(valid)('%s accepts the valid answer', (_name, decode, v) => {
    expect(() => decode(v)).not.toThrow();
  });

  it.each(valid)('%s throws only DecodeError on a mutated one', (name, decode, v) => {
    const rand = rng(name.length);
    for (let i = 0; i < runs(1000); i++) {
      const m = mutate(rand, v);
      try {
        decode(m);
      } catch (err) {
        expect(err, JSON.stringify(m)).toBeInstanceOf(DecodeError);
      }
    }
  });
});
