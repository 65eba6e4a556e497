// Routes with parameters: "/services/:name" matches "/services/checkout-api"
// with name = "checkout-api". Locations are canonical (see hash.ts), so a
// segment is decoded exactly once and "/services/a%2Fb" names "a/b".

export type Params = Record<string, string>;

/**
 * matchPath returns the parameters of path under pattern, or undefined when
 * it does not match. Pattern segments starting with ":" match any one
 * segment; the others match only themselves.
 */
export function matchPath(pattern: string, path: string): Params | undefined {
  const want = segments(pattern);
  const got = segments(path);
  if (want.length !== got.length) return undefined;
  const params: Params = {};
  for (const [i, w] of want.entries()) {
    const g = got[i] ?? '';
    if (w.startsWith(':')) {
      params[w.slice(1)] = decode(g);
    } else if (w !== g) {
      return undefined;
    }
  }
  return params;
}

function segments(path: string): string[] {
  return path.split('/').filter((s) => s !== '');
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
