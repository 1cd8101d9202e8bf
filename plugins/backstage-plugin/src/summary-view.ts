import { SEVERITIES, type Diagnostic, type EntitySummary, type Severity } from '@lantern-security/backstage-plugin-common';

/**
 * What the summary card and the catalog column show, from an entity's summary: plain data, so
 * that the components only lay it out. "No data" is its own state, never a row of zeros.
 */

export const SEVERITY_LABEL: Record<Severity, string> = { critical: 'Critical', high: 'High', medium: 'Medium', low: 'Low', info: 'Info' };

/** Severity is never told by colour alone: each level has a shape too (12×12 SVG paths). */
export const SEVERITY_SHAPE: Record<Severity, string> = {
  critical: 'M4.1 0h3.8L12 4.1v3.8L7.9 12H4.1L0 7.9V4.1zM5.1 2.5v4.6h1.8V2.5zm0 5.9v1.6h1.8V8.4z',
  high: 'M6 0.5l6 11H0z',
  medium: 'M6 0l6 6-6 6-6-6z',
  low: 'M2.5 1.5h7a1 1 0 0 1 1 1v7a1 1 0 0 1-1 1h-7a1 1 0 0 1-1-1v-7a1 1 0 0 1 1-1z',
  info: 'M6 1a5 5 0 1 1 0 10A5 5 0 0 1 6 1zm0 2.2a2.8 2.8 0 1 0 0 5.6 2.8 2.8 0 0 0 0-5.6z',
};

export interface UnmatchedLinkView {
  /** `acme/payments in acme.pay (variant develop)`. */
  link: string;
  origin: string;
  diagnostics: Diagnostic[];
}

export type SummaryView =
  | { state: 'no-data'; unmatched: UnmatchedLinkView[]; linkCount: number }
  | {
      state: 'data';
      severities: Array<{ severity: Severity; label: string; count: number; percent: number }>;
      total: number;
      fixable: number;
      new: number;
      exempted: number;
      lastScanAt: string | null;
      targets: Array<{ name: string; variant: string | null; note: string | null; total: number }>;
      unmatched: UnmatchedLinkView[];
    };

function unmatchedLinks(summary: EntitySummary): UnmatchedLinkView[] {
  return summary.links
    .filter((l) => !l.matched)
    .map((l) => ({
      link: `${l.name} in ${l.scope}${l.variant ? ` (variant ${l.variant})` : ''}`,
      origin: l.origin === 'source-url' ? 'from the repository URL' : 'from harness.io/sto-test-target',
      diagnostics: l.diagnostics,
    }));
}

export function summaryView(summary: EntitySummary): SummaryView {
  const unmatched = unmatchedLinks(summary);
  if (!summary.hasData) return { state: 'no-data', unmatched, linkCount: summary.links.length };
  return {
    state: 'data',
    severities: SEVERITIES.map((severity) => ({ severity, label: SEVERITY_LABEL[severity], count: summary.counts[severity], percent: summary.percentages[severity] })),
    total: summary.counts.total,
    fixable: summary.fixable,
    new: summary.new,
    exempted: summary.exempted,
    lastScanAt: summary.lastScanAt,
    targets: summary.targets.map((t) => ({ name: t.name, variant: t.variant, note: t.note, total: t.counts.total })),
    unmatched,
  };
}

/** The catalog column's cell: the worst severities first, or "no data". */
export type ColumnView = { state: 'no-data'; text: string } | { state: 'data'; counts: Array<{ severity: Severity; count: number }>; text: string };

export function columnView(summary: EntitySummary): ColumnView {
  if (!summary.hasData) return { state: 'no-data', text: summary.unmatchedLinks > 0 ? `No data (${summary.unmatchedLinks} unmatched)` : 'No data' };
  const counts = SEVERITIES.filter((s) => s !== 'info').map((severity) => ({ severity, count: summary.counts[severity] }));
  const text = summary.counts.total === 0 ? 'No issues' : counts.map((c) => `${c.count} ${c.severity}`).join(', ');
  return { state: 'data', counts, text };
}

/** The column sorts by the worst severity first: critical, then high, … ; no data last. */
export function columnSortKey(summary: EntitySummary | undefined): number[] {
  if (!summary || !summary.hasData) return [-1];
  return SEVERITIES.map((s) => summary.counts[s]);
}
