import { describe, expect, it } from 'vitest';
import { entityPath, errorMessage, queryString } from './client.js';

describe('API client', () => {
  it("shows the server's own error sentence", () => {
    const body = { error: { name: 'NotFoundError', message: 'No entity named "nope" of kind "component" in namespace "default".' }, request: { method: 'GET', url: '/x' }, response: { statusCode: 404 } };
    expect(errorMessage(404, 'Not Found', body)).toBe('No entity named "nope" of kind "component" in namespace "default".');
    expect(errorMessage(502, 'Bad Gateway', undefined)).toBe('The server answered 502 Bad Gateway.');
    expect(errorMessage(500, '', { error: 'text' })).toBe('The server answered 500.');
  });

  it('writes query strings and entity paths', () => {
    expect(queryString({ a: 'x y', b: 2, c: undefined, d: '', e: null, f: true })).toBe('?a=x+y&b=2&f=true');
    expect(queryString({})).toBe('');
    expect(entityPath('component', 'default', 'a/b')).toBe('component/default/a%2Fb');
  });
});
