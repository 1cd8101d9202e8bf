import type { Exemption } from '../api/types.js';
import { Link } from '../routing/router.js';

/** What a sent request says next: it waits for a decision, on the Exemptions page. */
export function RequestedNotice({ created }: { created: Exemption[] }) {
  if (created.length === 0) return null;
  return (
    <p className="exemption-requested" role="status" data-testid="exemption-requested">
      {created.length === 1 ? `Exemption ${created[0]?.id} requested` : `Exemptions ${created.map((c) => c.id).join(', ')} requested`}: pending until a security engineer decides.{' '}
      <Link href="/exemptions?view=pending">See the pending requests ›</Link>
    </p>
  );
}
