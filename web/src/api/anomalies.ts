// Anomaly episodes: /api/v1/anomalies.

import type { ApiClient } from './client';
import { DecodeError, Fields } from './decode';

/** Severities in increasing order (aiops.Severities); a filter keeps a level and those above. */
export const severities = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof severities)[number];

/**
 * An episode: consecutive minutes in which a service's metrics behaved
 * unusually, merged into one record an operator reads once.
 */
export interface Anomaly {
  id: number;
  service: string;
  /** Epoch ms. end is the last anomalous minute seen (its start). */
  start: number;
  end: number;
  /** Still going on: end may move. */
  open: boolean;
  peakTime: number;
  peakScore: number;
  /** The severity of the peak. */
  severity: Severity;
  /** The metrics that were anomalous, the peak's first. */
  metrics: string[];
  /** The plain-language sentence for the peak. */
  description: string;
  /** The peak metric's value and usual level (null: no baseline). */
  observed: number;
  expected: number | null;
}

export interface AnomalyPage {
  anomalies: Anomaly[];
  /** The cursor of the following (older) page, for before=; null on the last page. */
  next: string | null;
}

export interface AnomalyFilter {
  service?: string | undefined;
  /** Keep this severity and above. */
  severity?: Severity | undefined;
  /** Episodes overlapping [from, to), epoch ms. */
  from?: number | undefined;
  to?: number | undefined;
  limit?: number | undefined;
  /** A cursor from a previous page's next. */
  before?: string | undefined;
}

/** listAnomalies reads GET /api/v1/anomalies: episodes newest first. */
export function listAnomalies(api: ApiClient, filter: AnomalyFilter = {}, signal?: AbortSignal): Promise<AnomalyPage> {
  return api.request('GET', '/api/v1/anomalies', decodeAnomalyPage, {
    query: {
      service: filter.service,
      severity: filter.severity,
      from: filter.from === undefined ? undefined : filter.from / 1000,
      to: filter.to === undefined ? undefined : filter.to / 1000,
      limit: filter.limit,
      before: filter.before,
    },
    ...(signal && { signal }),
  });
}

export function isSeverity(s: string): s is Severity {
  return (severities as readonly string[]).includes(s);
}

export function decodeAnomalyPage(v: unknown): AnomalyPage {
  const f = new Fields(v, 'page');
  return { anomalies: f.list('anomalies', decodeAnomaly), next: f.nullableString('next') };
}

function decodeAnomaly(v: unknown, path: string): Anomaly {
  const f = new Fields(v, path);
  const severity = f.string('severity');
  if (!isSeverity(severity)) throw new DecodeError(`${path}.severity`, severities.join(', '), severity);
  return {
    id: f.number('id'),
    service: f.string('service'),
    start: f.time('start'),
    end: f.time('end'),
    open: f.boolean('open'),
    peakTime: f.time('peak_time'),
    peakScore: f.number('peak_score'),
    severity,
    metrics: f.stringList('metrics'),
    description: f.string('description'),
    observed: f.number('observed'),
    expected: f.nullableNumber('expected'),
  };
}
