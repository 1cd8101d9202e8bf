import type { CheckStatus, RuleResult } from '../api/types.js';
import { formatScore } from './format.js';

/**
 * A check's status is never told by color alone: pass is a circle with a tick, fail a square with a
 * cross, unknown a ring with a dash, each with its word.
 */

export const CHECK_STATUS_LABEL: Record<CheckStatus, string> = { pass: 'Pass', fail: 'Fail', unknown: 'Unknown' };

const RULE_STATUS_LABEL: Record<RuleResult['status'], string> = { pass: 'met', fail: 'not met', noData: 'no data' };

const SHAPES: Record<CheckStatus, string> = {
  pass: 'M6 0a6 6 0 1 1 0 12A6 6 0 0 1 6 0zM2.3 6l1.1-1.1 1.8 1.8 3.4-3.4 1.1 1.1-4.5 4.5z',
  fail: 'M2 .5h8A1.5 1.5 0 0 1 11.5 2v8A1.5 1.5 0 0 1 10 11.5H2A1.5 1.5 0 0 1 .5 10V2A1.5 1.5 0 0 1 2 .5zm1.5 1.9L2.4 3.5 4.9 6 2.4 8.5l1.1 1.1L6 7.1l2.5 2.5 1.1-1.1L7.1 6l2.5-2.5-1.1-1.1L6 4.9z',
  unknown: 'M6 .5a5.5 5.5 0 1 1 0 11A5.5 5.5 0 0 1 6 .5zM6 2a4 4 0 1 0 0 8A4 4 0 0 0 6 2zM3.6 5.3h4.8v1.4H3.6z',
};

export function CheckStatusIcon({ status }: { status: CheckStatus }) {
  return (
    <svg className={`status-icon status-${status}`} viewBox="0 0 12 12" width="12" height="12" aria-hidden="true" focusable="false">
      <path d={SHAPES[status]} fillRule="evenodd" />
    </svg>
  );
}

/** Pass, Fail or Unknown; "no data" beside a pass or fail that whenNoData decided. */
export function CheckStatusBadge({ status, noData = false }: { status: CheckStatus; noData?: boolean }) {
  return (
    <span className={`status-badge status-${status}`} data-status={status}>
      <CheckStatusIcon status={status} />
      {CHECK_STATUS_LABEL[status]}
      {noData && status !== 'unknown' && <span className="status-note">(no data)</span>}
    </span>
  );
}

/** A rule's own outcome, beside its observed value. */
export function RuleStatusMark({ status }: { status: RuleResult['status'] }) {
  const shown: CheckStatus = status === 'noData' ? 'unknown' : status;
  return (
    <span className={`rule-status status-${shown}`}>
      <CheckStatusIcon status={shown} />
      <span className="visually-hidden">{RULE_STATUS_LABEL[status]}: </span>
    </span>
  );
}

/** A score or pass rate; "no score" (or what the caller says) when there is none, which is not 0. */
export function ScoreValue({ value, none = 'No score', hint }: { value: number | null; none?: string; hint?: string }) {
  if (value === null) {
    return (
      <span className="no-score" title={hint}>
        {none}
      </span>
    );
  }
  return <span className="score-value">{formatScore(value)}</span>;
}

/** A percentage with a bar behind it; the bar is decoration, the number says it. */
export function RateBar({ value, none = 'None decided', hint }: { value: number | null; none?: string; hint?: string }) {
  return (
    <span className="rate">
      <span className="rate-bar" aria-hidden="true">
        {value !== null && <span className="rate-fill" style={{ width: `${Math.max(0, Math.min(100, value))}%` }} />}
      </span>
      <ScoreValue value={value} none={none} hint={hint} />
    </span>
  );
}
