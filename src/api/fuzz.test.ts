import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseScope } from '../domain/scope.js';
import { trivyReport } from '../../test/support/reports.js';
import { startTestServer, type TestServer } from '../../test/support/server.js';
import { describeEachStore, type StoreKind } from '../../test/support/stores.js';

/**
 * Walks every operation of the OpenAPI document the server serves and sends each path and query
 * parameter and each top-level JSON body property one hostile value of every class. No answer
 * may be a 5xx, and every 4xx must carry the error shape.
 */

/** Sent with every request: the one place to add credentials. */
const headers: Record<string, string> = {};

interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  minLength?: number;
}
interface Parameter { name: string; in: 'path' | 'query' | 'header'; required?: boolean; schema: JsonSchema }
interface Operation { parameters?: Parameter[]; requestBody?: { content?: Record<string, { schema: JsonSchema }> } }

const HUGE = '1e309';
/** One hostile value per class, as a URL (path or query) text. */
const TEXT_VALUES = ['abc', '-1', '0', '2147483648', '9223372036854775808', HUGE, 'Infinity', 'NaN', '', 'x'.repeat(10_000), 'a\u0000b', 'http://[::1', '%', '%zz'];
/** The same classes as JSON values, plus the wrong JSON types. `1e309` is spliced in raw: JSON.stringify cannot write it. */
const BODY_VALUES: unknown[] = ['abc', -1, 0, 2 ** 31, 2 ** 63, HUGE_MARK(), 'Infinity', 'NaN', '', 'x'.repeat(10_000), 'a\u0000b', 'http://[::1', null, true, {}, [], ['a\u0000b'], 1.5];

function HUGE_MARK(): string {
  return '\u0001huge\u0001';
}

function bodyText(body: Record<string, unknown>): string {
  return JSON.stringify(body).replaceAll(JSON.stringify(HUGE_MARK()), HUGE);
}

const REPORT = trivyReport([{ id: 'CVE-2021-23337', pkg: 'lodash', version: '4.17.20', severity: 'HIGH', fixed: '4.17.21' }]);

/** A value a parameter accepts, so that each request fuzzes exactly one input. */
function validValue(name: string, schema: JsonSchema): unknown {
  if (schema.const !== undefined) return schema.const;
  if (schema.enum) return schema.enum[0];
  const choice = schema.anyOf ?? schema.oneOf;
  if (choice) return validValue(name, choice[0] as JsonSchema);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  if (type === 'integer' || type === 'number') return 1;
  if (type === 'boolean') return true;
  if (type === 'array') return [validValue(name, schema.items ?? { type: 'string' })];
  if (type === 'object') return Object.fromEntries((schema.required ?? []).map((key) => [key, validValue(key, schema.properties?.[key] ?? {})]));
  return KNOWN_STRINGS[name] ?? 'x';
}

/** Values of string parameters that name seeded rows, so by-id routes reach real data. */
const KNOWN_STRINGS: Record<string, string> = {
  kind: 'component',
  namespace: 'default',
  name: 'payments',
  id: '1',
  target: 'acme/payments',
  variant: 'main',
  facet: 'kind',
  comment: 'fuzz',
  reason: 'accepted_risk',
  level: 'project',
  key: 'CVE-2021-23337',
  regex: '^main$',
};

/** Path values that name seeded rows. */
const PATH_VALUES: Record<string, string> = { id: '1', kind: 'component', namespace: 'default', name: 'payments', uid: 'x' };

function pathOf(template: string, params: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_m, key: string) => encodeURIComponent(params[key] ?? 'x'));
}

