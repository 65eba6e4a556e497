// Reading a service's health score for people: where each part stands
// against its thresholds, and one sentence on what holds the score back.

import type { HealthPart, ServiceHealth } from '../api/services';
import { formatDuration } from './format';
import { formatMetric, metricInfo } from './metrics';

/** Where a part's value stands: within warn, between warn and critical, or at or past critical. */
export type PartLevel = 'ok' | 'warn' | 'critical';

/** partLevel places a value against its thresholds (warn < critical, higher is worse). */
export function partLevel(p: Pick<HealthPart, 'value' | 'warn' | 'critical'>): PartLevel {
  if (p.value >= p.critical) return 'critical';
  if (p.value > p.warn) return 'warn';
  return 'ok';
}

/**
 * healthReason is one sentence on why a service scores as it does: the
 * worst part (lowest score) when it is past its warn threshold, else that
 * every part is within its threshold.
 */
export function healthReason(h: Pick<ServiceHealth, 'parts'>): string {
  if (h.parts.length === 0) return 'No error rate, p95 latency or CPU data arrived in the window, so there is no score.';
  let worst = h.parts[0] as HealthPart;
  for (const p of h.parts) if (p.score < worst.score) worst = p;
  const level = partLevel(worst);
  if (level === 'ok') return 'Every part is within its warn threshold.';
  const f = (v: number) => formatMetric(worst.name, v);
  const title = metricInfo(worst.name).title;
  return level === 'critical'
    ? `${title} is ${f(worst.value)}, at or past its critical threshold of ${f(worst.critical)}.`
    : `${title} is ${f(worst.value)}, past its warn threshold of ${f(worst.warn)} (critical at ${f(worst.critical)}).`;
}

/**
 * parseGoDuration reads a duration as Go prints it ("15m0s", "1h30m0s",
 * "45s") into seconds; NaN for anything else.
 */
export function parseGoDuration(s: string): number {
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+(?:\.\d+)?)s)?$/.exec(s);
  if (!m || s === '') return Number.NaN;
  return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
}

/** windowLabel is a health window for people: "15 min"; the raw text when it does not parse. */
export function windowLabel(window: string): string {
  const s = parseGoDuration(window);
  return Number.isNaN(s) ? window : formatDuration(s);
}
