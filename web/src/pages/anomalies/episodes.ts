// Reading anomaly episodes for people.

import type { Anomaly } from '../../api/anomalies';
import { formatDuration } from '../../ui/format';
import { formatMetric } from '../../ui/metrics';

/**
 * episodeLength says how long an episode lasted (closed) or has lasted so
 * far (open): from its start to the end of its last anomalous minute.
 */
export function episodeLength(a: Pick<Anomaly, 'start' | 'end' | 'open'>): string {
  const d = formatDuration((a.end + 60_000 - a.start) / 1000);
  return a.open ? `${d} so far` : d;
}

/**
 * peakReading is the peak metric's value against its usual level:
 * "1.8 s (usually 230 ms)"; the value alone without a baseline.
 */
export function peakReading(a: Pick<Anomaly, 'metrics' | 'observed' | 'expected'>): string {
  const metric = a.metrics[0] ?? '';
  const f = (v: number) => formatMetric(metric, v);
  return a.expected === null ? f(a.observed) : `${f(a.observed)} (usually ${f(a.expected)})`;
}
