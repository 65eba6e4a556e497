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

  list<T>(key: string, item: (v: unknown, path: string) => T): T[] {
    const v = this.#o[key];
    if (!Array.isArray(v)) throw new DecodeError(this.#at(key), 'an array', v);
    return v.map((x, i) => item(x, `${this.#at(key)}[${i}]`));
  }
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
