import { type KeyboardEvent, type MouseEvent, type ReactNode, useRef, useState } from 'react';
import { ariaSort } from '../routing/search-params.js';

/**
 * A dense table whose rows open something (an entity, an issue). Keyboard: Tab reaches the table
 * once, the arrow keys, Home and End move between rows, Enter opens the row. Sortable columns
 * have a button in their header and say their order with aria-sort.
 */

export interface Column<Row> {
  key: string;
  header: ReactNode;
  cell: (row: Row) => ReactNode;
  /** The API's sort key, when the column sorts. */
  sortKey?: string;
  /** Counts and dates sort largest/newest first on the first click. */
  descendingFirst?: boolean;
  className?: string;
  /** How many columns this cell covers in a row (the next ones are then left out for that row). */
  span?: (row: Row) => number;
}

interface Props<Row> {
  caption: string;
  columns: Column<Row>[];
  rows: Row[];
  rowKey: (row: Row) => string | number;
  onOpen: (row: Row) => void;
  /** The current order: a sortKey, `-` in front for descending. */
  sort?: string;
  onSort?: (key: string, descendingFirst: boolean) => void;
  busy?: boolean;
  rowClassName?: (row: Row) => string | undefined;
  testId?: string;
}

export function DataTable<Row>({ caption, columns, rows, rowKey, onOpen, sort, onSort, busy, rowClassName, testId }: Props<Row>) {
  const [active, setActive] = useState(0);
  const body = useRef<HTMLTableSectionElement>(null);
  const current = Math.min(active, Math.max(0, rows.length - 1));

  const focusRow = (index: number) => {
    const target = Math.max(0, Math.min(rows.length - 1, index));
    setActive(target);
    (body.current?.children[target] as HTMLElement | undefined)?.focus();
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTableRowElement>, index: number, row: Row) => {
    const moves: Record<string, number> = { ArrowDown: index + 1, ArrowUp: index - 1, Home: 0, End: rows.length - 1, PageDown: index + 10, PageUp: index - 10 };
    const move = moves[event.key];
    if (move !== undefined) {
      event.preventDefault();
      focusRow(move);
    } else if ((event.key === 'Enter' || event.key === ' ') && event.target === event.currentTarget) {
      event.preventDefault();
      onOpen(row);
    }
  };

  const onClick = (event: MouseEvent<HTMLTableRowElement>, index: number, row: Row) => {
    setActive(index);
    // Links and buttons in a cell do their own thing.
    if ((event.target as HTMLElement).closest('a, button, input, select, label')) return;
    onOpen(row);
  };

  return (
    <div className="table-scroll" aria-busy={busy ? 'true' : undefined}>
      <table className={`data-table${busy ? ' is-busy' : ''}`} data-testid={testId}>
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {columns.map((column) => (
              <th key={column.key} scope="col" className={column.className} aria-sort={column.sortKey && sort !== undefined ? ariaSort(sort, column.sortKey) : undefined}>
                {column.sortKey && onSort ? (
                  <button type="button" className="sort-button" onClick={() => onSort(column.sortKey as string, column.descendingFirst ?? false)}>
                    {column.header}
                    <SortMark direction={sort !== undefined ? ariaSort(sort, column.sortKey) : 'none'} />
                  </button>
                ) : (
                  column.header
                )}
              </th>
            ))}
          </tr>
        </thead>
        <tbody ref={body}>
          {rows.map((row, index) => (
            <tr
              key={rowKey(row)}
              data-key={rowKey(row)}
              tabIndex={index === current ? 0 : -1}
              className={rowClassName?.(row)}
              onKeyDown={(event) => onKeyDown(event, index, row)}
              onClick={(event) => onClick(event, index, row)}
              onFocus={() => setActive(index)}
            >
              {cells(columns, row)}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function cells<Row>(columns: Column<Row>[], row: Row): ReactNode[] {
  const out: ReactNode[] = [];
  for (let i = 0; i < columns.length; i++) {
    const column = columns[i] as Column<Row>;
    const span = Math.max(1, Math.min(columns.length - i, column.span?.(row) ?? 1));
    out.push(
      <td key={column.key} className={span > 1 ? 'spans-columns' : column.className} colSpan={span > 1 ? span : undefined}>
        {column.cell(row)}
      </td>,
    );
    i += span - 1;
  }
  return out;
}

function SortMark({ direction }: { direction: 'ascending' | 'descending' | 'none' }) {
  const mark = direction === 'ascending' ? '▲' : direction === 'descending' ? '▼' : '↕';
  return (
    <span className={`sort-mark sort-${direction}`} aria-hidden="true">
      {mark}
    </span>
  );
}
