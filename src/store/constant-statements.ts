import {
  BinaryOperationNode,
  ColumnNode,
  FunctionNode,
  InsertQueryNode,
  type KyselyPlugin,
  type OperationNode,
  OperatorNode,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  PrimitiveValueListNode,
  type QueryResult,
  RawNode,
  type RootOperationNode,
  type UnknownRow,
  ValueListNode,
  ValueNode,
  ValuesNode,
} from 'kysely';
import { wellFormedText } from '../domain/well-formed.js';

/**
 * PostgreSQL: gives a statement one text whatever the number of values it carries. A multi-row
 * `INSERT … VALUES` and an `IN (…)` list otherwise change text with their row or item count, so a
 * connection met a new text on most ingests — parsed and planned anew, never prepared once and
 * reused (database.ts names a text on its second sight), and new on a process's first ingest even
 * after the start-up rehearsal (issue 17). Rewritten, they carry their values in one parameter:
 *
 * - `x in ($1, $2, …)` becomes `x = any($1)`, and `not in` becomes `<> all($1)`: one array
 *   parameter, whose type PostgreSQL takes from `x` as it does for the list (the planner turns an
 *   IN list into the same array comparison);
 * - `insert into t (a, b) values (…), (…)` becomes `insert into t (a, b) select a, b from
 *   json_populate_recordset(null::t, $1)`: one JSON parameter, each value converted to its column's
 *   type by the column type's own input, as a text parameter is. Rows come back from `returning`
 *   in the array's order, as from a VALUES list.
 *
 * Only lists of plain values are rewritten: strings, finite numbers, booleans and nulls, all
 * strings or all numbers for an array, and at least two rows for an insert (one row's VALUES
 * already has one text). Anything else (expressions, defaults, dates) is left as it was.
 */
export class ConstantStatementsPlugin implements KyselyPlugin {
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return rewritten(args.node) as RootOperationNode;
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}

const isNode = (value: unknown): value is OperationNode => typeof value === 'object' && value !== null && typeof (value as { kind?: unknown }).kind === 'string';

/**
 * The node with every list it holds rewritten, or the node itself when none is: a walk that copies
 * only the nodes on the way to a change. (Kysely's OperationNodeTransformer copies every node of
 * every query: about 1.5 ms more Node CPU per uploaded report, docs/performance.md "Several replicas".)
 * Values are not walked into: a ValueNode's value is the caller's data, not a query.
 */
function rewritten(node: OperationNode): OperationNode {
  if (ValueNode.is(node) || PrimitiveValueListNode.is(node)) return node;
  let copy: Record<string, unknown> | undefined;
  for (const key in node) {
    const value = (node as unknown as Record<string, unknown>)[key];
    let next = value;
    if (Array.isArray(value)) {
      let items: unknown[] | undefined;
      for (let i = 0; i < value.length; i++) {
        const item = value[i];
        const changed = isNode(item) ? rewritten(item) : item;
        if (changed !== item) (items ??= [...value])[i] = changed;
      }
      if (items) next = Object.freeze(items);
    } else if (isNode(value)) next = rewritten(value);
    if (next !== value) (copy ??= { ...node })[key] = next;
  }
  const walked = copy ? (Object.freeze(copy) as unknown as OperationNode) : node;
  if (BinaryOperationNode.is(walked)) return arrayComparison(walked) ?? walked;
  if (InsertQueryNode.is(walked)) return jsonInsert(walked) ?? walked;
  return walked;
}

export type Plain = string | number | boolean | null;

function isPlain(value: unknown): value is Plain {
  return value === null || typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
}

/** The list's values when each is a plain value, else undefined. */
function plainValues(node: OperationNode): Plain[] | undefined {
  if (PrimitiveValueListNode.is(node)) return node.values.every(isPlain) ? (node.values as Plain[]) : undefined;
  if (ValueListNode.is(node)) {
    const values: Plain[] = [];
    for (const item of node.values) {
      if (!ValueNode.is(item) || item.immediate || !isPlain(item.value)) return undefined;
      values.push(item.value);
    }
    return values;
  }
  return undefined;
}

/**
 * A string PostgreSQL's JSON input accepts and stores as a text parameter would: a lone surrogate
 * (JSON.parse lets a report's `"\ud800"` through) is written as U+FFFD, as UTF-8 encoding does, where
 * PostgreSQL refuses its `\ud800` escape.
 */
export const wellFormed = (value: Plain): Plain => (typeof value === 'string' ? wellFormedText(value) : value);

/** `x in (…)` as `x = any($1)`, `x not in (…)` as `x <> all($1)`; undefined when it is not such a list. */
function arrayComparison(node: BinaryOperationNode): BinaryOperationNode | undefined {
  if (!OperatorNode.is(node.operator)) return undefined;
  const operator = node.operator.operator;
  if (operator !== 'in' && operator !== 'not in') return undefined;
  if (ValueNode.is(node.leftOperand) || PrimitiveValueListNode.is(node.leftOperand) || ValueListNode.is(node.leftOperand)) return undefined;
  const values = plainValues(node.rightOperand);
  if (values === undefined || !sameKind(values)) return undefined;
  return BinaryOperationNode.create(
    node.leftOperand,
    OperatorNode.create(operator === 'in' ? '=' : '<>'),
    FunctionNode.create(operator === 'in' ? 'any' : 'all', [ValueNode.create(values.map(wellFormed))]),
  );
}

/** A multi-row `insert … values` of plain values as `insert … select … from json_populate_recordset(…)`. */
function jsonInsert(node: InsertQueryNode): InsertQueryNode | undefined {
  const json = jsonRows(node);
  if (json === undefined || node.into === undefined) return undefined;
  const columns = (node.columns ?? []).map((c) => c.column.name);
  const select = RawNode.create(
    ['select ', ' from json_populate_recordset(null::', ', ', ')'],
    [
      RawNode.createWithChildren(columns.flatMap((name, i) => (i === 0 ? [ColumnNode.create(name)] : [RawNode.createWithSql(', '), ColumnNode.create(name)]))),
      node.into,
      ValueNode.create(json),
    ],
  );
  return InsertQueryNode.cloneWith(node, { values: select });
}

/** Whether every value of an array is of one kind, so that it has one PostgreSQL array type. */
function sameKind(values: readonly Plain[]): boolean {
  let kind: string | undefined;
  for (const value of values) {
    if (value === null) continue;
    if (kind === undefined) kind = typeof value;
    else if (kind !== typeof value) return false;
  }
  return true;
}

/**
 * The rows of a multi-row `insert … values` of plain values as a JSON array of objects keyed by
 * column, or undefined when the insert is anything else.
 */
function jsonRows(node: InsertQueryNode): string | undefined {
  if (node.values === undefined || !ValuesNode.is(node.values) || node.values.values.length < 2) return undefined;
  const columns = (node.columns ?? []).map((c) => c.column.name);
  if (columns.length === 0 || new Set(columns).size !== columns.length) return undefined;
  const rows: Record<string, Plain>[] = [];
  for (const item of node.values.values) {
    const values = plainValues(item);
    if (values === undefined || values.length !== columns.length) return undefined;
    const row: Record<string, Plain> = {};
    for (let c = 0; c < columns.length; c++) row[columns[c] as string] = wellFormed(values[c] as Plain);
    rows.push(row);
  }
  return JSON.stringify(rows);
}
