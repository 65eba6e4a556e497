import { describe, expect, it } from 'vitest';

import { formatBytes, formatDuration, formatLatency, formatNumber, formatPercent, relativeTime } from './format';

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

describe('formatNumber', () => {
  it.each([
    { v: 0, want: '0' },
    { v: 7, want: '7' },
    { v: 12.345, want: '12.3' },
    { v: 0.004213, want: '0.00421' },
    { v: 999.6, want: '1,000' },
    { v: 1234.5, want: '1,235' },
    { v: -2.5, want: '-2.5' },
    { v: Number.POSITIVE_INFINITY, want: '–' },
  ])('$v -> $want', ({ v, want }) => {
    expect(formatNumber(v)).toBe(want);
  });
});

describe('formatPercent', () => {
  it.each([
    { f: 0, want: '0%' },
    { f: 0.0042, want: '0.42%' },
    { f: 0.003149, want: '0.315%' },
    { f: 0.4307, want: '43.1%' },
    { f: 1, want: '100%' },
    { f: 1.234, want: '123%' },
    { f: Number.NaN, want: '–' },
  ])('$f -> $want', ({ f, want }) => {
    expect(formatPercent(f)).toBe(want);
  });
});

describe('formatBytes', () => {
  it.each([
    { b: 0, want: '0 B' },
    { b: 512, want: '512 B' },
    { b: 1536, want: '1.5 KiB' },
    { b: 512 * 1024 ** 2, want: '512 MiB' },
    { b: 3.2 * 1024 ** 3, want: '3.2 GiB' },
    { b: 1023.9 * 1024 ** 2, want: '1,020 MiB' },
    { b: 2 * 1024 ** 6, want: '2,050 PiB' },
  ])('$b -> $want', ({ b, want }) => {
    expect(formatBytes(b)).toBe(want);
  });
});

describe('formatDuration', () => {
  it.each([
    { s: 0, want: '0 s' },
    { s: 59.9, want: '59 s' },
    { s: 60, want: '1 min' },
    { s: 61 * 60, want: '1 h 1 min' },
    { s: 3 * 3600, want: '3 h' },
    { s: 2 * 86400 + 3 * 3600 + 59 * 60, want: '2 d 3 h' },
    { s: 86400 + 5 * 60, want: '1 d' },
    { s: -1, want: '–' },
  ])('$s s -> $want', ({ s, want }) => {
    expect(formatDuration(s)).toBe(want);
  });
});
