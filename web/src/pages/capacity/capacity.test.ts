import { describe, expect, it } from 'vitest';

import type { Breach } from '../../api/forecasts';
import { bySoonest, soonest, thresholdText } from './capacity';

const breach = (id: number, service: string, times: Partial<Pick<Breach, 'earliest' | 'expected' | 'certain'>>, metric = 'cpu'): Breach => ({
  series: { id, service, metric, labels: {}, firstPoint: 0, lastPoint: 0 },
  threshold: 0.85,
  direction: 'above',
  earliest: null,
  expected: null,
  certain: null,
  generatedAt: 0,
  ...times,
});

describe('soonest', () => {
  it('takes the first of earliest, expected, certain', () => {
    expect(soonest({ earliest: 5, expected: 3, certain: 9 })).toBe(5);
    expect(soonest({ earliest: null, expected: 3, certain: 1 })).toBe(3);
    expect(soonest({ earliest: null, expected: null, certain: 1 })).toBe(1);
    expect(soonest({ earliest: null, expected: null, certain: null })).toBe(Infinity);
  });
});

describe('bySoonest', () => {
  it('orders soonest first, none-within-horizon last, ties by service, metric and id', () => {
    const list = [
      breach(1, 'b', { expected: 300 }),
      breach(2, 'a', {}),
      breach(3, 'c', { earliest: 100, expected: 500 }),
      breach(4, 'a', { earliest: 300 }, 'memory_utilization'),
      breach(5, 'a', { earliest: 300 }),
      breach(6, 'a', {}),
    ];
    expect(bySoonest(list).map((b) => b.series.id)).toEqual([3, 5, 4, 1, 2, 6]);
    expect(list.map((b) => b.series.id)).toEqual([1, 2, 3, 4, 5, 6]); // the input stays as it was
  });
});

describe('thresholdText', () => {
  it('reads the threshold in its metric’s unit', () => {
    expect(thresholdText(breach(1, 'a', {}))).toBe('above 85%');
    expect(thresholdText({ ...breach(1, 'a', {}, 'disk_free'), threshold: 1e9, direction: 'below' })).toBe('below 1,000,000,000');
  });
});
