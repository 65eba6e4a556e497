// What the dashboard knows about metric names: the standard service
// metrics (aiops.StandardMetrics in the Go code) and those the default
// capacity thresholds name have a title and a unit; any other metric is
// shown by its name as a plain number.

import { formatBytes, formatLatency, formatNumber, formatPercent } from './format';

/**
 * How a metric's values read: a rate per second, a fraction shown as a
 * percentage, seconds, bytes, or a plain number.
 */
export type Unit = 'per_second' | 'fraction' | 'seconds' | 'bytes' | 'number';

export interface MetricInfo {
  name: string;
  /** For people: "Latency p95". */
  title: string;
  unit: Unit;
}

const standard: Record<string, Omit<MetricInfo, 'name'>> = {
  request_rate: { title: 'Request rate', unit: 'per_second' },
  error_rate: { title: 'Error rate', unit: 'fraction' },
  latency_p50: { title: 'Latency p50', unit: 'seconds' },
  latency_p95: { title: 'Latency p95', unit: 'seconds' },
  latency_p99: { title: 'Latency p99', unit: 'seconds' },
  cpu: { title: 'CPU (of limit)', unit: 'fraction' },
  memory: { title: 'Memory', unit: 'bytes' },
  restarts: { title: 'Restarts', unit: 'number' },
  pods: { title: 'Pods', unit: 'number' },
  // Not standard metrics, but named by the default capacity thresholds.
  memory_utilization: { title: 'Memory (of limit)', unit: 'fraction' },
  disk_usage: { title: 'Disk used', unit: 'fraction' },
};

export function metricInfo(name: string): MetricInfo {
  const known = Object.hasOwn(standard, name) ? standard[name] : undefined;
  return { name, ...(known ?? { title: name, unit: 'number' }) };
}

/** formatValue shows a value in a unit: "12.3/s", "0.42%", "230 ms", "1.2 GiB", "7". */
export function formatValue(unit: Unit, v: number): string {
  switch (unit) {
    case 'per_second':
      return Number.isFinite(v) ? `${formatNumber(v)}/s` : '–';
    case 'fraction':
      return formatPercent(v);
    case 'seconds':
      return formatLatency(v * 1000);
    case 'bytes':
      return formatBytes(v);
    case 'number':
      return formatNumber(v);
  }
}

/** formatMetric shows a value of the named metric in its unit. */
export function formatMetric(name: string, v: number): string {
  return formatValue(metricInfo(name).unit, v);
}
