import { describe, expect, it } from 'vitest';

import { ApiError } from '../../api/client';
import { rng, runs, text } from '../../testing/arbitrary';
import { emptyForm, fieldOf, parseLabels, placeError, toRequest } from './form';

describe('parseLabels', () => {
  it.each([
    { text: '', want: {} },
    { text: '\n  \n', want: {} },
    { text: 'env=prod', want: { env: 'prod' } },
    { text: ' env = prod \r\ntier=1\n\n', want: { env: 'prod', tier: '1' } },
    { text: 'url=http://x/?a=b', want: { url: 'http://x/?a=b' } },
    { text: 'empty=', want: { empty: '' } },
  ])('reads $text', ({ text, want }) => {
    expect(parseLabels(text)).toEqual({ ok: true, value: want });
  });

  it('keeps a label named __proto__ as a label', () => {
    const got = parseLabels('__proto__=x\nconstructor=y');
    expect(got.ok).toBe(true);
    if (got.ok) expect(JSON.stringify(got.value)).toBe('{"__proto__":"x","constructor":"y"}');
  });

  it.each([
    { text: 'env', want: 'Line 1: write each label as key=value (got "env").' },
    { text: 'a=1\n\n=x', want: 'Line 3: the label name before "=" is missing.' },
    { text: 'env=a\nenv=b', want: 'Line 2: label "env" is given twice.' },
    { text: '__proto__=a\n__proto__=b', want: 'Line 2: label "__proto__" is given twice.' },
  ])('rejects $text', ({ text, want }) => {
    expect(parseLabels(text)).toEqual({ ok: false, error: want });
  });
});

describe('toRequest', () => {
  it('builds the body, trimming text', () => {
    expect(toRequest({ name: ' checkout-api ', type: 'worker', status: 'maintenance', ownerTeam: ' payments ', labels: 'env=prod' })).toEqual({
      ok: true,
      value: { name: 'checkout-api', type: 'worker', status: 'maintenance', owner_team: 'payments', labels: { env: 'prod' } },
    });
  });

  it('leaves the rules to the API: a name it will reject is sent', () => {
    expect(toRequest({ ...emptyForm, name: 'Bad Name!' })).toMatchObject({ ok: true, value: { name: 'Bad Name!' } });
  });

  it('reports every field it can check at once', () => {
    expect(toRequest({ ...emptyForm, name: '  ', labels: 'oops' })).toEqual({
      ok: false,
      errors: { name: 'Enter a name for the service.', labels: 'Line 1: write each label as key=value (got "oops").' },
    });
  });
});

describe('fieldOf', () => {
  it.each([
    { api: 'name', want: 'name' },
    { api: 'type', want: 'type' },
    { api: 'status', want: 'status' },
    { api: 'owner_team', want: 'ownerTeam' },
    { api: 'labels', want: 'labels' },
    { api: 'labels.1env', want: 'labels' },
    { api: 'labelsx', want: undefined },
    { api: 'colour', want: undefined },
    { api: undefined, want: undefined },
  ])('$api -> $want', ({ api, want }) => {
    expect(fieldOf(api)).toBe(want);
  });
});

describe('placeError', () => {
  it('puts a field error next to its field', () => {
    const err = new ApiError({ status: 409, code: 'conflict', message: 'a service named "x" already exists', field: 'name' });
    expect(placeError(err)).toEqual({ fields: { name: 'a service named "x" already exists' }, form: undefined });
  });

  it('keeps an error without a known field for the whole form', () => {
    const err = new ApiError({ status: 0, code: 'network', message: 'Cannot reach the Opsight API' });
    expect(placeError(err)).toEqual({ fields: {}, form: 'Cannot reach the Opsight API' });
  });
});

describe('parseLabels on arbitrary input', () => {
  it('never throws, and what it reads reads back the same', () => {
    const rand = rng(2);
    for (let i = 0; i < runs(5000); i++) {
      const input = text(rand);
      const got = parseLabels(input);
      if (!got.ok) {
        expect(got.error, JSON.stringify(input)).toMatch(/^Line \d+: /);
        continue;
      }
      const again = Object.entries(got.value)
        .map(([k, v]) => `${k}=${v}`)
        .join('\n');
      expect(parseLabels(again), JSON.stringify(input)).toEqual(got);
    }
  });
});
