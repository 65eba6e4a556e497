import { describe, expect, it } from 'vitest';

import type { HealthStatus, ServiceHealth } from '../../api/services';
import { byConcern, countEpisodes, statusCounts, type ServiceRow } from './overview';

const row = (name: string, status?: HealthStatus, score: number | null = null): ServiceRow => ({
  name,
  health:
    status === undefined ? undefined : ({ service: name, at: 0, window: '15m0s', score, grade: 'A', status, parts: [], formula: '' } satisfies ServiceHealth),
});

describe('byConcern', () => {
  it('puts critical first, then degraded, unknown, healthy; lower scores and then names first within', () => {
    const rows = [row('h1', 'healthy', 100), row('h0', 'healthy', 95), row('d', 'degraded', 50), row('n', 'no_data'), row('x'), row('c2', 'critical', 30), row('c1', 'critical', 30)];
    expect(byConcern(rows).map((r) => r.name)).toEqual(['c1', 'c2', 'd', 'n', 'x', 'h0', 'h1']);
  });
});

describe('countEpisodes', () => {
  it('counts open and all episodes per service', () => {
    const got = countEpisodes([
      { service: 'a', open: true },
      { service: 'a', open: false },
      { service: 'b', open: false },
    ]);
    expect(Object.fromEntries(got)).toEqual({ a: { open: 1, total: 2 }, b: { open: 0, total: 1 } });
  });
});

describe('statusCounts', () => {
  it('counts unreadable health as no data', () => {
    expect(statusCounts([row('a', 'healthy', 99), row('b'), row('c', 'critical', 3)])).toEqual({ critical: 1, degraded: 0, no_data: 1, healthy: 1 });
  });
});
