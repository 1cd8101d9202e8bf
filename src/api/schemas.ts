import { Type } from 'typebox';
import { SEVERITIES } from '../domain/severity.js';
import { TARGET_TYPES } from '../domain/target.js';

/** Schemas several routes share. Route-specific ones live with their routes. */

export const SeverityName = Type.Union(SEVERITIES.map((s) => Type.Literal(s)));

export const SeverityCountsSchema = Type.Object({
  critical: Type.Integer(),
  high: Type.Integer(),
  medium: Type.Integer(),
  low: Type.Integer(),
  info: Type.Integer(),
  total: Type.Integer(),
});

export const TargetTypeSchema = Type.Union(TARGET_TYPES.map((t) => Type.Literal(t)));

export const ErrorSchema = Type.Object(
  {
    error: Type.Object({ name: Type.String(), message: Type.String() }),
    request: Type.Object({ method: Type.String(), url: Type.String() }),
    response: Type.Object({ statusCode: Type.Integer() }),
  },
  { $id: 'Error', description: 'Every 4xx and 5xx answer has this shape.' },
);

export const NullableString = Type.Union([Type.String(), Type.Null()]);
export const NullableInteger = Type.Union([Type.Integer(), Type.Null()]);

/** 4xx answers a route documents, all with the error shape. */
export function errors(...codes: number[]): Record<number, typeof ErrorSchema> {
  return Object.fromEntries(codes.map((c) => [c, ErrorSchema]));
}
