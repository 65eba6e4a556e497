import { describe, expect, it } from 'vitest';

import type { HealthPart } from '../api/services';
import { healthReason, parseGoDuration, partLevel, windowLabel } from './health';

const part = (name: string, value: number, warn: number, critical: number, score: number): HealthPart => ({ name, value, warn, critical, weight: 1, score });

describe('partLevel', () => {
  it.each([
    { value: 0.005, want: 'ok' },
    { value: 0.01, want: 'ok' },
    { value: 0.02, want: 'warn' },
    { value: 0.05, want: 'critical' },
    { value: 0.5, want: 'critical' },
  ])('$value against 1%/5% -> $want', ({ value, want }) => {
    expect(partLevel({ value, warn: 0.01, critical: 0.05 })).toBe(want);
  });
});

describe('healthReason', () => {
  it('says why there is no score', () => {
    expect(healthReason({ parts: [] })).toMatch(/^No error rate, p95 latency or CPU data arrived/);
  });

  it('says all is well when every part is within warn', () => {
    expect(healthReason({ parts: [part('error_rate', 0.003, 0.01, 0.05, 100), part('cpu', 0.4, 0.7, 0.95, 100)] })).toBe('Every part is within its warn threshold.');
  });

  it('names the worst part past warn, in its unit', () => {
    const parts = [part('error_rate', 0.003, 0.01, 0.05, 100), part('latency_p95', 1.1, 0.5, 2, 60), part('cpu', 0.75, 0.7, 0.95, 80)];
    expect(healthReason({ parts })).toBe('Latency p95 is 1.1 s, past its warn threshold of 500 ms (critical at 2 s).');
  });

  it('names a part at critical', () => {
    expect(healthReason({ parts: [part('latency_p95', 2.9, 0.5, 2, 0), part('cpu', 0.9, 0.7, 0.95, 20)] })).toBe('Latency p95 is 2.9 s, at or past its critical threshold of 2 s.');
  });
});

describe('parseGoDuration', () => {
  it.each([
    { s: '15m0s', want: 900 },
    { s: '1h30m0s', want: 5400 },
    { s: '45s', want: 45 },
    { s: '1.5s', want: 1.5 },
    { s: '24h0m0s', want: 86400 },
    { s: '', want: Number.NaN },
    { s: '15 minutes', want: Number.NaN },
  ])('$s -> $want', ({ s, want }) => {
    expect(parseGoDuration(s)).toBe(want);
  });

  it('labels windows for people', () => {
    expect(windowLabel('15m0s')).toBe('15 min');
    expect(windowLabel('soon')).toBe('soon');
  });
});
