// The overview's logic: which services come first and how many anomaly
// episodes each has.

import type { Anomaly } from '../../api/anomalies';
import type { HealthStatus, ServiceHealth } from '../../api/services';

export interface ServiceRow {
  name: string;
  /** undefined when the health score could not be read. */
  health: ServiceHealth | undefined;
}

/** Worst first: what needs someone at 3 a.m. is at the top. Unreadable health counts as no data. */
const concern: Record<HealthStatus, number> = { critical: 0, degraded: 1, no_data: 2, healthy: 3 };

/** byConcern orders services by status (critical first), then lowest score, then name. */
export function byConcern<T extends ServiceRow>(rows: readonly T[]): T[] {
  const rank = (r: ServiceRow) => concern[r.health?.status ?? 'no_data'];
  const score = (r: ServiceRow) => r.health?.score ?? Infinity;
  return [...rows].sort((a, b) => rank(a) - rank(b) || score(a) - score(b) || a.name.localeCompare(b.name));
}

export interface EpisodeCount {
  open: number;
  total: number;
}

/** countEpisodes counts episodes per service: those still open, and all. */
export function countEpisodes(list: readonly Pick<Anomaly, 'service' | 'open'>[]): Map<string, EpisodeCount> {
  const out = new Map<string, EpisodeCount>();
  for (const a of list) {
    const c = out.get(a.service) ?? { open: 0, total: 0 };
    c.total++;
    if (a.open) c.open++;
    out.set(a.service, c);
  }
  return out;
}

/** statusCounts counts services per health status, for the summary line. */
export function statusCounts(rows: readonly ServiceRow[]): Record<HealthStatus, number> {
  const out: Record<HealthStatus, number> = { critical: 0, degraded: 0, no_data: 0, healthy: 0 };
  for (const r of rows) out[r.health?.status ?? 'no_data']++;
  return out;
}
