// Decoders check the API's answers at the boundary, so that a mismatch
// (an older API, something else answering on /api/) is one clear error
// naming the offending field rather than a crash deep inside a page.

/** The shape of a value differs from what the dashboard expects. */
export class DecodeError extends Error {
  constructor(path: string, want: string, got: unknown) {
    super(`${path}: want ${want}, got ${describe(got)}`);
    this.name = 'DecodeError';
  }
}

export type Decoder<T> = (v: unknown) => T;

/** Fields reads typed fields of one JSON object. */
export class Fields {
  readonly #o: Record<string, unknown>;
  readonly #path: string;

  constructor(v: unknown, path: string) {
    if (!isRecord(v)) throw new DecodeError(path, 'an object', v);
    this.#o = v;
    this.#path = path;
  }

  #at(key: string): string {
    return `${this.#path}.${key}`;
  }

  string(key: string): string {
    const v = this.#o[key];
    if (typeof v !== 'string') throw new DecodeError(this.#at(key), 'a string', v);
    return v;
  }

  /** A string that may be absent (omitempty). */
  optionalString(key: string): string | undefined {
    const v = this.#o[key];
    return v === undefined ? undefined : this.string(key);
  }

  nullableString(key: string): string | null {
    return this.#o[key] === null ? null : this.string(key);
  }

  number(key: string): number {
    const v = this.#o[key];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new DecodeError(this.#at(key), 'a number', v);
    return v;
  }

  /** A number that may be null. */
  nullableNumber(key: string): number | null {
    return this.#o[key] === null ? null : this.number(key);
  }

  boolean(key: string): boolean {
    const v = this.#o[key];
    if (typeof v !== 'boolean') throw new DecodeError(this.#at(key), 'true or false', v);
    return v;
  }

  /** An RFC 3339 time, as milliseconds since the Unix epoch. */
  time(key: string): number {
    const v = this.#o[key];
    const t = typeof v === 'string' ? parseTime(v) : Number.NaN;
    if (Number.isNaN(t)) throw new DecodeError(this.#at(key), 'an RFC 3339 time', v);
    return t;
  }

  /** A time that may be null (or absent: omitempty). */
  optionalTime(key: string): number | null {
    const v = this.#o[key];
    return v === null || v === undefined ? null : this.time(key);
  }

  /** An array of strings; null reads as empty. */
  stringList(key: string): string[] {
    if (this.#o[key] === null) return [];
    return this.list(key, (x, p) => {
      if (typeof x !== 'string') throw new DecodeError(p, 'a string', x);
      return x;
    });
  }

  /** An object whose values are all strings; null reads as empty. */
  stringMap(key: string): Record<string, string> {
    const v = this.#o[key];
    if (v === null || v === undefined) return {};
    const f = new Fields(v, this.#at(key));
    // fromEntries defines own properties, so "__proto__" stays a key.
    return Object.fromEntries(Object.keys(v as object).map((k) => [k, f.string(k)]));
  }

  /** An object whose values are decoded with item. */
  map<T>(key: string, item: (v: unknown, path: string) => T): Record<string, T> {
    const v = this.#o[key];
    if (!isRecord(v)) throw new DecodeError(this.#at(key), 'an object', v);
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, item(x, `${this.#at(key)}.${k}`)]));
  }

  /** A nested value, decoded with item under its own path. */
  object<T>(key: string, item: (v: unknown, path: string) => T): T {
    return item(this.#o[key], this.#at(key));
  }

  list<T>(key: string, item: (v: unknown, path: string) => T): T[] {
    const v = this.#o[key];
    if (!Array.isArray(v)) throw new DecodeError(this.#at(key), 'an array', v);
    return v.map((x, i) => item(x, `${this.#at(key)}[${i}]`));
  }
}

/**
 * numbers reads an array of exactly n finite numbers, such as a query
 * point [t, avg, min, max, count].
 */
export function numbers(v: unknown, path: string, n: number): number[] {
  if (!Array.isArray(v) || v.length !== n) throw new DecodeError(path, `an array of ${n} numbers`, v);
  return v.map((x, i) => {
    if (typeof x !== 'number' || !Number.isFinite(x)) throw new DecodeError(`${path}[${i}]`, 'a number', x);
    return x;
  });
}

// RFC 3339 as Go writes it: a date, "T", a time with optional fraction and
// a zone. Date.parse alone accepts far more ("2025", "March 7").
const rfc3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/** parseTime reads an RFC 3339 time to epoch milliseconds; NaN if it is none. */
export function parseTime(s: string): number {
  return rfc3339.test(s) ? Date.parse(s) : Number.NaN;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (v === undefined) return 'nothing';
  return typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v)}`.slice(0, 60);
}

/** none ignores the body, for answers such as 204 No Content. */
export const none: Decoder<void> = () => undefined;
