import { describe, expect, it } from 'vitest';

import type { Bucket } from '../api/metrics';
import { buildTimeline, episodeSpans, summarise, typicalSpacing, type Episode } from './timeline';

/** b is a bucket at t (seconds) with avg v, min v-1, max v+1. */
const b = (t: number, v: number): Bucket => ({ t, avg: v, min: v - 1, max: v + 1, count: 1 });

describe('typicalSpacing', () => {
  it.each([
    { times: [], want: 0 },
    { times: [5], want: 0 },
    { times: [0, 60], want: 60 },
    { times: [0, 60, 120, 180, 600, 660], want: 60 },
    { times: [0, 60, 180, 240], want: 60 },
    { times: [0, 60, 180, 300], want: 120 },
  ])('$times -> $want', ({ times, want }) => {
    expect(typicalSpacing(times)).toBe(want);
  });
});

describe('buildTimeline', () => {
  it('aligns lines on one axis: undefined where a line has no sample, so it joins across', () => {
    const tl = buildTimeline([[b(0, 1), b(60, 2), b(120, 3)], [b(60, 10), b(120, 20), b(180, 30)]], [], 0, 300, 60);
    expect(tl.x).toEqual([0, 60, 120, 180]);
    expect(tl.lines[0]?.avg).toEqual([1, 2, 3, undefined]);
    expect(tl.lines[0]?.min).toEqual([0, 1, 2, undefined]);
    expect(tl.lines[1]?.max).toEqual([undefined, 11, 21, 31]);
    expect(tl.forecast).toBeNull();
  });

  it('breaks a line (null) where its samples are more than 2.5 steps apart', () => {
    // A 5-minute hole in a minute stream: one null just after the last point before it.
    const tl = buildTimeline([[b(0, 1), b(60, 1), b(120, 1), b(420, 1), b(480, 1)]], [], 0, 600, 60);
    expect(tl.x).toEqual([0, 60, 120, 180, 420, 480]);
    expect(tl.lines[0]?.avg).toEqual([1, 1, 1, null, 1, 1]);
  });

  it('does not break at twice the spacing (one lost bucket)', () => {
    const tl = buildTimeline([[b(0, 1), b(60, 1), b(180, 1), b(240, 1)]], [], 0, 600, 60);
    expect(tl.lines[0]?.avg).not.toContain(null);
  });

  it("judges gaps by a line's own spacing when it is coarser than the step", () => {
    // 15-second steps over points a minute apart: no gaps, a real hole still breaks.
    const tl = buildTimeline([[b(0, 1), b(60, 1), b(120, 1), b(180, 1), b(600, 1)]], [], 0, 600, 15);
    expect(tl.lines[0]?.avg).toEqual([1, 1, 1, 1, null, 1]);
    expect(tl.x[4]).toBe(240);
  });

  it("keeps one line's gap from breaking another", () => {
    const tl = buildTimeline([[b(0, 1), b(60, 1), b(120, 1), b(600, 1)], [b(0, 5), b(60, 5), b(120, 5), b(180, 5), b(600, 5)]], [], 0, 600, 60);
    const gap = tl.x.indexOf(180);
    expect(tl.lines[0]?.avg[gap]).toBeNull();
    expect(tl.lines[1]?.avg[gap]).toBe(5);
  });

  it('places the forecast in range (ms to seconds), past the data', () => {
    const fc = [0, 1, 2, 3].map((k) => ({ t: (3600 + k * 3600) * 1000, yhat: k, lo80: k - 1, hi80: k + 1, lo95: k - 2, hi95: k + 2 }));
    const tl = buildTimeline([[b(3540, 7), b(3600, 8)]], fc, 0, 3 * 3600, 60);
    expect(tl.x).toEqual([3540, 3600, 7200, 10800]);
    expect(tl.forecast?.yhat).toEqual([undefined, 0, 1, 2]);
    expect(tl.forecast?.lo95).toEqual([undefined, -2, -1, 0]);
    expect(tl.forecast?.hi80).toEqual([undefined, 1, 2, 3]);
    expect(tl.lines[0]?.avg).toEqual([7, 8, undefined, undefined]);
  });

  it('leaves out what lies outside [from, to]', () => {
    const tl = buildTimeline([[b(-60, 1), b(0, 2), b(60, 3), b(120, 4)]], [{ t: 999_000, yhat: 1, lo80: 1, hi80: 1, lo95: 1, hi95: 1 }], 0, 60, 60);
    expect(tl.x).toEqual([0, 60]);
    expect(tl.forecast).toBeNull();
  });

  it('is empty without data', () => {
    expect(buildTimeline([[]], [], 0, 60, 60)).toEqual({ x: [], lines: [{ avg: [], min: [], max: [] }], forecast: null });
  });
});

describe('episodeSpans', () => {
  const ep = (startS: number, endS: number, severity: Episode['severity'], metrics: string[] = ['cpu']): Episode => ({
    start: startS * 1000,
    end: endS * 1000,
    severity,
    metrics,
  });

  it('covers each episode to the end of its last minute', () => {
    expect(episodeSpans([ep(600, 900, 'low')], ['cpu'], 0, 3600)).toEqual([{ start: 600, end: 960, severity: 'low', involved: true }]);
  });

  it('clips to the chart and drops what lies outside', () => {
    expect(episodeSpans([ep(-600, 60, 'high'), ep(3500, 4000, 'low'), ep(5000, 6000, 'critical')], ['cpu'], 0, 3600)).toEqual([
      { start: 0, end: 120, severity: 'high', involved: true },
      { start: 3500, end: 3600, severity: 'low', involved: true },
    ]);
  });

  it('merges overlapping and touching episodes, keeping the highest severity', () => {
    const got = episodeSpans([ep(1200, 1500, 'medium', ['memory']), ep(600, 900, 'low', ['memory']), ep(960, 1000, 'critical', ['cpu']), ep(2000, 2100, 'low', ['memory'])], ['cpu'], 0, 3600);
    expect(got).toEqual([
      { start: 600, end: 1060, severity: 'critical', involved: true },
      { start: 1200, end: 1560, severity: 'medium', involved: false },
      { start: 2000, end: 2160, severity: 'low', involved: false },
    ]);
  });

  it('marks whether an episode involved one of the chart’s metrics', () => {
    expect(episodeSpans([ep(0, 0, 'low', ['error_rate', 'latency_p99'])], ['latency_p50', 'latency_p95', 'latency_p99'], 0, 3600)[0]?.involved).toBe(true);
    expect(episodeSpans([ep(0, 0, 'low', ['error_rate'])], ['cpu'], 0, 3600)[0]?.involved).toBe(false);
  });
});

describe('summarise', () => {
  it('reads the latest average and the extremes of the bands', () => {
    expect(summarise([b(0, 5), b(60, 2), b(120, 9), b(180, 4)])).toEqual({ latest: 4, min: 1, max: 10 });
    expect(summarise([])).toEqual({ latest: undefined, min: undefined, max: undefined });
  });
});
