import {
  BinaryOperationNode,
  ColumnNode,
  FunctionNode,
  InsertQueryNode,
  type KyselyPlugin,
  type OperationNode,
  OperationNodeTransformer,
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
  private readonly transformer = new ConstantStatementsTransformer();

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return this.transformer.transformNode(args.node, args.queryId);
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
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
export const wellFormed = (value: Plain): Plain => (typeof value === 'string' ? (value as string & { toWellFormed(): string }).toWellFormed() : value);

class ConstantStatementsTransformer extends OperationNodeTransformer {
  protected override transformBinaryOperation(node: BinaryOperationNode, queryId?: Parameters<OperationNodeTransformer['transformNode']>[1]): BinaryOperationNode {
    const transformed = super.transformBinaryOperation(node, queryId);
    if (!OperatorNode.is(transformed.operator)) return transformed;
    const operator = transformed.operator.operator;
    if (operator !== 'in' && operator !== 'not in') return transformed;
    if (ValueNode.is(transformed.leftOperand) || PrimitiveValueListNode.is(transformed.leftOperand) || ValueListNode.is(transformed.leftOperand)) return transformed;
    const values = plainValues(transformed.rightOperand);
    if (values === undefined || !sameKind(values)) return transformed;
    return BinaryOperationNode.create(
      transformed.leftOperand,
      OperatorNode.create(operator === 'in' ? '=' : '<>'),
      FunctionNode.create(operator === 'in' ? 'any' : 'all', [ValueNode.create(values.map(wellFormed))]),
    );
  }

  protected override transformInsertQuery(node: InsertQueryNode, queryId?: Parameters<OperationNodeTransformer['transformNode']>[1]): InsertQueryNode {
    const transformed = super.transformInsertQuery(node, queryId);
    const json = jsonRows(transformed);
    if (json === undefined || transformed.into === undefined) return transformed;
    const columns = (transformed.columns ?? []).map((c) => c.column.name);
    const select = RawNode.create(
      ['select ', ' from json_populate_recordset(null::', ', ', ')'],
      [
        RawNode.createWithChildren(columns.flatMap((name, i) => (i === 0 ? [ColumnNode.create(name)] : [RawNode.createWithSql(', '), ColumnNode.create(name)]))),
        transformed.into,
        ValueNode.create(json),
      ],
    );
    return InsertQueryNode.cloneWith(transformed, { values: select });
  }
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
