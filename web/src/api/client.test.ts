import { describe, expect, it } from 'vitest';

import { json as arbitraryJSON, rng, runs, text } from '../testing/arbitrary';
import { ApiClient, ApiError, parseRetryAfter, queryString, type Fetch } from './client';
import { Fields } from './decode';
import { decodeAnomalyPage } from './anomalies';
import { decodeBreachList, decodeInstantForecast, decodeStoredForecast } from './forecasts';
import { decodeRangeResult, decodeSeriesList } from './metrics';
import { decodeHealth } from './platform';
import { decodeServiceHealth, decodeServiceList } from './services';

interface Call {
  url: string;
  init: RequestInit;
}

/** fake answers every request with res and records what was asked. */
function fake(res: () => Response | Promise<Response>): { fetch: Fetch; calls: Call[] } {
  const calls: Call[] = [];
  return {
    calls,
    fetch: async (url, init) => {
      calls.push({ url, init });
      return res();
    },
  };
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });
}

const asIs = (v: unknown) => v;

async function failure(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(ApiError);
    return err as ApiError;
  }
  throw new Error('the request succeeded; want an ApiError');
}

describe('ApiClient.request', () => {
  it('sends JSON and returns the decoded answer', async () => {
    const f = fake(() => json(201, { name: 'a' }));
    const api = new ApiClient({ baseUrl: 'http://x/', fetch: f.fetch });
    const got = await api.request('POST', '/api/v1/services', (v) => new Fields(v, 'svc').string('name'), {
      body: { name: 'a' },
      query: { type: 'api', owner_team: '', limit: 5, offset: undefined },
    });
    expect(got).toBe('a');
    expect(f.calls).toHaveLength(1);
    expect(f.calls[0]?.url).toBe('http://x/api/v1/services?type=api&limit=5');
    expect(f.calls[0]?.init.method).toBe('POST');
    expect(f.calls[0]?.init.body).toBe('{"name":"a"}');
    expect(f.calls[0]?.init.headers).toEqual({ Accept: 'application/json', 'Content-Type': 'application/json' });
  });

  it('returns undefined for 204', async () => {
    const api = new ApiClient({ fetch: fake(() => new Response(null, { status: 204 })).fetch });
    expect(await api.request('DELETE', '/api/v1/services/a', asIs)).toBeUndefined();
  });

  it.each([
    {
      name: 'conflict with a field',
      res: () => json(409, { error: { code: 'conflict', message: 'a service named "x" already exists', field: 'name' } }),
      want: { status: 409, code: 'conflict', message: 'a service named "x" already exists', field: 'name', retryAfter: undefined },
    },
    {
      name: 'invalid without a field',
      res: () => json(400, { error: { code: 'invalid', message: 'request body is empty; want a JSON object' } }),
      want: { status: 400, code: 'invalid', message: 'request body is empty; want a JSON object', field: undefined, retryAfter: undefined },
    },
    {
      name: 'unavailable with Retry-After',
      res: () => json(503, { error: { code: 'unavailable', message: 'the database is not answering' } }, { 'Retry-After': '5' }),
      want: { status: 503, code: 'unavailable', message: 'the database is not answering', field: undefined, retryAfter: 5 },
    },
    {
      name: 'an empty field is no field',
      res: () => json(400, { error: { code: 'invalid', message: 'bad', field: '' } }),
      want: { status: 400, code: 'invalid', message: 'bad', field: undefined, retryAfter: undefined },
    },
    {
      name: "a proxy's HTML page",
      res: () => new Response('<html>Bad Gateway</html>', { status: 502, statusText: 'Bad Gateway', headers: { 'Content-Type': 'text/html' } }),
      want: { status: 502, code: 'http_502', message: 'GET /api/v1/services failed with HTTP 502 Bad Gateway.', field: undefined, retryAfter: undefined },
    },
    {
      name: 'JSON that is not the envelope',
      res: () => json(500, { message: 'boom' }),
      want: { status: 500, code: 'http_500', message: 'GET /api/v1/services failed with HTTP 500.', field: undefined, retryAfter: undefined },
    },
    {
      name: 'an envelope without a message',
      res: () => json(400, { error: { code: 'invalid' } }),
      want: { status: 400, code: 'http_400', message: 'GET /api/v1/services failed with HTTP 400.', field: undefined, retryAfter: undefined },
    },
  ])('reads an error: $name', async ({ res, want }) => {
    const api = new ApiClient({ fetch: fake(res).fetch });
    const err = await failure(api.request('GET', '/api/v1/services', asIs));
    expect({ status: err.status, code: err.code, message: err.message, field: err.field, retryAfter: err.retryAfter }).toEqual(want);
  });

  it('takes accepted error statuses as answers', async () => {
    const api = new ApiClient({ fetch: fake(() => json(503, { status: 'unavailable' })).fetch });
    expect(await api.request('GET', '/api/v1/health', asIs, { accept: [503] })).toEqual({ status: 'unavailable' });
  });

  it('reports a network failure', async () => {
    const api = new ApiClient({
      fetch: () => Promise.reject(new TypeError('Failed to fetch')),
    });
    const err = await failure(api.request('GET', '/api/v1/health', asIs));
    expect(err.status).toBe(0);
    expect(err.code).toBe('network');
    expect(err.message).toBe('Cannot reach the Opsight API (GET /api/v1/health): Failed to fetch');
  });

  it('rethrows an abort as it is', async () => {
    const ctl = new AbortController();
    ctl.abort();
    const api = new ApiClient({
      fetch: (_url, init) => Promise.reject(init.signal?.reason ?? new Error('no signal')),
    });
    await expect(api.request('GET', '/api/v1/health', asIs, { signal: ctl.signal })).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('reports a success that is not JSON', async () => {
    const api = new ApiClient({ fetch: fake(() => new Response('<!doctype html>', { status: 200 })).fetch });
    const err = await failure(api.request('GET', '/api/v1/services', asIs));
    expect(err.code).toBe('bad_response');
    expect(err.message).toBe("The API's answer to GET /api/v1/services is not JSON.");
  });

  it('reports an answer of the wrong shape, naming the field', async () => {
    const api = new ApiClient({ fetch: fake(() => json(200, { services: [{ name: 7 }] })).fetch });
    const decode = (v: unknown) => new Fields(v, 'list').list('services', (x, p) => new Fields(x, p).string('name'));
    const err = await failure(api.request('GET', '/api/v1/services', decode));
    expect(err.code).toBe('bad_response');
    expect(err.message).toBe("The API's answer to GET /api/v1/services is not what the dashboard expects (list.services[0].name: want a string, got number 7).");
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2025-01-02T03:04:05Z');
  it.each([
    { header: null, want: undefined },
    { header: '5', want: 5 },
    { header: ' 120 ', want: 120 },
    { header: 'Thu, 02 Jan 2025 03:04:35 GMT', want: 30 },
    { header: 'Thu, 02 Jan 2025 03:00:00 GMT', want: 0 },
    { header: 'soon', want: undefined },
    { header: '-3', want: undefined },
  ])('$header -> $want', ({ header, want }) => {
    expect(parseRetryAfter(header, now)).toBe(want);
  });
});

describe('queryString', () => {
  it('leaves out empty values and escapes the rest', () => {
    expect(queryString(undefined)).toBe('');
    expect(queryString({ a: '', b: undefined })).toBe('');
    expect(queryString({ owner_team: 'a&b c', offset: 0 })).toBe('?owner_team=a%26b+c&offset=0');
  });
});

const decoders = [asIs, decodeHealth, decodeServiceList, decodeServiceHealth, decodeSeriesList, decodeRangeResult, decodeAnomalyPage, decodeStoredForecast, decodeInstantForecast, decodeBreachList];

describe('ApiClient.request on arbitrary answers', () => {
  it('throws only ApiError, whatever the status and body', async () => {
    const rand = rng(3);
    const statuses = [200, 201, 204, 400, 404, 409, 413, 500, 502, 503];
    for (let i = 0; i < runs(2000); i++) {
      const status = statuses[Math.floor(rand() * statuses.length)] ?? 200;
      const body = rand() < 0.8 ? JSON.stringify(arbitraryJSON(rand)) : text(rand);
      const retryAfter = text(rand, 3);
      const api = new ApiClient({
        fetch: async () => new Response(status === 204 ? null : body, { status, headers: { 'Retry-After': retryAfter.replace(/[^\x20-\x7e]/g, '') } }),
      });
      const what = JSON.stringify({ status, body, retryAfter });
      for (const decode of decoders) {
        try {
          await api.request('GET', '/api/v1/x', decode);
        } catch (err) {
          expect(err, what).toBeInstanceOf(ApiError);
          expect((err as ApiError).message, what).not.toBe('');
        }
      }
    }
  });
});
