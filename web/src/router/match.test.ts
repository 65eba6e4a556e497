import { describe, expect, it } from 'vitest';

import { parseHash } from './hash';
import { matchPath } from './match';

describe('matchPath', () => {
  it.each([
    { pattern: '/services', path: '/services', want: {} },
    { pattern: '/services', path: '/services/x', want: undefined },
    { pattern: '/services/:name', path: '/services/checkout-api', want: { name: 'checkout-api' } },
    { pattern: '/services/:name', path: '/services', want: undefined },
    { pattern: '/services/:name', path: '/services/a/b', want: undefined },
    { pattern: '/services/:name', path: '/overview/a', want: undefined },
    { pattern: '/services/:name', path: '/services/a%2Fb', want: { name: 'a/b' } },
    { pattern: '/services/:name', path: '/services/%E0', want: { name: '%E0' } },
    { pattern: '/a/:x/b/:y', path: '/a/1/b/2', want: { x: '1', y: '2' } },
  ])('$pattern ~ $path', ({ pattern, path, want }) => {
    expect(matchPath(pattern, path)).toEqual(want);
  });

  it('reads a name from an address once, as the hash router canonicalises it', () => {
    expect(matchPath('/services/:name', parseHash('#/services/a%252Fb?range=6h').path)).toEqual({ name: 'a%2Fb' });
    expect(matchPath('/services/:name', parseHash('#//services//caf%C3%A9/').path)).toEqual({ name: 'café' });
  });
});
