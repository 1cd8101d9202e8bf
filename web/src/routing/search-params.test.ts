import { describe, expect, it } from 'vitest';
import { ariaSort, nextSort, readList, readPageSize, readPositiveInteger, readSort, readTrendDays, writeSearch } from './search-params.js';

describe('search params', () => {
  it('reads lists from commas and repeats, without blanks or repeats', () => {
    const params = new URLSearchParams('kind=component,%20api,&kind=api&kind=resource&empty=');
    expect(readList(params, 'kind')).toEqual(['component', 'api', 'resource']);
    expect(readList(params, 'empty')).toEqual([]);
    expect(readList(params, 'missing')).toEqual([]);
  });

  it('reads positive integers and falls back on anything else', () => {
    const read = (text: string) => readPositiveInteger(new URLSearchParams(text), 'page', 1);
    expect(read('page=3')).toBe(3);
    for (const bad of ['page=0', 'page=-2', 'page=1.5', 'page=abc', 'page=', 'page=99999999999', '']) expect(read(bad), bad).toBe(1);
  });

  it('accepts only the page sizes and trend periods the pages offer', () => {
    const size = (text: string) => readPageSize(new URLSearchParams(text));
    expect(size('size=100')).toBe(100);
    for (const bad of ['size=7', 'size=500', 'size=x', '']) expect(size(bad), bad).toBe(50);
    const days = (text: string) => readTrendDays(new URLSearchParams(text));
    expect(days('days=90')).toBe(90);
    for (const bad of ['days=31', 'days=0', 'days=-7', '']) expect(days(bad), bad).toBe(30);
  });

  it('accepts a sort only on a known key', () => {
    const keys = ['name', 'critical'];
    expect(readSort(new URLSearchParams('sort=-critical'), keys, 'name')).toBe('-critical');
    expect(readSort(new URLSearchParams('sort=name'), keys, '-critical')).toBe('name');
    expect(readSort(new URLSearchParams('sort=-owner'), keys, '-critical')).toBe('-critical');
    expect(readSort(new URLSearchParams(''), keys, '-critical')).toBe('-critical');
  });

  it('flips the sorted column and starts others in their natural direction', () => {
    expect(nextSort('name', 'name', false)).toBe('-name');
    expect(nextSort('-name', 'name', false)).toBe('name');
    expect(nextSort('-critical', 'name', false)).toBe('name');
    expect(nextSort('name', 'critical', true)).toBe('-critical');
    expect(ariaSort('-critical', 'critical')).toBe('descending');
    expect(ariaSort('critical', 'critical')).toBe('ascending');
    expect(ariaSort('name', 'critical')).toBe('none');
  });

  it('writes only what differs from the defaults, with readable commas', () => {
    expect(writeSearch([['kind', ['component', 'api']], ['tag', []], ['q', ''], ['sort', '-critical', '-critical'], ['page', 2, 1], ['new', false], ['x', null]])).toBe('?kind=component,api&page=2');
    expect(writeSearch([['new', true], ['q', 'a b&c']])).toBe('?new=true&q=a+b%26c');
    expect(writeSearch([['page', 1, 1]])).toBe('');
  });
});
