import type { ReactNode } from 'react';
import { ApiError } from '../api/client.js';
import { Link } from '../routing/router.js';

/** Loading, failure and empty states, so that no part of a page is ever silently blank. */

export function Loading({ what }: { what: string }) {
  return (
    <div className="state state-loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      Loading {what}…
    </div>
  );
}

/** A failure to load; a read the server answers 404 (missing, or outside what the caller may read) is not-found. */
export function ErrorState({ error, what, onRetry }: { error: Error; what: string; onRetry?: () => void }) {
  if (error instanceof ApiError && error.status === 404) return <NotFound>{error.message}</NotFound>;
  return (
    <div className="state state-error" role="alert">
      <p>
        <strong>Could not load {what}.</strong> {error.message}
      </p>
      {onRetry && (
        <button type="button" className="button" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="state state-empty">
      <p className="state-title">{title}</p>
      {children}
    </div>
  );
}

/** The not-found view: for an address that is no page, and for a read of something that is not there. */
export function NotFound({ children }: { children?: ReactNode }) {
  return (
    <EmptyState title="There is nothing here.">
      {children && <p>{children}</p>}
      <p>
        The address may be mistyped or out of date, or lead to something you may not read. Go to the <Link href="/catalog">catalog</Link>.
      </p>
    </EmptyState>
  );
}
