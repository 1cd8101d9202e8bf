import { describe, expect, it } from 'vitest';
import { InputError } from '../domain/errors.js';
import { decodeCursor, encodeCursor, parseEntityFilter, parseFields, parseFullTextFilter, parseOrder, parseOrderFields } from './entity-filter.js';

describe('parseEntityFilter', () => {
  it('reads sets of conditions, lower-casing keys and values', () => {
    expect(parseEntityFilter(['kind=Component,spec.type=service', 'kind=API'])).toEqual([
      [
        { key: 'kind', values: ['component'] },
        { key: 'spec.type', values: ['service'] },
      ],
      [{ key: 'kind', values: ['api'] }],
    ]);
  });

  it('merges a key repeated within a set into one condition with several values', () => {
    expect(parseEntityFilter(['kind=user, kind=group ,metadata.namespace=default'])).toEqual([
      [
        { key: 'kind', values: ['user', 'group'] },
        { key: 'metadata.namespace', values: ['default'] },
      ],
    ]);
  });

  it('reads a bare key as an existence check, which makes the same key values moot', () => {
    expect(parseEntityFilter(['spec.type'])).toEqual([[{ key: 'spec.type' }]]);
    expect(parseEntityFilter(['spec.type=service,spec.type'])).toEqual([[{ key: 'spec.type' }]]);
    expect(parseEntityFilter(['metadata.annotations.a=x=y'])).toEqual([[{ key: 'metadata.annotations.a', values: ['x=y'] }]]);
    expect(parseEntityFilter(['kind='])).toEqual([[{ key: 'kind', values: [''] }]]);
  });

  it('ignores empty parameters and refuses a condition without a key', () => {
    expect(parseEntityFilter(undefined)).toEqual([]);
    expect(parseEntityFilter(['', ' , '])).toEqual([]);
    expect(() => parseEntityFilter(['kind=a,=b'])).toThrow(new InputError('Invalid filter "=b": expected key=value or key, such as kind=component or spec.type.'));
  });
});

describe('fields, order and full-text filter', () => {
  it('reads fields from one or several parameters', () => {
    expect(parseFields(['kind,metadata.name', ' spec '])).toEqual(['kind', 'metadata.name', 'spec']);
    expect(parseFields([])).toBeUndefined();
    expect(parseFields(undefined)).toBeUndefined();
    expect(() => parseFields(['metadata.tags[0]'])).toThrow('Invalid field "metadata.tags[0]": list items cannot be selected; select the whole list.');
  });

  it("reads by-query's orderField=FIELD,asc and GET /entities's order=asc:FIELD", () => {
    expect(parseOrderFields(['metadata.name,desc', 'metadata.Title'])).toEqual([
      { field: 'metadata.name', order: 'desc' },
      { field: 'metadata.title', order: 'asc' },
    ]);
    expect(parseOrder(['desc:metadata.name', 'kind'])).toEqual([
      { field: 'metadata.name', order: 'desc' },
      { field: 'kind', order: 'asc' },
    ]);
    expect(parseOrder(undefined)).toEqual([]);
    expect(() => parseOrderFields(['metadata.name,asc,extra'])).toThrow('Invalid orderField "metadata.name,asc,extra": expected a field and asc or desc, such as metadata.name,asc.');
    expect(() => parseOrderFields([',asc'])).toThrow(InputError);
    expect(() => parseOrder(['up:metadata.name'])).toThrow('Invalid order "up:metadata.name": expected a field and asc or desc, such as asc:metadata.name.');
  });

  it('reads a full-text term and its fields, or nothing for a blank term', () => {
    expect(parseFullTextFilter(' Pay ', ['metadata.name,metadata.Title'])).toEqual({ term: 'pay', fields: ['metadata.name', 'metadata.title'] });
    expect(parseFullTextFilter('pay', undefined)).toEqual({ term: 'pay', fields: [] });
    expect(parseFullTextFilter('  ', ['kind'])).toBeUndefined();
    expect(parseFullTextFilter(undefined, undefined)).toBeUndefined();
  });
});

describe('by-query cursors', () => {
  const cursor = { filter: [[{ key: 'kind', values: ['component'] }, { key: 'spec.type' }]], orderFields: [{ field: 'metadata.name', order: 'desc' as const }], fullTextFilter: { term: 'pay', fields: [] }, offset: 40 };

  it('round-trips, and holds no `query` key (which the client reads as a predicate query)', () => {
    const text = encodeCursor(cursor);
    expect(decodeCursor(text)).toEqual(cursor);
    expect('query' in JSON.parse(Buffer.from(text, 'base64').toString('utf8'))).toBe(false);
    expect(decodeCursor(encodeCursor({ ...cursor, fullTextFilter: undefined }))).toEqual({ ...cursor, fullTextFilter: undefined });
  });

  it.each([
    ['not base64 JSON', 'not-a-cursor'],
    ['JSON of another shape', Buffer.from('{"offset": 1}').toString('base64')],
    ['a negative offset', Buffer.from('{"f":[],"o":[],"t":null,"s":-1}').toString('base64')],
    ['a bad order', Buffer.from('{"f":[],"o":[{"field":"x","order":"up"}],"t":null,"s":0}').toString('base64')],
    ['a bad condition', Buffer.from('{"f":[[{"key":1}]],"o":[],"t":null,"s":0}').toString('base64')],
    ['bad values', Buffer.from('{"f":[[{"key":"k","values":[1]}]],"o":[],"t":null,"s":0}').toString('base64')],
    ['a bad term', Buffer.from('{"f":[],"o":[],"t":{"term":1,"fields":[]},"s":0}').toString('base64')],
    ['null', Buffer.from('null').toString('base64')],
  ])('refuses %s', (_what, text) => {
    expect(() => decodeCursor(text)).toThrow(InputError);
  });

  it('quotes at most 40 characters of a bad cursor', () => {
    expect(() => decodeCursor('x'.repeat(100))).toThrow(`Invalid cursor "${'x'.repeat(40)}…": pass a cursor exactly as a previous answer's pageInfo gave it.`);
  });
});
