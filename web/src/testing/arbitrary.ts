// Seeded random inputs for the tests that feed parsers of outside input
// (addresses, form text, API answers) with garbage: the TypeScript
// counterpart of the Go fuzz tests. A fixed seed keeps failures
// reproducible; the failing input is in the assertion message.
//
// For a long run, scale the number of inputs and move the seeds:
//   ARBITRARY_SCALE=100 ARBITRARY_SEED=$RANDOM npm test --prefix web -- --testTimeout=0

const env = import.meta.env as Record<string, string | undefined>;

/** runs is how many inputs a test with n by default tries. */
export function runs(n: number): number {
  return Math.max(1, Math.round(n * (Number(env['ARBITRARY_SCALE']) || 1)));
}

/** rng returns a deterministic generator of numbers in [0, 1) (mulberry32), offset by ARBITRARY_SEED. */
export function rng(seed: number): () => number {
  let a = (seed + (Number(env['ARBITRARY_SEED']) || 0)) >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Characters that parsers trip over, plus some ordinary ones. */
const tricky = ['#', '/', '?', '&', '=', '%', '%E0', '%2F', ' ', '\n', '\r\n', '\t', '"', "'", '\\', '{', '}', '[', ']', ':', ',', '.', '-', '_', 'a', 'Z', '0', '9', 'é', '😀', '\u0000', '__proto__', 'constructor', 'null', 'true'];

/** text is a random string of up to maxParts tricky pieces. */
export function text(rand: () => number, maxParts = 20): string {
  let s = '';
  const n = Math.floor(rand() * (maxParts + 1));
  for (let i = 0; i < n; i++) s += tricky[Math.floor(rand() * tricky.length)];
  return s;
}

/** json is a random JSON value of bounded depth. */
export function json(rand: () => number, depth = 3): unknown {
  const r = rand();
  if (depth === 0 || r < 0.4) {
    const leaves = [null, true, false, 0, -1.5, 1e300, '', text(rand, 5)];
    return leaves[Math.floor(rand() * leaves.length)];
  }
  if (r < 0.7) return Array.from({ length: Math.floor(rand() * 4) }, () => json(rand, depth - 1));
  const keys = [
    ...['error', 'code', 'message', 'field', 'status', 'checks', 'services', 'name', 'labels', 'total'],
    ...['series', 'points', 'anomalies', 'next', 'severity', 'forecast', 'model', 'breaches', 'parts', 'at', 't'],
    text(rand, 2),
  ];
  const o: Record<string, unknown> = {};
  const n = Math.floor(rand() * 5);
  for (let i = 0; i < n; i++) o[keys[Math.floor(rand() * keys.length)] ?? 'x'] = json(rand, depth - 1);
  return o;
}

/**
 * mutate returns a copy of a JSON value with one node, picked at random,
 * replaced by a random value or removed: near-misses of a valid answer reach
 * deeper into a decoder than random JSON does.
 */
export function mutate(rand: () => number, v: unknown): unknown {
  const copy = structuredClone(v);
  const nodes: { parent: Record<string, unknown> | unknown[]; key: string | number }[] = [];
  const walk = (x: unknown) => {
    if (Array.isArray(x)) {
      x.forEach((c, i) => {
        nodes.push({ parent: x, key: i });
        walk(c);
      });
    } else if (typeof x === 'object' && x !== null) {
      for (const [k, c] of Object.entries(x)) {
        nodes.push({ parent: x as Record<string, unknown>, key: k });
        walk(c);
      }
    }
  };
  walk(copy);
  const n = nodes[Math.floor(rand() * nodes.length)];
  if (!n) return json(rand);
  if (rand() < 0.2 && !Array.isArray(n.parent)) delete n.parent[n.key as string];
  else (n.parent as Record<string | number, unknown>)[n.key] = json(rand, 2);
  return copy;
}