function queryOf(values: Record<string, unknown>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) {
    if (Array.isArray(value)) for (const v of value) search.append(key, String(v));
    else search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

/** Routes whose bodies reach the network (or are raw bytes): only their parameters are fuzzed. */
const NO_BODY_FUZZING = new Set(['POST /api/catalog/locations', 'POST /api/scans']);

interface Probe { method: string; url: string; payload?: string | undefined; contentType?: string | undefined; what: string }

function probesOf(path: string, method: string, operation: Operation): Probe[] {
  const key = `${method.toUpperCase()} ${path}`;
  const params = operation.parameters ?? [];
  const pathParams = params.filter((p) => p.in === 'path');
  const queryParams = params.filter((p) => p.in === 'query');
  const validPath = Object.fromEntries(pathParams.map((p) => [p.name, PATH_VALUES[p.name] ?? String(validValue(p.name, p.schema))]));
  const validQuery = Object.fromEntries(queryParams.filter((p) => p.required).map((p) => [p.name, validValue(p.name, p.schema)]));
  const bodySchema = operation.requestBody?.content?.['application/json']?.schema;
  const validBody = bodySchema ? (validValue('', bodySchema.anyOf?.[0] ?? bodySchema) as Record<string, unknown>) : undefined;
  const raw = key === 'POST /api/scans';
  const payload = raw ? REPORT : validBody === undefined ? undefined : bodyText(validBody);
  const contentType = raw || validBody !== undefined ? 'application/json' : undefined;
  const probe = (what: string, pathValues: Record<string, string>, query: Record<string, unknown>, body = payload): Probe => ({
    method: method.toUpperCase(),
    url: `${pathOf(path.replace(/^\/api/, '/api'), pathValues)}${queryOf(query)}`,
    payload: body,
    contentType,
    what,
  });

  const probes: Probe[] = [];
  for (const p of pathParams) {
    for (const value of TEXT_VALUES) probes.push(probe(`path ${p.name}=${JSON.stringify(value.slice(0, 20))}`, { ...validPath, [p.name]: value }, validQuery));
  }
  for (const p of queryParams) {
    for (const value of TEXT_VALUES) probes.push(probe(`query ${p.name}=${JSON.stringify(value.slice(0, 20))}`, validPath, { ...validQuery, [p.name]: value }));
  }
  if (bodySchema && !NO_BODY_FUZZING.has(key)) {
    const shapes = bodySchema.anyOf ?? [bodySchema];
    for (const shape of shapes) {
      const base = validValue('', shape) as Record<string, unknown>;
      for (const prop of Object.keys(shape.properties ?? {})) {
        for (const value of BODY_VALUES) probes.push(probe(`body ${prop}=${JSON.stringify(value)?.slice(0, 20)}`, validPath, validQuery, bodyText({ ...base, [prop]: value })));
      }
    }
  }
  return probes;
}

describeEachStore('HTTP API: every route refuses hostile input with a 4xx', (kind: StoreKind) => {
  let server: TestServer;
  let dir: string;

  beforeAll(async () => {
    server = await startTestServer(kind);
    dir = mkdtempSync(join(tmpdir(), 'lantern-fuzz-'));
    const catalog = join(dir, 'catalog-info.yaml');
    writeFileSync(
      catalog,
      [
        'apiVersion: backstage.io/v1alpha1',
        'kind: Component',
        'metadata:',
        '  name: payments',
        '  annotations:',
        '    harness.io/sto-test-target: \'[{"name": "acme/payments"}]\'',
        'spec:',
        '  type: service',
        '  owner: team-a',
        '  lifecycle: production',
        '',
      ].join('\n'),
    );
    const { lantern } = server;
    const scope = parseScope('default.default');
    await lantern.ingest({ report: Buffer.from(REPORT), source: 'fuzz', target: 'acme/payments', targetType: 'repository', variant: 'main', scope, baseline: true });
    await lantern.ingest({ report: Buffer.from(trivyReport([])), source: 'fuzz', target: 'acme/payments', targetType: 'repository', variant: 'main', scope });
    await lantern.catalog.register(catalog, scope);
    const exemption = await server.app.inject({ method: 'POST', url: '/api/exemptions', headers, payload: { issueId: 1, reason: 'accepted_risk', comment: 'seeded' } });
    expect(exemption.statusCode).toBe(201);
  });

  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers every hostile parameter and body property with a 4xx of the error shape, never a 5xx', async () => {
    const document = (await server.app.inject({ method: 'GET', url: '/api/openapi.json', headers })).json() as { paths: Record<string, Record<string, Operation>> };
    const operations = Object.entries(document.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, operation]) => ({ path, method, operation })));
    expect(operations.length).toBeGreaterThan(30);
    // Deletions last, so that the seeded rows stay for the other routes.
    operations.sort((a, b) => Number(a.method === 'delete') - Number(b.method === 'delete'));

    const failures: string[] = [];
    let sent = 0;
    for (const { path, method, operation } of operations) {
      for (const probe of probesOf(path, method, operation)) {
        sent++;
        const response = await server.app.inject({
          method: probe.method as 'GET',
          url: probe.url,
          payload: probe.payload,
          headers: { ...headers, ...(probe.contentType ? { 'content-type': probe.contentType } : {}) },
        });
        const where = `${probe.method} ${path} ${probe.what}`;
        if (response.statusCode >= 500) {
          failures.push(`${where}: ${response.statusCode} ${response.body.slice(0, 200)}`);
          continue;
        }
        if (response.statusCode >= 400) {
          const body = response.json() as { error?: { name?: unknown; message?: unknown }; request?: { method?: unknown; url?: unknown }; response?: { statusCode?: unknown } };
          const shaped =
            typeof body.error?.name === 'string' &&
            typeof body.error.message === 'string' &&
            body.request?.method === probe.method &&
            typeof body.request.url === 'string' &&
            body.response?.statusCode === response.statusCode;
          if (!shaped) failures.push(`${where}: ${response.statusCode} without the error shape: ${response.body.slice(0, 200)}`);
        }
      }
    }
    expect(sent).toBeGreaterThan(1000);
    expect(failures).toEqual([]);
  }, 120_000);
});

