import { describe, expect, it } from 'vitest';

import { decodeHealth } from './platform';
import { decodeServiceList } from './services';

describe('decodeHealth', () => {
  it('reads the API health report', () => {
    const h = decodeHealth({
      status: 'unavailable',
      version: 'dev',
      checks: {
        database: { status: 'down', latency_ms: 2000.5, error: 'the database is not answering' },
        storage: { status: 'ok', latency_ms: 0.8 },
      },
    });
    expect(h).toEqual({
      status: 'unavailable',
      version: 'dev',
      checks: {
        database: { status: 'down', latencyMs: 2000.5, error: 'the database is not answering' },
        storage: { status: 'ok', latencyMs: 0.8, error: undefined },
      },
    });
  });

  it.each([
    { name: 'not an object', v: 'ok', want: 'health: want an object, got string "ok"' },
    { name: 'no checks', v: { status: 'ok', version: 'dev' }, want: 'health.checks: want an object, got nothing' },
    {
      name: 'latency as text',
      v: { status: 'ok', version: 'dev', checks: { database: { status: 'ok', latency_ms: '1' } } },
      want: 'health.checks.database.latency_ms: want a number, got string "1"',
    },
  ])('rejects $name', ({ v, want }) => {
    expect(() => decodeHealth(v)).toThrow(want);
  });
});

describe('decodeServiceList', () => {
  const svc = {
    name: 'checkout-api',
    type: 'api',
    labels: { env: 'prod' },
    owner_team: 'payments',
    status: 'active',
    last_seen: null,
    created_at: '2025-01-02T03:04:05Z',
    updated_at: '2025-01-02T03:04:05Z',
  };

  it('reads a page of services', () => {
    expect(decodeServiceList({ services: [svc, { ...svc, name: 'b', labels: null, last_seen: '2025-01-03T00:00:00Z' }], total: 7, limit: 2, offset: 0 })).toEqual({
      services: [
        { name: 'checkout-api', type: 'api', labels: { env: 'prod' }, ownerTeam: 'payments', status: 'active', lastSeen: null, createdAt: svc.created_at, updatedAt: svc.updated_at },
        { name: 'b', type: 'api', labels: {}, ownerTeam: 'payments', status: 'active', lastSeen: '2025-01-03T00:00:00Z', createdAt: svc.created_at, updatedAt: svc.updated_at },
      ],
      total: 7,
      limit: 2,
      offset: 0,
    });
  });

  it('keeps a label named __proto__', () => {
    const list = decodeServiceList(JSON.parse(`{"services":[${JSON.stringify(svc).replace('{"env":"prod"}', '{"__proto__":"x"}')}],"total":1,"limit":1,"offset":0}`));
    expect(Object.entries(list.services[0]?.labels ?? {})).toEqual([['__proto__', 'x']]);
  });

  it.each([
    { name: 'services missing', v: { total: 0, limit: 1, offset: 0 }, want: 'list.services: want an array, got nothing' },
    { name: 'a label value that is no string', v: { services: [{ ...svc, labels: { env: 1 } }], total: 1, limit: 1, offset: 0 }, want: 'list.services[0].labels.env: want a string, got number 1' },
    { name: 'last_seen missing', v: { services: [{ ...svc, last_seen: undefined }], total: 1, limit: 1, offset: 0 }, want: 'list.services[0].last_seen: want a string, got nothing' },
    { name: 'total as NaN-ish', v: { services: [], total: null, limit: 1, offset: 0 }, want: 'list.total: want a number, got null' },
  ])('rejects $name', ({ v, want }) => {
    expect(() => decodeServiceList(v)).toThrow(want);
  });
});
