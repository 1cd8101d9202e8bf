import { parseEntityRef } from '@backstage/catalog-model';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { authorize } from '../../access/actor.js';
import { inFilter } from '../../access/roles.js';
import { actorOf, principalOf, requireReadable, scopesOf } from '../auth.js';
import type { RefreshOutcome } from '../../catalog/catalog.js';
import {
  decodeCursor,
  encodeCursor,
  type EntityFilter,
  type EntityOrder,
  type FullTextFilter,
  parseEntityFilter,
  parseFields,
  parseFullTextFilter,
  parseOrder,
  parseOrderFields,
} from '../../catalog/entity-filter.js';
import { type CatalogEntry, catalogEntries, catalogEntriesByRefs, catalogEntryByRef, catalogEntryByUid, queryCatalog } from '../../catalog/entity-queries.js';
import { readProblems, type RefreshSummary } from '../../catalog/refresh.js';
import { selectFields } from '../../catalog/served-entity.js';
import { isBackstageAddress, isUrl } from '../../catalog/source-address.js';
import { InputError, NotFoundError } from '../../domain/errors.js';
import { parseId } from '../../domain/ids.js';
import { DEFAULT_PROJECT_SCOPE, formatScope, parseScope } from '../../domain/scope.js';
import { parseWebAddress } from '../../domain/web-address.js';
import type { Lantern } from '../../lantern.js';
import { entityRowsOfLocation, findEntityByRef } from '../../store/catalog-entities.js';
import { findLocation, type LocationListing, listLocations } from '../../store/catalog-locations.js';
import { facetCounts } from '../../store/entity-query.js';
import type { LocationRow } from '../../store/schema.js';
import { errors, Limit, NullableInteger, NullableString, Offset } from '../schemas.js';
import type { LanternApp } from '../server.js';

/**
 * Backstage's catalog API, so that @backstage/catalog-client and Backstage plugins read Lantern's
 * catalog unchanged: entities (list, by name, by uid, by query with cursors, by refs), facets and
 * locations. Lantern's own data rides along as `status.items` and the target-links endpoint.
 */

const Strings = Type.Array(Type.String());

const RelationSchema = Type.Object({
  type: Type.String(),
  targetRef: Type.String(),
  target: Type.Object({ kind: Type.String(), namespace: Type.String(), name: Type.String() }),
});

const EntitySchema = Type.Object(
  {
    apiVersion: Type.Optional(Type.String()),
    kind: Type.Optional(Type.String()),
    metadata: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    spec: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    relations: Type.Optional(Type.Array(RelationSchema)),
    status: Type.Optional(
      Type.Object({
        items: Type.Array(
          Type.Object({
            type: Type.String({ description: 'lantern.io/target-links for each target link, lantern.io/catalog-problem for each problem' }),
            level: Type.Union([Type.Literal('info'), Type.Literal('warning'), Type.Literal('error')]),
            message: Type.String(),
          }),
        ),
      }),
    ),
  },
  { additionalProperties: true, description: 'A Backstage entity; with `fields`, only the selected parts.' },
);

const FilterQuery = {
  filter: Type.Optional(Type.Array(Type.String(), { description: 'Filter set: key=value or key conditions joined by commas (AND); repeat the parameter for OR. Keys and values are case-insensitive; relations.<type>=<ref> filters on relations.' })),
};
const FieldsQuery = { fields: Type.Optional(Type.Array(Type.String(), { description: 'Comma-separated dotted paths to keep, e.g. kind,metadata.name' })) };

const EntityNameParams = Type.Object({ kind: Type.String(), namespace: Type.String(), name: Type.String() });

const LinkSchema = Type.Object({
  position: Type.Integer(),
  origin: Type.Union([Type.Literal('annotation'), Type.Literal('source-url')]),
  name: Type.String({ description: 'Target name as written' }),
  scope: Type.String({ description: 'Resolved scope: account or ORG.PROJECT' }),
  variant: NullableString,
  matched: Type.Boolean({ description: 'True when the link shows a scanned variant' }),
  target: Type.Union([Type.Object({ id: Type.Integer(), name: Type.String() }), Type.Null()]),
  shown: Type.Union([Type.Object({ id: NullableInteger, name: Type.String(), reason: NullableString }), Type.Null()]),
  diagnostics: Type.Array(Type.Object({ level: Type.String(), code: Type.String(), message: Type.String() })),
  resolvedAt: Type.String(),
});

