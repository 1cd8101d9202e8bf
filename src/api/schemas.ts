import { type Static, Type } from 'typebox';
import { MAX_ID } from '../domain/ids.js';
import type { Severity } from '../domain/severity.js';
import type { TargetType } from '../domain/target.js';

/** Schemas several routes share. Route-specific ones live with their routes. */

/**
 * Bounded numbers for every path and query parameter. Numbers in the path, the query or a body
 * are also refused when not finite, and strings when they hold a NUL (input-checks.ts).
 */
export const Id = (description?: string) => Type.Integer({ minimum: 1, maximum: MAX_ID, ...(description ? { description } : {}) });
/** `{id}` in a path: a row id. */
export const IdParams = Type.Object({ id: Id() });
/** How many rows one page holds; 0 only where Backstage's API allows it (`minimum`). */
export const Limit = (options: { max: number; default?: number; minimum?: number; description?: string }) =>
  Type.Integer({
    minimum: options.minimum ?? 1,
    maximum: options.max,
    ...(options.default === undefined ? {} : { default: options.default }),
    ...(options.description === undefined ? {} : { description: options.description }),
  });
/** Rows to skip; bounded so that no store sees an offset it cannot represent. */
export const Offset = () => Type.Integer({ minimum: 0, maximum: MAX_ID, default: 0 });
/** A look-back in days. */
export const Days = () => Type.Integer({ minimum: 1, maximum: 366, default: 30 });

// Spelled out so that TypeBox infers the literal union (a mapped array would infer never).
export const SeverityName = Type.Union([Type.Literal('critical'), Type.Literal('high'), Type.Literal('medium'), Type.Literal('low'), Type.Literal('info')]);

export const SeverityCountsSchema = Type.Object({
  critical: Type.Integer(),
  high: Type.Integer(),
  medium: Type.Integer(),
  low: Type.Integer(),
  info: Type.Integer(),
  total: Type.Integer(),
});

export const TargetTypeSchema = Type.Union([Type.Literal('repository'), Type.Literal('container'), Type.Literal('instance'), Type.Literal('configuration')]);

export const NullableString = Type.Union([Type.String(), Type.Null()]);
export const NullableInteger = Type.Union([Type.Integer(), Type.Null()]);

/** An issue in a list (store/issues.ts IssueListing); entity lists add to it. */
export const IssueListingFields = {
  id: Type.Integer(),
  targetId: Type.Integer(),
  fingerprint: Type.String(),
  kind: Type.String(),
  severity: SeverityName,
  title: Type.String(),
  vulnerabilityId: NullableString,
  ruleId: NullableString,
  package: NullableString,
  installedVersion: NullableString,
  fixedVersion: NullableString,
  scanners: Type.Array(Type.String()),
  occurrences: Type.Integer(),
  new: Type.Boolean(),
  firstSeenAt: Type.String(),
  lastSeenAt: Type.String(),
};

export const ErrorSchema = Type.Object(
  {
    error: Type.Object({ name: Type.String(), message: Type.String() }),
    request: Type.Object({ method: Type.String(), url: Type.String() }),
    response: Type.Object({ statusCode: Type.Integer() }),
  },
  { $id: 'Error', description: 'Every 4xx and 5xx answer has this shape.' },
);


/** 4xx answers a route documents, all with the error shape. */
export function errors(...codes: number[]): Record<number, typeof ErrorSchema> {
  return Object.fromEntries(codes.map((c) => [c, ErrorSchema]));
}

// The spelled-out unions must name exactly the domain's values.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
export const schemasMatchDomain: [Same<Static<typeof SeverityName>, Severity>, Same<Static<typeof TargetTypeSchema>, TargetType>] = [true, true];

/** The catalog columns of an entity row, in the overview and in a scorecard's results. */
export const EntityColumnFields = {
  entityRef: Type.String(),
  kind: Type.String(),
  namespace: Type.String(),
  name: Type.String(),
  title: NullableString,
  type: NullableString,
  owner: NullableString,
  system: NullableString,
  lifecycle: NullableString,
};
