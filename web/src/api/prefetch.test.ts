import { afterEach, describe, expect, it, vi } from 'vitest';
import { prefetch, takePrefetched } from './prefetch.js';

describe('prefetch', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('asks once per path, and hands the answer over once', async () => {
    const fetch = vi.fn(async () => new Response('{"items":[]}', { status: 200 }));
    vi.stubGlobal('fetch', fetch);
    prefetch('/api/insights/overview');
    prefetch('/api/insights/overview');
    expect(fetch).toHaveBeenCalledTimes(1);
    await expect(takePrefetched('/api/insights/overview')).resolves.toEqual({ items: [] });
    expect(takePrefetched('/api/insights/overview')).toBeUndefined();
    expect(takePrefetched('/api/never-asked')).toBeUndefined();
  });

  it("keeps a failure for whoever takes the request, with the server's message", async () => {
    vi.stubGlobal('fetch', async () => new Response('{"error":{"name":"NotFoundError","message":"No entity named \\"x\\"."}}', { status: 404 }));
    prefetch('/api/catalog/entities/by-name/component/default/x');
    await expect(takePrefetched('/api/catalog/entities/by-name/component/default/x')).rejects.toMatchObject({ status: 404, message: 'No entity named "x".' });
  });
});