const LocationSchema = Type.Object({
  id: Type.String(),
  type: Type.String({ description: 'url, file, or backstage (a running Backstage\'s catalog API)' }),
  target: Type.String(),
  scope: Type.String(),
  status: Type.String({ description: 'ok, or error when the last read reported an error' }),
  lastError: NullableString,
  lastReadAt: NullableString,
  createdAt: Type.String(),
  entities: Type.Optional(Type.Integer()),
});

const LocationDetailSchema = Type.Intersect([
  LocationSchema,
  Type.Object({ problems: Type.Array(Type.Object({ level: Type.String(), message: Type.String(), file: Type.String() }, { additionalProperties: true })) }),
]);

const RefreshResultSchema = Type.Object({
  id: Type.String(),
  target: Type.String(),
  status: Type.String(),
  lastError: NullableString,
  added: Type.Integer(),
  updated: Type.Integer(),
  removed: Type.Integer(),
  kept: Type.Integer(),
  unchanged: Type.Integer(),
  problems: Type.Integer(),
});

const DEFAULT_QUERY_LIMIT = 20;
/** Backstage's API pages only when asked; a page, when asked for, is at most this long. */
const MAX_CATALOG_LIMIT = 10_000;

export async function catalogRoutes(api: LanternApp, lantern: Lantern): Promise<void> {
  await api.register(async (catalog: LanternApp) => {
    // Entities are free-form JSON: the schemas document them, and JSON.stringify writes a list of
    // 10 000 of them several times faster than a serializer compiled from an open schema.
    catalog.setSerializerCompiler(() => (data) => JSON.stringify(data));
    await routes(catalog, lantern);
  });
}

