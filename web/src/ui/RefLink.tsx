import { entityHref, humanizeEntityRef, parseEntityRef } from '../routing/routes.js';
import { Link } from '../routing/router.js';

/** An entity ref (`group:default/team-a`) as Backstage shows it (`team-a`), linked to the entity's page. */
export function RefLink({ refText, kind, tabIndex }: { refText: string | null; kind: string; tabIndex?: number }) {
  if (!refText) return <span className="muted">—</span>;
  const target = parseEntityRef(refText, { kind });
  if (!target) return <>{refText}</>;
  return (
    <Link href={entityHref(target)} tabIndex={tabIndex}>
      {humanizeEntityRef(refText, kind)}
    </Link>
  );
}
