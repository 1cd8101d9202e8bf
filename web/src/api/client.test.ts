import { afterEach, describe, expect, it, vi } from 'vitest';
import { api, ApiError, entityPath, errorMessage, onSignedOut, queryString } from './client.js';

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

  describe('talking to the server', () => {
    const calls: Array<{ method: string; contentType: string | undefined; body: unknown }> = [];
    const answer = (status: number, body: unknown) => {
      vi.stubGlobal('fetch', async (_path: string, init: RequestInit) => {
        calls.push({ method: init.method ?? 'GET', contentType: (init.headers as Record<string, string>)['content-type'], body: init.body });
        return new Response(JSON.stringify(body), { status });
      });
    };
    afterEach(() => {
      vi.unstubAllGlobals();
      calls.length = 0;
    });

    it('sends every change with a content type a cross-site form cannot send', async () => {
      answer(200, {});
      const file = new Blob(['{}']);
      await api.get('/api/targets');
      await api.postJson('/api/auth/logout');
      await api.postJson('/api/exemptions', { issueId: 1 });
      await api.putJson('/api/targets/1/baseline', { variant: 'main' });
      await api.postBytes('/api/scans', file);
      expect(calls).toEqual([
        { method: 'GET', contentType: undefined, body: null },
        { method: 'POST', contentType: 'application/json', body: '{}' },
        { method: 'POST', contentType: 'application/json', body: '{"issueId":1}' },
        { method: 'PUT', contentType: 'application/json', body: '{"variant":"main"}' },
        { method: 'POST', contentType: 'application/octet-stream', body: file },
      ]);
    });

    it("carries a refusal's sentence, and says so when nobody is signed in", async () => {
      const signedOut = vi.fn();
      const stop = onSignedOut(signedOut);
      answer(403, { error: { name: 'ForbiddenError', message: 'anonymous may not set baselines at acme.web: this needs the security role (or above) at acme.web or a scope above it.' } });
      const refused = await api.putJson('/api/targets/1/baseline', { variant: 'main' }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(ApiError);
      expect((refused as ApiError).status).toBe(403);
      expect((refused as ApiError).message).toBe('anonymous may not set baselines at acme.web: this needs the security role (or above) at acme.web or a scope above it.');
      expect(signedOut).not.toHaveBeenCalled();

      answer(401, { error: { name: 'UnauthenticatedError', message: 'Authentication is required.' } });
      await expect(api.get('/api/targets')).rejects.toThrow('Authentication is required.');
      expect(signedOut).toHaveBeenCalledTimes(1);
      stop();
      await expect(api.get('/api/targets')).rejects.toThrow();
      expect(signedOut).toHaveBeenCalledTimes(1);
    });
  });
});
