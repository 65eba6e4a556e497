// Which charts a service page draws and which stored series feed them.

import type { Series } from '../../api/metrics';
import type { HealthPart } from '../../api/services';
import type { Unit } from '../../ui/metrics';

export interface ChartSpec {
  /** Names the chart in the page (ids, test selectors). */
  key: string;
  title: string;
  /** The metrics drawn, one line each, in legend order. */
  metrics: readonly string[];
  /** The metric whose forecast continues the chart; one cone is readable, three are not. */
  forecast: string;
  unit: Unit;
}

/** The standard metrics, in the order an operator reads them: traffic, errors, latency, saturation. */
export const chartSpecs: readonly ChartSpec[] = [
  { key: 'requests', title: 'Request rate', metrics: ['request_rate'], forecast: 'request_rate', unit: 'per_second' },
  { key: 'errors', title: 'Error rate', metrics: ['error_rate'], forecast: 'error_rate', unit: 'fraction' },
  { key: 'latency', title: 'Latency', metrics: ['latency_p50', 'latency_p95', 'latency_p99'], forecast: 'latency_p95', unit: 'seconds' },
  { key: 'cpu', title: 'CPU (of limit)', metrics: ['cpu'], forecast: 'cpu', unit: 'fraction' },
  { key: 'memory', title: 'Memory', metrics: ['memory'], forecast: 'memory', unit: 'bytes' },
];

/**
 * pickSeries chooses the series that stands for a service's metric: the
 * service-wide aggregate (no labels) when there is one, else the one with
 * the fewest labels, then the most recent data, then the oldest id — so
 * the choice is stable from one refresh to the next.
 */
export function pickSeries(list: readonly Series[], metric: string): Series | undefined {
  let best: Series | undefined;
  for (const s of list) {
    if (s.metric !== metric) continue;
    if (best === undefined || better(s, best)) best = s;
  }
  return best;
}

function better(a: Series, b: Series): boolean {
  const la = Object.keys(a.labels).length;
  const lb = Object.keys(b.labels).length;
  if (la !== lb) return la < lb;
  const ta = a.lastPoint ?? -Infinity;
  const tb = b.lastPoint ?? -Infinity;
  if (ta !== tb) return ta > tb;
  return a.id < b.id;
}

/** The health score's thresholds of one metric, which a chart marks as dashed levels. */
export interface Threshold {
  metric: string;
  warn: number;
  critical: number;
}

/**
 * thresholdOf is the thresholds of the first of metrics that is a part of
 * the health score (error rate, p95 latency, CPU); undefined for charts of
 * other metrics, and while the score is unknown.
 */
export function thresholdOf(metrics: readonly string[], parts: readonly HealthPart[]): Threshold | undefined {
  const p = parts.find((x) => metrics.includes(x.name));
  return p && { metric: p.name, warn: p.warn, critical: p.critical };
}
