import { afterEach, beforeEach, expect, it } from 'vitest';
import { feedDir, kevFile } from '../../../test/support/feed-files.js';
import { startTestServer, type TestServer } from '../../../test/support/server.js';
import { describeEachStore } from '../../../test/support/stores.js';

describeEachStore('GET /api/feeds', (kind) => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startTestServer(kind, { clock: () => '2024-04-02T08:00:00.000Z' });
  });
  afterEach(async () => server.close());

  it('says which feeds are loaded, with their date and rows', async () => {
    const before = await server.app.inject({ method: 'GET', url: '/api/feeds' });
    expect(before.json().feeds.map((f: { name: string; loaded: boolean }) => [f.name, f.loaded])).toEqual([['kev', false], ['epss', false]]);
    await server.lantern.importFeed('kev', kevFile(feedDir(), [{ cveID: 'CVE-2024-0001', dateAdded: '2024-03-05', dueDate: '2024-03-26' }]));
    const after = await server.app.inject({ method: 'GET', url: '/api/feeds' });
    expect(after.statusCode).toBe(200);
    expect(after.json().feeds[0]).toMatchObject({ name: 'kev', loaded: true, feedDate: '2024-04-01', rows: 1, importedAt: '2024-04-02T08:00:00.000Z', error: null });
  });
});
