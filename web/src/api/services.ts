// The service registry: /api/v1/services.

import type { ApiClient } from './client';
import { Fields, none } from './decode';

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

export function createService(api: ApiClient, svc: NewService): Promise<Service> {
  return api.request('POST', '/api/v1/services', (v) => decodeService(v, 'service'), { body: svc });
}

export function deleteService(api: ApiClient, name: string): Promise<void> {
  return api.request('DELETE', servicePath(name), none);
}

function servicePath(name: string): string {
  return '/api/v1/services/' + encodeURIComponent(name);
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
