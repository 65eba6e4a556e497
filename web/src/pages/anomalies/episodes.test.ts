import { describe, expect, it } from 'vitest';

import { serviceHref, episodeHref } from '../service/links';
import { episodeLength, peakReading } from './episodes';

const min = 60_000;

describe('episodeLength', () => {
  it.each([
    { start: 0, end: 0, open: false, want: '1 min' },
    { start: 0, end: 4 * min, open: false, want: '5 min' },
    { start: 0, end: 60 * min, open: false, want: '1 h 1 min' },
    { start: 0, end: 11 * min, open: true, want: '12 min so far' },
  ])('$start..$end open=$open -> $want', (a) => {
    expect(episodeLength(a)).toBe(a.want);
  });
});

describe('peakReading', () => {
  it.each([
    { metrics: ['latency_p95'], observed: 6.5, expected: 3.1, want: '6.5 s (usually 3.1 s)' },
    { metrics: ['error_rate', 'latency_p99'], observed: 0.217, expected: 0.00291, want: '21.7% (usually 0.291%)' },
    { metrics: ['restarts'], observed: 2, expected: null, want: '2' },
    { metrics: [], observed: 2.25, expected: null, want: '2.25' },
  ])('$metrics -> $want', (a) => {
    expect(peakReading(a)).toBe(a.want);
  });
});

describe('links to the service page', () => {
  const now = Date.parse('2025-06-15T12:00:00Z');
  it('leave out the default range and a live end', () => {
    expect(serviceHref('checkout-api')).toBe('#/services/checkout-api');
    expect(serviceHref('checkout-api', { range: '24h' })).toBe('#/services/checkout-api');
    expect(serviceHref('a/b', { range: '7d' })).toBe('#/services/a%2Fb?range=7d');
  });

  it('lead to an episode at its time', () => {
    const start = now - 48 * 3_600_000;
    expect(episodeHref({ service: 'search', start, end: start + 4 * min }, now)).toBe(`#/services/search?range=1h&end=${(start + 33 * min) / 1000}`);
    expect(episodeHref({ service: 'search', start: now - 10 * min, end: now - min }, now)).toBe('#/services/search?range=1h');
  });
});
