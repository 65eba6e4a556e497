import { describe, expect, it } from 'vitest';

import { episodeView, forecastReach, instantHorizon, parseEnd, rangeOf, windowOf } from './range';

const hour = 3_600_000;
const now = Date.parse('2025-06-15T12:00:00Z');

describe('rangeOf', () => {
  it.each([
    { key: '1h', want: '1h' },
    { key: '14d', want: '14d' },
    { key: null, want: '24h' },
    { key: '2h', want: '24h' },
    { key: '__proto__', want: '24h' },
  ])('$key -> $want', ({ key, want }) => {
    expect(rangeOf(key).key).toBe(want);
  });
});

describe('parseEnd', () => {
  it.each([
    { raw: null, want: undefined },
    { raw: '', want: undefined },
    { raw: '1749902400', want: 1749902400_000 },
    { raw: '1749902400.5', want: undefined },
    { raw: '-1', want: undefined },
    { raw: 'yesterday', want: undefined },
    { raw: String(now / 1000), want: undefined },
    { raw: String(now / 1000 + 60), want: undefined },
    { raw: '9999999999999', want: undefined },
  ])('$raw -> $want', ({ raw, want }) => {
    expect(parseEnd(raw, now)).toBe(want);
  });
});

describe('windowOf', () => {
  it('ends now when live', () => {
    expect(windowOf(rangeOf('6h'), undefined, now)).toEqual({ from: now - 6 * hour, to: now, live: true });
  });
  it('ends at end otherwise', () => {
    expect(windowOf(rangeOf('1h'), now - 24 * hour, now)).toEqual({ from: now - 25 * hour, to: now - 24 * hour, live: false });
  });
});

describe('forecastReach', () => {
  it.each([
    { key: '1h', live: true, want: 0 },
    { key: '6h', live: true, want: 1.5 * hour },
    { key: '24h', live: true, want: 6 * hour },
    { key: '14d', live: true, want: 84 * hour },
    { key: '24h', live: false, want: 0 },
  ])('$key live=$live -> $want', ({ key, live, want }) => {
    expect(forecastReach(rangeOf(key), live)).toBe(want);
  });
});

describe('episodeView', () => {
  const min = 60_000;
  it.each([
    // A 5-minute episode two days ago: an hour around it.
    { name: 'short, old', start: now - 48 * hour, end: now - 48 * hour + 4 * min, want: { range: '1h', end: (now - 48 * hour + 33 * min) / 1000 } },
    // 1 h 1 min: three times that needs 6 hours.
    { name: 'an hour, old', start: now - 48 * hour, end: now - 47 * hour, want: { range: '6h', end: (now - 48 * hour + 3.5 * hour + min) / 1000 } },
    // 10 hours: a day would not be three times as long; a week is.
    { name: 'long', start: now - 100 * hour, end: now - 90 * hour, want: { range: '7d', end: (now - 95 * hour + 84 * hour + min) / 1000 } },
    // Recent enough that the window would reach now: live.
    { name: 'recent', start: now - 20 * min, end: now - 10 * min, want: { range: '1h', end: undefined } },
    { name: 'open, ending now', start: now - 3 * hour, end: now - min, want: { range: '24h', end: undefined } },
    // Longer than a third of the longest range: the longest.
    { name: 'longer than anything', start: now - 30 * 24 * hour, end: now - 20 * 24 * hour, want: { range: '14d', end: (now - 25 * 24 * hour + 7 * 24 * hour) / 1000 + 60 } },
  ])('$name', ({ start, end, want }) => {
    const got = episodeView(start, end, now);
    expect(got.range).toBe(want.range);
    if (want.end === undefined) expect(got.end).toBeUndefined();
    else expect(got.end).toBe(Math.ceil(want.end / 60) * 60);
  });

  it('always shows the whole episode', () => {
    for (let d = 1; d < 5000; d += 37) {
      const start = now - 20 * 24 * hour;
      const end = start + d * min;
      const v = episodeView(start, end, now);
      const w = windowOf(rangeOf(v.range), v.end === undefined ? undefined : v.end * 1000, now);
      if (3 * (d + 1) * min <= 14 * 24 * hour) {
        expect(w.from, `${d} min`).toBeLessThanOrEqual(start);
        expect(w.to, `${d} min`).toBeGreaterThanOrEqual(end + min);
      }
    }
  });
});

describe('instantHorizon', () => {
  it.each([
    { reach: 0, want: 24 },
    { reach: 1.5 * hour, want: 24 },
    { reach: 42 * hour, want: 44 },
    { reach: 84 * hour, want: 86 },
    { reach: 84 * hour + 1, want: 87 },
  ])('$reach ms -> $want steps', ({ reach, want }) => {
    expect(instantHorizon(reach)).toBe(want);
  });
});
