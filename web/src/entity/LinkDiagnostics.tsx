import type { Diagnostic, SummaryLink } from '../api/types.js';
import { adviceFor } from './link-advice.js';

function origin(link: SummaryLink): string {
  return link.origin === 'source-url' ? 'from the repository URL' : 'from harness.io/sto-test-target';
}

function Advice({ link, diagnostic }: { link: SummaryLink; diagnostic: Diagnostic }) {
  const advice = adviceFor(link, diagnostic);
  return (
    <div className={`diagnostic diagnostic-${diagnostic.level}`} data-testid={`diagnostic-${diagnostic.code}`}>
      <p className="diagnostic-title">
        <span className="diagnostic-level">{diagnostic.level === 'info' ? 'Note' : diagnostic.level === 'error' ? 'Error' : 'Warning'}</span> {advice.title}
      </p>
      <p className="diagnostic-message">{diagnostic.message}</p>
      <p className="diagnostic-change">{advice.change}</p>
      {advice.command && (
        <pre className="command" aria-label="Command">
          <code>{advice.command}</code>
        </pre>
      )}
      {advice.yaml && (
        <pre className="yaml" aria-label="catalog-info.yaml after the change">
          <code>{advice.yaml}</code>
        </pre>
      )}
    </div>
  );
}

/** Links that show nothing, each with why and what to change. */
export function UnmatchedLinks({ links }: { links: SummaryLink[] }) {
  if (links.length === 0) return null;
  return (
    <div className="unmatched-links">
      <h3>{links.length === 1 ? 'A target link shows nothing' : `${links.length} target links show nothing`}</h3>
      <ul className="plain-list">
        {links.map((link, i) => (
          <li key={i} className="unmatched-link" data-testid="unmatched-link">
            <p className="link-name">
              <code>{link.name}</code> in {link.scope}
              {link.variant ? `, variant ${link.variant}` : ', baseline'} <span className="muted">({origin(link)})</span>
            </p>
            {link.diagnostics.length === 0 ? (
              <p className="muted">Lantern gave no reason for this link; refresh the catalog to resolve it again.</p>
            ) : (
              link.diagnostics.map((d, j) => <Advice key={j} link={link} diagnostic={d} />)
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** Notes on links that did match (matched ignoring case, no baseline set). */
export function LinkNotes({ notes }: { notes: Array<{ link: SummaryLink; diagnostic: Diagnostic }> }) {
  if (notes.length === 0) return null;
  return (
    <details className="link-notes">
      <summary>
        {notes.length === 1 ? '1 note' : `${notes.length} notes`} on matched links
      </summary>
      {notes.map(({ link, diagnostic }, i) => (
        <Advice key={i} link={link} diagnostic={diagnostic} />
      ))}
    </details>
  );
}
