import { describe, expect, it } from 'vitest';

import type { Series } from '../../api/metrics';
import { chartSpecs, pickSeries, thresholdOf } from './charts';

const s = (id: number, metric: string, labels: Record<string, string> = {}, lastPoint: number | null = 1000): Series => ({
  id,
  service: 'svc',
  metric,
  labels,
  firstPoint: 0,
  lastPoint,
});

describe('pickSeries', () => {
  it('returns undefined when the metric has no series', () => {
    expect(pickSeries([s(1, 'cpu')], 'memory')).toBeUndefined();
  });

  it('prefers the unlabelled aggregate', () => {
    expect(pickSeries([s(1, 'cpu', { pod: 'a' }), s(2, 'cpu'), s(3, 'memory')], 'cpu')?.id).toBe(2);
  });

  it('then the fewest labels', () => {
    expect(pickSeries([s(1, 'cpu', { pod: 'a', zone: 'x' }), s(2, 'cpu', { zone: 'x' })], 'cpu')?.id).toBe(2);
  });

  it('then the most recent data, then the lowest id', () => {
    expect(pickSeries([s(1, 'cpu', { pod: 'a' }, 10), s(2, 'cpu', { pod: 'b' }, 20), s(3, 'cpu', { pod: 'c' }, null)], 'cpu')?.id).toBe(2);
    expect(pickSeries([s(9, 'cpu', { pod: 'a' }), s(4, 'cpu', { pod: 'b' })], 'cpu')?.id).toBe(4);
  });
});

describe('chartSpecs', () => {
  it('forecast a metric they draw', () => {
    for (const spec of chartSpecs) expect(spec.metrics, spec.key).toContain(spec.forecast);
  });

  it('cover the standard metrics a page must show', () => {
    const drawn = chartSpecs.flatMap((c) => c.metrics);
    for (const m of ['request_rate', 'error_rate', 'latency_p50', 'latency_p95', 'latency_p99', 'cpu', 'memory']) expect(drawn).toContain(m);
  });
});

describe('thresholdOf', () => {
  const parts = [
    { name: 'error_rate', value: 0.003, warn: 0.01, critical: 0.05, weight: 0.5, score: 100 },
    { name: 'latency_p95', value: 1.1, warn: 0.5, critical: 2, weight: 0.3, score: 60 },
  ];
  it('finds the part among the chart’s metrics', () => {
    expect(thresholdOf(['latency_p50', 'latency_p95', 'latency_p99'], parts)).toEqual({ metric: 'latency_p95', warn: 0.5, critical: 2 });
  });
  it('is undefined for other metrics and without parts', () => {
    expect(thresholdOf(['memory'], parts)).toBeUndefined();
    expect(thresholdOf(['error_rate'], [])).toBeUndefined();
  });
});
