import { useEffect, useState } from 'preact/hooks';

import { formatHash, parseHash, type Location, type Query } from './hash';

/** useLocation is the current hash location, re-rendering on every change. */
export function useLocation(): Location {
  const [loc, setLoc] = useState(() => parseHash(window.location.hash));
  useEffect(() => {
    const update = () => setLoc(parseHash(window.location.hash));
    window.addEventListener('hashchange', update);
    update(); // the hash may have changed before the listener was added
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return loc;
}

/**
 * navigate goes to a location. With replace, it rewrites the current history
 * entry instead of adding one (redirects, filters typed one key at a time).
 */
export function navigate(path: string, query: Query = {}, opts: { replace?: boolean } = {}): void {
  const hash = formatHash(path, query);
  if (window.location.hash === hash) return;
  if (opts.replace) {
    window.history.replaceState(window.history.state, '', hash);
    // replaceState fires no hashchange; tell useLocation ourselves.
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  } else {
    window.location.hash = hash;
  }
}