async function routes(api: LanternApp, lantern: Lantern): Promise<void> {
  const db = lantern.store.db;
  const tags = ['catalog'];

  api.get(
    '/catalog/entities',
    {
      schema: {
        summary: 'List entities',
        description: 'Backstage GET /entities: every entity (or a page with limit/offset/after), filtered and projected. A next page is named in the Link header.',
        tags,
        querystring: Type.Object({
          ...FilterQuery,
          ...FieldsQuery,
          offset: Type.Optional(Offset()),
          limit: Type.Optional(Limit({ minimum: 0, max: MAX_CATALOG_LIMIT })),
          after: Type.Optional(Type.String({ description: 'Cursor from the Link header of the previous page' })),
          order: Type.Optional(Type.Array(Type.String(), { description: 'asc:FIELD or desc:FIELD' })),
        }),
        response: { 200: Type.Array(EntitySchema), ...errors(400) },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const fields = parseFields(q.fields);
      let selection = { filter: parseEntityFilter(q.filter), orderFields: parseOrder(q.order), fullTextFilter: undefined as FullTextFilter | undefined };
      let offset = q.offset ?? 0;
      if (q.after !== undefined) {
        const cursor = decodeCursor(q.after);
        selection = { filter: cursor.filter, orderFields: cursor.orderFields, fullTextFilter: undefined };
        offset = cursor.offset;
      }
      const limit = q.limit;
      const { entries, totalItems } = await queryCatalog(db, { filter: selection.filter, order: selection.orderFields, scopes: scopesOf(request) }, { offset, limit });
      if (limit !== undefined && limit > 0 && offset + limit < totalItems) {
        const next = new URL(`http://lantern${request.url}`);
        next.searchParams.delete('offset');
        next.searchParams.set('after', encodeCursor({ filter: selection.filter, orderFields: selection.orderFields, offset: offset + limit }));
        reply.header('link', `<${next.pathname}${next.search}>; rel="next"`);
      }
      return entries.map((e) => selectFields(e.entity, fields));
    },
  );

  api.get(
    '/catalog/entities/by-query',
    {
      schema: {
        summary: 'Query entities, with cursors',
        description: 'Backstage GET /entities/by-query: a page of entities, the total, and cursors to the next and previous pages. filter, orderField and fullTextFilter* are taken from the first request; a cursor carries them.',
        tags,
        querystring: Type.Object({
          ...FilterQuery,
          ...FieldsQuery,
          limit: Type.Optional(Limit({ minimum: 0, max: MAX_CATALOG_LIMIT, description: `Default ${DEFAULT_QUERY_LIMIT}` })),
          offset: Type.Optional(Offset()),
          orderField: Type.Optional(Type.Array(Type.String(), { description: 'FIELD,asc or FIELD,desc; default metadata.name,asc' })),
          cursor: Type.Optional(Type.String()),
          fullTextFilterTerm: Type.Optional(Type.String()),
          fullTextFilterFields: Type.Optional(Type.Array(Type.String(), { description: 'Comma-separated fields the term is searched in; default the first order field' })),
          totalItems: Type.Optional(Type.Union([Type.Literal('include'), Type.Literal('exclude')])),
        }),
        response: {
          200: Type.Object({
            items: Type.Array(EntitySchema),
            totalItems: Type.Integer(),
            pageInfo: Type.Object({ nextCursor: Type.Optional(Type.String()), prevCursor: Type.Optional(Type.String()) }),
          }),
          ...errors(400),
        },
      },
    },
    async (request) => {
      const q = request.query;
      const fields = parseFields(q.fields);
      const limit = q.limit ?? DEFAULT_QUERY_LIMIT;
      let filter: EntityFilter;
      let orderFields: EntityOrder[];
      let fullTextFilter: FullTextFilter | undefined;
      let offset: number;
      if (q.cursor !== undefined) {
        ({ filter, orderFields, fullTextFilter, offset } = decodeCursor(q.cursor));
      } else {
        filter = parseEntityFilter(q.filter);
        orderFields = parseOrderFields(q.orderField);
        fullTextFilter = parseFullTextFilter(q.fullTextFilterTerm, q.fullTextFilterFields);
        offset = q.offset ?? 0;
      }
      const page = await queryCatalog(db, { filter, order: orderFields, fullTextFilter, scopes: scopesOf(request) }, { offset, limit });
      const cursorAt = (at: number) => encodeCursor({ filter, orderFields, fullTextFilter, offset: at });
      const pageInfo: { nextCursor?: string; prevCursor?: string } = {};
      if (page.entries.length > 0 && offset + page.entries.length < page.totalItems) pageInfo.nextCursor = cursorAt(offset + page.entries.length);
      if (offset > 0 && limit > 0) pageInfo.prevCursor = cursorAt(Math.max(0, offset - limit));
      return { items: page.entries.map((e) => selectFields(e.entity, fields)), totalItems: page.totalItems, pageInfo };
    },
  );

  api.post(
    '/catalog/entities/by-refs',
    {
      schema: {
        summary: 'Entities by ref',
        description: 'Backstage POST /entities/by-refs: the entities named, in the same order; null for one that does not exist or that the filter drops.',
        tags,
        querystring: Type.Object({ ...FilterQuery }),
        body: Type.Object({ entityRefs: Strings, fields: Type.Optional(Strings) }),
        response: { 200: Type.Object({ items: Type.Array(Type.Union([EntitySchema, Type.Null()])) }), ...errors(400) },
      },
    },
    async (request) => {
      const fields = parseFields(request.body.fields);
      const keys = request.body.entityRefs.map((ref) => {
        try {
          const parsed = parseEntityRef(ref);
          return `${parsed.kind}:${parsed.namespace}/${parsed.name}`.toLowerCase();
        } catch {
          throw new InputError(`Invalid entity ref ${JSON.stringify(ref)}: expected kind:namespace/name, such as component:default/payments.`);
        }
      });
      const entries = await catalogEntriesByRefs(db, keys, parseEntityFilter(request.query.filter), scopesOf(request));
      return { items: entries.map((e) => (e ? selectFields(e.entity, fields) : null)) };
    },
  );

  const entityByName = async (request: FastifyRequest, params: { kind: string; namespace: string; name: string }): Promise<CatalogEntry> => {
    const entry = await catalogEntryByRef(db, params.kind, params.namespace, params.name);
    const notFound = () => new NotFoundError(`No entity named ${JSON.stringify(params.name)} of kind ${JSON.stringify(params.kind)} in namespace ${JSON.stringify(params.namespace)}.`);
    if (!entry) throw notFound();
    requireReadable(request, entry.row.scope, notFound);
    return entry;
  };

  api.get(
    '/catalog/entities/by-name/:kind/:namespace/:name',
    { schema: { summary: 'One entity by kind, namespace and name', description: 'Compared case-insensitively, as Backstage does.', tags, params: EntityNameParams, response: { 200: EntitySchema, ...errors(404) } } },
    async (request) => (await entityByName(request, request.params)).entity,
  );

  api.get(
    '/catalog/entities/by-name/:kind/:namespace/:name/target-links',
    {
      schema: {
        summary: "An entity's target links",
        description: 'Each harness.io/sto-test-target entry and the implicit repository link, as last resolved: the target and variant shown, and why a link shows nothing.',
        tags,
        params: EntityNameParams,
        response: { 200: Type.Object({ entityRef: Type.String(), scope: Type.String(), links: Type.Array(LinkSchema) }), ...errors(404) },
      },
    },
    async (request) => {
      const entry = await entityByName(request, request.params);
      return {
        entityRef: entry.row.ref,
        scope: entry.row.scope,
        links: entry.links.map((l) => ({
          position: l.position,
          origin: l.origin,
          name: l.name,
          scope: l.scope,
          variant: l.variant,
          matched: l.matched,
          target: l.targetId !== null && l.targetName !== null ? { id: l.targetId, name: l.targetName } : null,
          shown: l.variantName !== null ? { id: l.variantId, name: l.variantName, reason: l.variantReason } : null,
          diagnostics: l.diagnostics,
          resolvedAt: l.resolvedAt,
        })),
      };
    },
  );

  api.get(
    '/catalog/entities/by-uid/:uid',
    { schema: { summary: 'One entity by metadata.uid', tags, params: Type.Object({ uid: Type.String() }), response: { 200: EntitySchema, ...errors(404) } } },
    async (request) => {
      const entry = await catalogEntryByUid(db, request.params.uid);
      const notFound = () => new NotFoundError(`No entity with uid ${JSON.stringify(request.params.uid)}.`);
      if (!entry) throw notFound();
      requireReadable(request, entry.row.scope, notFound);
      return entry.entity;
    },
  );

  api.get(
    '/catalog/entity-facets',
    {
      schema: {
        summary: 'Entity facets',
        description: 'Backstage GET /entity-facets: for each facet field, its values among the filtered entities and how many entities have each.',
        tags,
        querystring: Type.Object({ facet: Type.Array(Type.String(), { minItems: 1 }), ...FilterQuery }),
        response: { 200: Type.Object({ facets: Type.Record(Type.String(), Type.Array(Type.Object({ value: Type.String(), count: Type.Integer() }))) }), ...errors(400) },
      },
    },
    async (request) => ({ facets: await facetCounts(db, request.query.facet, parseEntityFilter(request.query.filter), scopesOf(request)) }),
  );

  api.get(
    '/catalog/locations',
    { schema: { summary: 'Registered locations', description: 'Backstage GET /locations: each location under `data`.', tags, response: { 200: Type.Array(Type.Object({ data: LocationSchema })) } } },
    async (request) => {
      const scopes = scopesOf(request);
      return (await listLocations(db)).filter((l) => inFilter(scopes, l.scope)).map((l) => ({ data: locationView(l) }));
    },
  );

  // Backstage's location ids are strings; Lantern's are row ids written as one.
  const locationById = async (request: FastifyRequest, id: string): Promise<LocationRow> => {
    const location = /^\d+$/.test(id) ? await findLocation(db, parseId(id, 'location id')) : undefined;
    const notFound = () => new NotFoundError(`No location with id ${JSON.stringify(id)}.`);
    if (!location) throw notFound();
    requireReadable(request, location.scope, notFound);
    return location;
  };

  api.get(
    '/catalog/locations/:id',
    { schema: { summary: 'One location, with the problems of its last read', tags, params: Type.Object({ id: Type.String() }), response: { 200: LocationDetailSchema, ...errors(404) } } },
    async (request) => {
      const location = await locationById(request, request.params.id);
      return { ...locationView(location), problems: readProblems(location.problems) };
    },
  );

  api.get(
    '/catalog/locations/by-entity/:kind/:namespace/:name',
    { schema: { summary: 'The location an entity was read from', tags, params: EntityNameParams, response: { 200: LocationSchema, ...errors(404) } } },
    async (request) => {
      const { kind, namespace, name } = request.params;
      const entity = await findEntityByRef(db, kind, namespace, name);
      const notFound = () => new NotFoundError(`No entity named ${JSON.stringify(name)} of kind ${JSON.stringify(kind)} in namespace ${JSON.stringify(namespace)}.`);
      if (!entity) throw notFound();
      requireReadable(request, entity.scope, notFound);
      return locationView(await locationById(request, String(entity.location_id)));
    },
  );

  api.post(
    '/catalog/locations',
    {
      schema: {
        summary: 'Register a location',
        description:
          'Backstage POST /locations: registers a URL, or a running Backstage whose catalog API is read instead of files (type "backstage", or a target backstage+https://HOST; the token is the server\'s LANTERN_BACKSTAGE_TOKEN), and reads it now. Local files are registered from the command line (`lantern catalog register`, `lantern serve --catalog`), never over HTTP. With dryRun=true nothing is stored. The URL, its redirects and the targets of its Locations must reach public hosts (or hosts allowed with --catalog-allow-host); a refused or unreadable URL answers 400, and beyond catalog.maxLocations (1000) locations registering answers 409.',
        tags,
        querystring: Type.Object({
          dryRun: Type.Optional(Type.Union([Type.Literal('true'), Type.Literal('false')])),
          onConflict: Type.Optional(Type.Union([Type.Literal('reject'), Type.Literal('refresh')], { description: 'An already registered target: 409 (reject, the default) or read it again (refresh)' })),
        }),
        body: Type.Object({
          type: Type.Optional(Type.String({ description: 'url (the default), or backstage' })),
          target: Type.String({ minLength: 1, description: 'An http(s) URL of a catalog file; for type backstage, the address of a Backstage backend (https://HOST or backstage+https://HOST)' }),
          scope: Type.Optional(Type.String({ description: 'ORG.PROJECT or account; default default.default' })),
        }),
        response: { 201: Type.Object({ location: LocationSchema, entities: Type.Array(EntitySchema), exists: Type.Optional(Type.Boolean()) }), ...errors(400, 409) },
      },
    },
    async (request, reply) => {
      const { type = isBackstageAddress(request.body.target) ? 'backstage' : 'url', scope: scopeText } = request.body;
      if (type !== 'url' && type !== 'backstage') {
        throw new InputError(`Locations of type ${JSON.stringify(type)} cannot be registered over HTTP: register a URL (type "url"), a Backstage (type "backstage"), or local files with \`lantern catalog register\`.`);
      }
      const written = request.body.target.trim();
      const backstage = type === 'backstage' || isBackstageAddress(written);
      if (backstage && type !== 'backstage') throw new InputError('Invalid location target for type "url": a backstage+http(s) target names a Backstage; register it with type "backstage".');
      parseWebAddress(backstage ? written.replace(/^backstage\+/i, '') : written, 'location target');
      const target = backstage && !isBackstageAddress(written) ? `backstage+${written}` : written;
      const scope = scopeText === undefined ? DEFAULT_PROJECT_SCOPE : parseScope(scopeText);
      authorize(principalOf(request), 'manage-catalog', formatScope(scope));
      if (request.query.dryRun === 'true') {
        const preview = await lantern.catalog.preview(target, scope);
        const exists = (await listLocations(db)).some((l) => l.target === preview.target);
        return reply.status(201).send({
          location: { id: '', type, target: preview.target, scope: formatScope(scope), status: 'ok', lastError: null, lastReadAt: null, createdAt: new Date().toISOString() },
          entities: preview.entities,
          exists,
        });
      }
      const summary = await lantern.registerLocation(target, scope, { onExisting: request.query.onConflict ?? 'reject' }, actorOf(request));
      const entries = await catalogEntries(db, await entityRowsOfLocation(db, summary.location.id));
      request.log.info({ location: summary.location.target, added: summary.added.length, status: summary.location.status }, 'location registered');
      return reply.status(201).send({ location: locationView(summary.location), entities: entries.map((e) => e.entity), ...(summary.created ? {} : { exists: true }) });
    },
  );

  api.delete(
    '/catalog/locations/:id',
    { schema: { summary: 'Unregister a location and remove its entities', tags, params: Type.Object({ id: Type.String() }), response: { 204: Type.Null(), ...errors(404) } } },
    async (request, reply) => {
      const location = await locationById(request, request.params.id);
      await lantern.unregisterLocation(location.id, actorOf(request));
      request.log.info({ location: location.target }, 'location unregistered');
      return reply.status(204).send(null);
    },
  );

  api.post(
    '/catalog/refresh',
    {
      schema: {
        summary: 'Read locations again now',
        description:
          "Every location, or with entityRef (Backstage's refreshEntity) the location that entity was read from. Answers when the reads are stored. One location read less than 30 seconds ago (catalog.minRefreshIntervalMs) answers 429 with Retry-After.",
        tags,
        body: Type.Object({ entityRef: Type.Optional(Type.String()), locationId: Type.Optional(Type.String()) }),
        response: { 200: Type.Object({ locations: Type.Array(RefreshResultSchema) }), ...errors(400, 404, 429) },
      },
      // A bare POST (no body) refreshes everything.
      preValidation: async (request) => {
        request.body ??= {};
      },
    },
    async (request) => {
      const body = request.body;
      if (body.entityRef !== undefined || body.locationId !== undefined) {
        let location: LocationRow;
        if (body.locationId !== undefined) {
          location = await locationById(request, body.locationId);
        } else {
          const ref = parseRef(body.entityRef as string);
          const entity = await findEntityByRef(db, ref.kind, ref.namespace, ref.name);
          const notFound = () => new NotFoundError(`No entity ${JSON.stringify(body.entityRef)} in the catalog.`);
          if (!entity) throw notFound();
          requireReadable(request, entity.scope, notFound);
          location = await locationById(request, String(entity.location_id));
        }
        return { locations: [refreshResult({ summary: await lantern.refreshLocation(location.id, actorOf(request), { rateLimited: true }) })] };
      }
      const outcomes = await lantern.refreshAllLocations(actorOf(request));
      return { locations: outcomes.map(refreshResult) };
    },
  );
}

function parseRef(ref: string): { kind: string; namespace: string; name: string } {
  try {
    return parseEntityRef(ref);
  } catch {
    throw new InputError(`Invalid entity ref ${JSON.stringify(ref)}: expected kind:namespace/name, such as component:default/payments.`);
  }
}

function locationView(location: LocationRow | LocationListing) {
  return {
    id: String(location.id),
    type: isBackstageAddress(location.target) ? 'backstage' : isUrl(location.target) ? 'url' : 'file',
    target: location.target,
    scope: location.scope,
    status: location.status,
    lastError: location.last_error,
    lastReadAt: location.last_read_at,
    createdAt: location.created_at,
    ...('entities' in location ? { entities: location.entities } : {}),
  };
}

function refreshResult(outcome: RefreshOutcome) {
  if ('error' in outcome) {
    const { location, error } = outcome;
    return { id: String(location.id), target: location.target, status: 'error', lastError: error.message, added: 0, updated: 0, removed: 0, kept: 0, unchanged: 0, problems: 0 };
  }
  const s: RefreshSummary = outcome.summary;
  return {
    id: String(s.location.id),
    target: s.location.target,
    status: s.location.status,
    lastError: s.location.last_error,
    added: s.added.length,
    updated: s.updated.length,
    removed: s.removed.length,
    kept: s.kept.length,
    unchanged: s.unchanged,
    problems: s.problems.length,
  };
}
