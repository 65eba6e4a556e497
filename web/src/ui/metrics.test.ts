import { describe, expect, it } from 'vitest';

import { formatMetric, metricInfo } from './metrics';

describe('formatMetric', () => {
  it.each([
    { metric: 'request_rate', v: 41.73, want: '41.7/s' },
    { metric: 'error_rate', v: 0.00656, want: '0.656%' },
    { metric: 'latency_p95', v: 0.2276, want: '228 ms' },
    { metric: 'latency_p99', v: 2.9, want: '2.9 s' },
    { metric: 'cpu', v: 0.85, want: '85%' },
    { metric: 'memory', v: 3.2 * 1024 ** 3, want: '3.2 GiB' },
    { metric: 'pods', v: 3, want: '3' },
    { metric: 'memory_utilization', v: 0.9, want: '90%' },
    { metric: 'queue_depth', v: 1234, want: '1,234' },
    { metric: 'constructor', v: 2.5, want: '2.5' },
  ])('$metric $v -> $want', ({ metric, v, want }) => {
    expect(formatMetric(metric, v)).toBe(want);
  });
});

describe('metricInfo', () => {
  it('names standard metrics for people and leaves others as they are', () => {
    expect(metricInfo('latency_p95')).toEqual({ name: 'latency_p95', title: 'Latency p95', unit: 'seconds' });
    expect(metricInfo('toString')).toEqual({ name: 'toString', title: 'toString', unit: 'number' });
  });
});
