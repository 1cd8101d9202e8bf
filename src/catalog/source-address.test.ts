import { describe, expect, it } from 'vitest';
import { absoluteAddress, isUrl, resolveAddress } from './source-address.js';

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
