import { describe, expect, it } from 'vitest';
import { InputError } from '../domain/errors.js';
import { absoluteAddress, isBackstageAddress, isRemoteAddress, isUrl, resolveAddress } from './source-address.js';

describe('resolveAddress', () => {
  it('reads a relative target against the holding file or URL', () => {
    expect(resolveAddress('./b/c.yaml', '/cat/a.yaml')).toEqual({ address: '/cat/b/c.yaml' });
    expect(resolveAddress('../c.yaml', '/cat/sub/a.yaml')).toEqual({ address: '/cat/c.yaml' });
    expect(resolveAddress('/abs/c.yaml', '/cat/a.yaml')).toEqual({ address: '/abs/c.yaml' });
    expect(resolveAddress('./b/c.yaml', 'https://x.io/cat/a.yaml')).toEqual({ address: 'https://x.io/cat/b/c.yaml' });
    expect(resolveAddress('/c.yaml', 'https://x.io/cat/a.yaml')).toEqual({ address: 'https://x.io/c.yaml' });
    expect(resolveAddress(' HTTPS://y.io/c.yaml ', '/cat/a.yaml')).toEqual({ address: 'https://y.io/c.yaml' });
  });

  it('refuses empty targets, other schemes and broken URLs', () => {
    expect(resolveAddress('  ', '/a.yaml')).toEqual({ error: 'The target is empty: expected a relative path or an http(s) URL.' });
    expect(resolveAddress('file:///etc/passwd', 'https://x.io/a.yaml')).toEqual({
      error: 'The target "file:///etc/passwd" uses a scheme Lantern does not read: expected a relative path or an http(s) URL.',
    });
    expect(resolveAddress('https://[bad', '/a.yaml')).toEqual({ error: 'The target "https://[bad" is not a valid URL.' });
    expect(resolveAddress('a.yaml', 'https://[bad')).toEqual({ error: 'The target "a.yaml" cannot be read relative to https://[bad.' });
  });
});

describe('absoluteAddress', () => {
  it('keeps URLs and makes paths absolute', () => {
    expect(absoluteAddress('https://x.io/a b.yaml', '/cwd')).toBe('https://x.io/a%20b.yaml');
    expect(absoluteAddress('cat/a.yaml', '/cwd')).toBe('/cwd/cat/a.yaml');
    expect(isUrl('http://x') && !isUrl('/x')).toBe(true);
  });
});

describe('Backstage addresses', () => {
  it('are told apart from paths and URLs, and normalised with the path prefix a backend may be served under', () => {
    expect([isBackstageAddress(' Backstage+HTTPS://portal.acme.io'), isBackstageAddress('https://portal.acme.io'), isBackstageAddress('backstage+ftp://x')]).toEqual([true, false, false]);
    expect([isRemoteAddress('backstage+http://x'), isRemoteAddress(' https://x'), isRemoteAddress('./backstage+https')]).toEqual([true, true, false]);
    expect(absoluteAddress('backstage+https://Portal.Acme.io', '/cwd')).toBe('backstage+https://portal.acme.io/');
    expect(absoluteAddress('backstage+https://acme.io/portal', '/cwd')).toBe('backstage+https://acme.io/portal/');
  });

  it('refuse credentials without quoting them, and a query, a fragment or a broken address', () => {
    expect(() => absoluteAddress('backstage+https://bot:s3cret-value@portal.acme.io', '/cwd')).toThrow(
      new InputError('Invalid Backstage location: it holds a user name or password, which Lantern never stores; give the address without them and the token in LANTERN_BACKSTAGE_TOKEN.'),
    );
    expect(() => absoluteAddress('backstage+https://portal.acme.io/?filter=kind=component', '/cwd')).toThrow(
      new InputError('Invalid Backstage location "backstage+https://portal.acme.io/?filter=kind=component": expected the address of a Backstage backend without a query or fragment, such as backstage+https://portal.acme.io.'),
    );
    expect(() => absoluteAddress('backstage+https://[bad', '/cwd')).toThrow(new InputError('Invalid Backstage location "backstage+https://[bad": expected backstage+https://HOST, the address of a Backstage backend.'));
  });
});
