import { describe, expect, it } from 'vitest';

import { formatLatency, relativeTime } from './format';

describe('formatLatency', () => {
  it.each([
    { ms: 0, want: '0 ms' },
    { ms: 0.04, want: '0 ms' },
    { ms: 0.8, want: '0.8 ms' },
    { ms: 2.449, want: '2.4 ms' },
    { ms: 9.96, want: '10 ms' },
    { ms: 37.104, want: '37 ms' },
    { ms: 999.4, want: '999 ms' },
    { ms: 1000, want: '1 s' },
    { ms: 2449, want: '2.4 s' },
    { ms: 12_345, want: '12 s' },
    { ms: -1, want: '–' },
    { ms: Number.NaN, want: '–' },
  ])('$ms ms -> $want', ({ ms, want }) => {
    expect(formatLatency(ms)).toBe(want);
  });
});

describe('relativeTime', () => {
  const now = Date.parse('2025-06-15T12:00:00Z');
  it.each([
    { iso: '2025-06-15T11:59:30Z', want: 'just now' },
    { iso: '2025-06-15T11:59:00Z', want: '1 minute ago' },
    { iso: '2025-06-15T11:15:00Z', want: '45 minutes ago' },
    { iso: '2025-06-15T09:00:00Z', want: '3 hours ago' },
    { iso: '2025-06-14T12:00:00Z', want: 'yesterday' },
    { iso: '2025-06-01T12:00:00Z', want: '2 weeks ago' },
    { iso: '2024-06-01T12:00:00Z', want: 'last year' },
    { iso: '2025-06-15T12:05:00Z', want: 'in 5 minutes' },
    { iso: 'not a date', want: '' },
  ])('$iso -> $want', ({ iso, want }) => {
    expect(relativeTime(iso, now)).toBe(want);
  });
});
