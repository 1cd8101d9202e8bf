import { describe, expect, it } from 'vitest';
import { principalLabel, signInHref } from './session.js';

describe('the signed-in principal', () => {
  it('is named by its name, or by the anonymous role', () => {
    expect(principalLabel({ kind: 'user', id: 'user:42', name: 'jane@acme.io', grants: [{ role: 'admin', scope: 'account' }] })).toBe('jane@acme.io');
    expect(principalLabel({ kind: 'token', id: 'token:3', name: 'ci-upload', grants: [{ role: 'ingester', scope: 'acme' }] })).toBe('ci-upload');
    expect(principalLabel({ kind: 'anonymous', id: 'anonymous', name: 'anonymous', grants: [{ role: 'viewer', scope: 'account' }] })).toBe('anonymous viewer');
    expect(principalLabel({ kind: 'anonymous', id: 'anonymous', name: 'anonymous', grants: [] })).toBe('anonymous');
  });

  it('signs in through the identity provider and comes back to the page it left', () => {
    expect(signInHref('/api/auth/login', '/targets?name=a b&type=image')).toBe('/api/auth/login?returnTo=%2Ftargets%3Fname%3Da%20b%26type%3Dimage');
    expect(signInHref('/api/auth/login?provider=okta', '/')).toBe('/api/auth/login?provider=okta&returnTo=%2F');
  });
});