describeEachStore('HTTP API: hostile values are refused with a 400 that names the field', (kind: StoreKind) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(kind);
  });
  afterAll(async () => {
    await server.close();
  });

  const refusal = async (method: 'GET' | 'POST' | 'PUT', url: string, payload?: string) => {
    const response = await server.app.inject({ method, url, headers: { ...headers, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) }, payload });
    return { status: response.statusCode, message: (response.json() as { error: { message: string } }).error.message };
  };

  it.each([
    ['GET', '/api/insights/overview?limit=Infinity', 'Invalid request: querystring/limit must be a finite number, not Infinity.'],
    ['GET', '/api/insights/overview?offset=9223372036854775808', 'Invalid request: querystring/offset must be <= 2147483647.'],
    ['GET', '/api/insights/trend?days=1e309', 'Invalid request: querystring/days must be a finite number, not Infinity.'],
    ['GET', '/api/insights/trend?days=NaN', 'Invalid request: querystring/days must be integer.'],
    ['GET', '/api/targets/2147483648', 'Invalid request: params/id must be <= 2147483647.'],
    ['GET', '/api/scans/1e309/issues?part=new', 'Invalid request: params/id must be a finite number, not Infinity.'],
    ['GET', '/api/targets?name=a%00b', 'Invalid request: querystring/name contains a NUL character (\\u0000); expected text without one.'],
    ['GET', '/api/catalog/locations/99999999999', 'Invalid location id "99999999999": expected a whole number from 1 to 2147483647.'],
    ['GET', `/api/targets/${'9'.repeat(200)}`, 'A segment of the URL path is longer than 100 characters; no name or id Lantern stores is that long.'],
  ] as const)('%s %s', async (method, url, message) => {
    const { status, message: got } = await refusal(method, url);
    expect(got).toBe(message);
    expect(status).toBe(url.includes('9'.repeat(200)) ? 414 : 400);
  });

  it('refuses non-finite, oversized and NUL-holding JSON values, and deep nesting, naming the field', async () => {
    const exemption = (body: string) => refusal('POST', '/api/exemptions', body);
    expect(await exemption('{"issueId": 1e309, "reason": "other", "comment": "c"}')).toMatchObject({ status: 400, message: expect.stringContaining('body/issueId must be integer') });
    expect(await exemption('{"issueId": 9223372036854775807, "reason": "other", "comment": "c"}')).toMatchObject({ status: 400, message: expect.stringContaining('body/issueId must be <= 2147483647') });
    expect(await exemption('{"issueId": 1, "reason": "other", "comment": "a\\u0000b"}')).toEqual({ status: 400, message: 'Invalid request: body/comment contains a NUL character (\\u0000); expected text without one.' });
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const nested = await refusal('POST', '/api/catalog/entities/by-refs', `{"entityRefs": ["component:default/a"], "fields": ${deep}}`);
    expect(nested.status).toBe(400);
    const scorecard = await refusal('POST', '/api/scorecards', `{"id": "deep", "name": "Deep", "checks": ${'['.repeat(50)}${']'.repeat(50)}}`);
    expect(scorecard).toEqual({ status: 400, message: 'Invalid request: body/checks/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0 is nested more than 32 levels deep.' });
  });

  it('parses URL inputs before using them', async () => {
    const upload = await refusal('POST', '/api/scans?target=a&type=repository&variant=main&pipelineUrl=http%3A%2F%2F%5B%3A%3A1', REPORT);
    expect(upload).toEqual({ status: 400, message: 'Invalid pipeline URL "http://[::1": expected an http(s) URL.' });
    const script = await refusal('POST', '/api/scans?target=a&type=repository&variant=main&pipelineUrl=javascript%3Aalert(1)', REPORT);
    expect(script).toEqual({ status: 400, message: 'Invalid pipeline URL "javascript:alert(1)": expected an http(s) URL, not a javascript: one.' });
    const location = await refusal('POST', '/api/catalog/locations', '{"target": "http://[::1"}');
    expect(location).toEqual({ status: 400, message: 'Invalid location target "http://[::1": expected an http(s) URL.' });
  });
});
