// The one place the dashboard talks HTTP. Every call goes through
// ApiClient.request, which turns the API's error envelope
// {"error":{"code","message","field"}} — and everything that is not the
// API answering (network failures, a proxy's HTML error page) — into an
// ApiError, so pages handle one error type and show its message as is.

import { DecodeError, isRecord, type Decoder } from './decode';

/** A failed API call. message is written for the user. */
export class ApiError extends Error {
  /** The HTTP status; 0 when no response arrived. */
  readonly status: number;
  /**
   * The API's error code ("invalid", "conflict", "not_found", ...), or one
   * of the client's own: "network" (no response), "bad_response" (the
   * response was not what the API sends), "http_<status>" (an error
   * response without the API's envelope).
   */
  readonly code: string;
  /** The request field the error is about, when the API names one. */
  readonly field: string | undefined;
  /** Seconds to wait before retrying, from Retry-After. */
  readonly retryAfter: number | undefined;

  constructor(init: { status: number; code: string; message: string; field?: string | undefined; retryAfter?: number | undefined }) {
    super(init.message);
    this.name = 'ApiError';
    this.status = init.status;
    this.code = init.code;
    this.field = init.field;
    this.retryAfter = init.retryAfter;
  }
}

export type QueryValue = string | number | undefined;

export interface RequestOptions {
  /** Query parameters; undefined and empty values are left out. */
  query?: Record<string, QueryValue>;
  /** A JSON body. */
  body?: unknown;
  signal?: AbortSignal;
  /**
   * Error statuses whose body is still the answer, e.g. 503 from
   * /health, which reports what is down in its usual shape.
   */
  accept?: readonly number[];
}

export type Fetch = (input: string, init: RequestInit) => Promise<Response>;

export interface ClientOptions {
  /** Prefix of every path; "" (the page's own origin) by default. */
  baseUrl?: string;
  fetch?: Fetch;
}

export class ApiClient {
  readonly #baseUrl: string;
  readonly #fetch: Fetch;

  constructor(opts: ClientOptions = {}) {
    this.#baseUrl = (opts.baseUrl ?? '').replace(/\/+$/, '');
    // fetch must be called with globalThis as its receiver.
    this.#fetch = opts.fetch ?? ((input, init) => globalThis.fetch(input, init));
  }

  /**
   * Sends one request and returns its JSON body (undefined for 204) as
   * decode reads it. It throws ApiError for every failure except an abort
   * through opts.signal, which rethrows the AbortError so that callers can
   * tell it apart.
   */
  async request<T>(method: string, path: string, decode: Decoder<T>, opts: RequestOptions = {}): Promise<T> {
    const url = this.#baseUrl + path + queryString(opts.query);
    const what = `${method} ${path}`;
    const init: RequestInit = { method, headers: { Accept: 'application/json' } };
    if (opts.body !== undefined) {
      init.body = JSON.stringify(opts.body);
      init.headers = { Accept: 'application/json', 'Content-Type': 'application/json' };
    }
    if (opts.signal) init.signal = opts.signal;

    let res: Response;
    try {
      res = await this.#fetch(url, init);
    } catch (err) {
      if (isAbort(err)) throw err;
      throw new ApiError({
        status: 0,
        code: 'network',
        message: `Cannot reach the Opsight API (${what}): ${err instanceof Error ? err.message : String(err)}`,
      });
    }

    const text = await readText(res, opts.signal);
    if (!res.ok && !opts.accept?.includes(res.status)) throw errorFromResponse(res, text, what);
    let body: unknown;
    if (res.status !== 204 && text !== '') {
      try {
        body = JSON.parse(text);
      } catch {
        throw new ApiError({ status: res.status, code: 'bad_response', message: `The API's answer to ${what} is not JSON.` });
      }
    }
    try {
      return decode(body);
    } catch (err) {
      if (!(err instanceof DecodeError)) throw err;
      throw new ApiError({ status: res.status, code: 'bad_response', message: `The API's answer to ${what} is not what the dashboard expects (${err.message}).` });
    }
  }
}

/** errorFromResponse reads the API's error envelope from a failed response. */
function errorFromResponse(res: Response, text: string, what: string): ApiError {
  const retryAfter = parseRetryAfter(res.headers.get('Retry-After'), Date.now());
  const env = parseEnvelope(text);
  if (env) {
    return new ApiError({ status: res.status, code: env.code, message: env.message, field: env.field, retryAfter });
  }
  const reason = res.statusText ? `${res.status} ${res.statusText}` : String(res.status);
  return new ApiError({ status: res.status, code: `http_${res.status}`, message: `${what} failed with HTTP ${reason}.`, retryAfter });
}

interface Envelope {
  code: string;
  message: string;
  field: string | undefined;
}

function parseEnvelope(text: string): Envelope | undefined {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isRecord(body) || !isRecord(body['error'])) return undefined;
  const { code, message, field } = body['error'];
  if (typeof code !== 'string' || typeof message !== 'string' || message === '') return undefined;
  return { code, message, field: typeof field === 'string' && field !== '' ? field : undefined };
}

/**
 * parseRetryAfter reads a Retry-After header (RFC 9110 §10.2.3): either
 * delay-seconds or an HTTP-date, returned as whole seconds from now.
 */
export function parseRetryAfter(header: string | null, now: number): number | undefined {
  if (header === null) return undefined;
  const v = header.trim();
  if (/^\d+$/.test(v)) return Number(v);
  // HTTP-dates end in GMT; Date.parse alone would take "-3" for a year.
  if (!v.endsWith('GMT')) return undefined;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - now) / 1000));
}

export function queryString(query: Record<string, QueryValue> | undefined): string {
  if (!query) return '';
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== '') p.set(k, String(v));
  }
  const s = p.toString();
  return s ? '?' + s : '';
}

async function readText(res: Response, signal: AbortSignal | undefined): Promise<string> {
  try {
    return await res.text();
  } catch (err) {
    if (isAbort(err) || signal?.aborted) throw err;
    throw new ApiError({ status: res.status, code: 'network', message: `The connection broke while reading the API's answer: ${String(err)}` });
  }
}

export function isAbort(err: unknown): boolean {
  return err instanceof DOMException && err.name === 'AbortError';
}
