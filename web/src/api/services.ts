// The service registry: /api/v1/services.

import type { ApiClient } from './client';
import { DecodeError, Fields, none } from './decode';

/**
 * The registry's closed set of service types (aiops.ServiceTypes in the
 * Go code; the API rejects any other).
 */
export const serviceTypes = ['api', 'web', 'worker', 'database', 'queue', 'cache', 'pipeline', 'process-engine', 'batch', 'other'] as const;

/** Registry lifecycle statuses (aiops.ServiceStatuses), not health. */
export const serviceStatuses = ['active', 'maintenance', 'retired'] as const;

export interface Service {
  name: string;
  type: string;
  labels: Record<string, string>;
  ownerTeam: string;
  status: string;
  /** When data last arrived for the service; null: never. */
  lastSeen: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface ServiceList {
  services: Service[];
  total: number;
  limit: number;
  offset: number;
}

export interface ServiceFilter {
  type?: string | undefined;
  ownerTeam?: string | undefined;
  status?: string | undefined;
  limit?: number | undefined;
  offset?: number | undefined;
}

/** The body of POST /api/v1/services; omitted fields take the API's defaults. */
export interface NewService {
  name: string;
  type?: string;
  labels?: Record<string, string>;
  owner_team?: string;
  status?: string;
}

export function listServices(api: ApiClient, filter: ServiceFilter = {}, signal?: AbortSignal): Promise<ServiceList> {
  return api.request('GET', '/api/v1/services', decodeServiceList, {
    query: { type: filter.type, owner_team: filter.ownerTeam, status: filter.status, limit: filter.limit, offset: filter.offset },
    ...(signal && { signal }),
  });
}

export function getService(api: ApiClient, name: string, signal?: AbortSignal): Promise<Service> {
  return api.request('GET', servicePath(name), (v) => decodeService(v, 'service'), signal ? { signal } : {});
}

export function createService(api: ApiClient, svc: NewService): Promise<Service> {
  return api.request('POST', '/api/v1/services', (v) => decodeService(v, 'service'), { body: svc });
}

export function deleteService(api: ApiClient, name: string): Promise<void> {
  return api.request('DELETE', servicePath(name), none);
}

function servicePath(name: string): string {
  return '/api/v1/services/' + encodeURIComponent(name);
}

/** A service's health verdict (not to be confused with its registry status). */
export type HealthStatus = 'healthy' | 'degraded' | 'critical' | 'no_data';

/** One input of the health score: a metric's recent average against its thresholds. */
export interface HealthPart {
  /** The metric: error_rate, latency_p95 or cpu. */
  name: string;
  value: number;
  warn: number;
  critical: number;
  weight: number;
  /** 0–100: 100 at or below warn, 0 at or above critical. */
  score: number;
}

export interface ServiceHealth {
  service: string;
  /** The end of the window the parts are averaged over (epoch ms). */
  at: number;
  /** The window, as Go writes durations ("15m0s"). */
  window: string;
  /** 0–100; null when no part has data. */
  score: number | null;
  grade: string;
  status: HealthStatus;
  /** The parts with data; empty when status is no_data. */
  parts: HealthPart[];
  formula: string;
}

const healthStatuses: readonly HealthStatus[] = ['healthy', 'degraded', 'critical', 'no_data'];

/**
 * getServiceHealth reads GET /api/v1/services/{name}/health, the score at
 * at (epoch ms; now when undefined).
 */
export function getServiceHealth(api: ApiClient, name: string, at?: number, signal?: AbortSignal): Promise<ServiceHealth> {
  return api.request('GET', servicePath(name) + '/health', decodeServiceHealth, {
    query: { at: at === undefined ? undefined : Math.floor(at / 1000) },
    ...(signal && { signal }),
  });
}

export function decodeServiceHealth(v: unknown): ServiceHealth {
  const f = new Fields(v, 'health');
  const status = f.string('status');
  if (!healthStatuses.includes(status as HealthStatus)) throw new DecodeError('health.status', healthStatuses.join(', '), status);
  return {
    service: f.string('service'),
    at: f.time('at'),
    window: f.string('window'),
    score: f.nullableNumber('score'),
    grade: f.string('grade'),
    status: status as HealthStatus,
    parts: f.list('parts', decodeHealthPart),
    formula: f.string('formula'),
  };
}

function decodeHealthPart(v: unknown, path: string): HealthPart {
  const f = new Fields(v, path);
  return {
    name: f.string('name'),
    value: f.number('value'),
    warn: f.number('warn'),
    critical: f.number('critical'),
    weight: f.number('weight'),
    score: f.number('score'),
  };
}

export function decodeServiceList(v: unknown): ServiceList {
  const f = new Fields(v, 'list');
  return {
    services: f.list('services', decodeService),
    total: f.number('total'),
    limit: f.number('limit'),
    offset: f.number('offset'),
  };
}

function decodeService(v: unknown, path: string): Service {
  const f = new Fields(v, path);
  return {
    name: f.string('name'),
    type: f.string('type'),
    labels: f.stringMap('labels'),
    ownerTeam: f.string('owner_team'),
    status: f.string('status'),
    lastSeen: f.nullableString('last_seen'),
    createdAt: f.string('created_at'),
    updatedAt: f.string('updated_at'),
  };
}
