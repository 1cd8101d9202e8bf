import { formatCount } from './format.js';

/** Page by page through a list the API counts: "1–50 of 10,000", previous/next and the page size. */
export function OffsetPagination({
  page,
  pageSize,
  total,
  pageSizes,
  onPage,
  onPageSize,
  label,
}: {
  page: number;
  pageSize: number;
  total: number;
  pageSizes: readonly number[];
  onPage: (page: number) => void;
  onPageSize: (size: number) => void;
  label: string;
}) {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const first = total === 0 ? 0 : (page - 1) * pageSize + 1;
  const last = Math.min(total, page * pageSize);
  return (
    <nav className="pagination" aria-label={`${label} pages`}>
      <span className="pagination-range" aria-live="polite">
        {formatCount(first)}–{formatCount(last)} of {formatCount(total)}
      </span>
      <button type="button" className="button" disabled={page <= 1} onClick={() => onPage(page - 1)}>
        ‹ Previous
      </button>
      <span className="pagination-page">
        Page {formatCount(Math.min(page, pages))} of {formatCount(pages)}
      </span>
      <button type="button" className="button" disabled={page >= pages} onClick={() => onPage(page + 1)}>
        Next ›
      </button>
      <label className="pagination-size">
        Rows per page{' '}
        <select value={pageSize} onChange={(event) => onPageSize(Number(event.target.value))}>
          {pageSizes.map((size) => (
            <option key={size} value={size}>
              {size}
            </option>
          ))}
        </select>
      </label>
    </nav>
  );
}

/** Page by page through a list the API pages with cursors: first, previous (this visit's pages) and next. */
export function CursorPagination({
  shown,
  total,
  onFirst,
  onPrevious,
  onNext,
  hasPrevious,
  atFirst,
  hasNext,
  label,
}: {
  shown: number;
  total: number;
  onFirst: () => void;
  onPrevious: () => void;
  onNext: () => void;
  hasPrevious: boolean;
  atFirst: boolean;
  hasNext: boolean;
  label: string;
}) {
  return (
    <nav className="pagination" aria-label={`${label} pages`}>
      <span className="pagination-range" aria-live="polite">
        {formatCount(shown)} shown of {formatCount(total)}
      </span>
      <button type="button" className="button" disabled={atFirst} onClick={onFirst}>
        « First
      </button>
      <button type="button" className="button" disabled={!hasPrevious} onClick={onPrevious}>
        ‹ Previous
      </button>
      <button type="button" className="button" disabled={!hasNext} onClick={onNext}>
        Next ›
      </button>
    </nav>
  );
}
