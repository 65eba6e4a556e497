// The platform's own endpoints: health and version.

import type { ApiClient } from './client';
import { Fields } from './decode';

/** One dependency's result in the health report. */
export interface Check {
  status: 'ok' | 'down';
  latencyMs: number;
  /** Why the check failed (only when down). */
  error: string | undefined;
}

export interface Health {
  status: 'ok' | 'unavailable';
  version: string;
  /** By dependency name: "database", "storage", ... */
  checks: Record<string, Check>;
}

export interface Version {
  version: string;
  commit: string;
  builtAt: string;
  go: string;
  stage: string;
}

/**
 * getHealth reads GET /api/v1/health. The API answers 503 with the same
 * report when a dependency is down, so a 503 is an answer, not an error.
 */
export function getHealth(api: ApiClient, signal?: AbortSignal): Promise<Health> {
  return api.request('GET', '/api/v1/health', decodeHealth, { accept: [503], ...(signal && { signal }) });
}

export function getVersion(api: ApiClient, signal?: AbortSignal): Promise<Version> {
  return api.request('GET', '/api/v1/version', decodeVersion, signal ? { signal } : {});
}

export function decodeHealth(v: unknown): Health {
  const f = new Fields(v, 'health');
  return {
    status: f.string('status') === 'ok' ? 'ok' : 'unavailable',
    version: f.string('version'),
    checks: f.map('checks', decodeCheck),
  };
}

function decodeCheck(v: unknown, path: string): Check {
  const f = new Fields(v, path);
  return {
    status: f.string('status') === 'ok' ? 'ok' : 'down',
    latencyMs: f.number('latency_ms'),
    error: f.optionalString('error'),
  };
}

function decodeVersion(v: unknown): Version {
  const f = new Fields(v, 'version');
  return {
    version: f.string('version'),
    commit: f.optionalString('commit') ?? '',
    builtAt: f.optionalString('built_at') ?? '',
    go: f.optionalString('go') ?? '',
    stage: f.optionalString('stage') ?? '',
  };
}
