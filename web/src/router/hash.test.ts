import { describe, expect, it } from 'vitest';

import { rng, runs, text } from '../testing/arbitrary';
import { formatHash, parseHash } from './hash';

describe('parseHash', () => {
  it.each([
    { hash: '', path: '/', query: '' },
    { hash: '#', path: '/', query: '' },
    { hash: '#/', path: '/', query: '' },
    { hash: '#/services', path: '/services', query: '' },
    { hash: '#/services/', path: '/services', query: '' },
    { hash: '#services', path: '/services', query: '' },
    { hash: '#//services//x', path: '/services/x', query: '' },
    { hash: '#/services?type=api&offset=50', path: '/services', query: 'type=api&offset=50' },
    { hash: '#/services/a%2Fb', path: '/services/a%2Fb', query: '' },
    { hash: '#/services/a b', path: '/services/a%20b', query: '' },
    { hash: '#/services/%61', path: '/services/a', query: '' },
    { hash: '#/bad%E0', path: '/bad%25E0', query: '' },
  ])('$hash', ({ hash, path, query }) => {
    const loc = parseHash(hash);
    expect(loc.path).toBe(path);
    expect(loc.query.toString()).toBe(query);
  });
});

describe('formatHash', () => {
  it.each([
    { path: '/', query: {}, want: '#/' },
    { path: '/services', query: {}, want: '#/services' },
    { path: 'services/', query: { type: 'api', status: '', offset: undefined }, want: '#/services?type=api' },
    { path: '/services', query: { offset: 50, owner_team: 'a b&c' }, want: '#/services?offset=50&owner_team=a+b%26c' },
    { path: '/services/a b', query: {}, want: '#/services/a%20b' },
    { path: '/services/' + encodeURIComponent('a/b'), query: {}, want: '#/services/a%2Fb' },
  ])('$path $query', ({ path, query, want }) => {
    expect(formatHash(path, query)).toBe(want);
  });

  it('round-trips through parseHash', () => {
    const loc = parseHash(formatHash('/services', { type: 'process-engine', offset: 100 }));
    expect(loc.path).toBe('/services');
    expect(Object.fromEntries(loc.query)).toEqual({ type: 'process-engine', offset: '100' });
  });
});

describe('parseHash on arbitrary input', () => {
  it('never throws, and its path is canonical', () => {
    const rand = rng(1);
    for (let i = 0; i < runs(5000); i++) {
      const hash = text(rand);
      const loc = parseHash(hash);
      expect(loc.path, JSON.stringify(hash)).toMatch(/^\/(?!\/)/);
      expect(parseHash(formatHash(loc.path)).path, JSON.stringify(hash)).toBe(loc.path);
    }
  });
});
