// Ordering and wording of predicted capacity breaches.

import type { Breach } from '../../api/forecasts';
import { formatMetric } from '../../ui/metrics';

/**
 * soonest is when a breach may first happen: the 95% interval's near bound
 * crossing, else the point forecast's, else the far bound's; Infinity when
 * none is within the horizon.
 */
export function soonest(b: Pick<Breach, 'earliest' | 'expected' | 'certain'>): number {
  return b.earliest ?? b.expected ?? b.certain ?? Infinity;
}

/** bySoonest orders breaches soonest first; ties by service, then metric, then series id. */
export function bySoonest(list: readonly Breach[]): Breach[] {
  return [...list].sort(
    (a, b) =>
      soonest(a) - soonest(b) ||
      a.series.service.localeCompare(b.series.service) ||
      a.series.metric.localeCompare(b.series.metric) ||
      a.series.id - b.series.id,
  );
}

/** thresholdText is a breach's threshold in words: "above 85%". */
export function thresholdText(b: Pick<Breach, 'series' | 'threshold' | 'direction'>): string {
  return `${b.direction} ${formatMetric(b.series.metric, b.threshold)}`;
}
