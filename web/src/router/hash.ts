// Hash routing: the app's location lives after '#' (#/services?type=api).
// The dashboard is served from an S3 bucket behind CloudFront, where a deep
// link to a path that is not a file would 404; everything after '#' stays in
// the browser, so any view can be bookmarked and reloaded.

/**
 * Where the app is: a path such as "/services" and its query. The path is
 * canonical: it starts with one "/", has no empty segments, and each
 * segment is percent-encoded exactly once, so "/services/a%2Fb" is one
 * segment "a/b" and two spellings of a place compare equal. Routes with
 * parameters decode segments one by one.
 */
export interface Location {
  path: string;
  query: URLSearchParams;
}

/** parseHash reads a location from location.hash ("" and "#" read as "/"). */
export function parseHash(hash: string): Location {
  const h = hash.startsWith('#') ? hash.slice(1) : hash;
  const q = h.indexOf('?');
  return {
    path: canonicalPath(q < 0 ? h : h.slice(0, q)),
    query: new URLSearchParams(q < 0 ? '' : h.slice(q + 1)),
  };
}

export type Query = Record<string, string | number | undefined>;

/**
 * formatHash is the href of a location, leaving out empty query values so
 * that defaults do not clutter the address bar. Build paths with parameters
 * as "/services/" + encodeURIComponent(name).
 */
export function formatHash(path: string, query: Query = {}): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== '') p.set(k, String(v));
  }
  const s = p.toString();
  return '#' + canonicalPath(path) + (s ? '?' + s : '');
}

/** canonicalPath is raw as a canonical path (see Location). */
function canonicalPath(raw: string): string {
  return '/' + raw.split('/').filter((seg) => seg !== '').map((seg) => encodeURIComponent(decodeSegment(seg))).join('/');
}

function decodeSegment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s; // a malformed escape stays as typed (and is encoded as such)
  }
}
