import { useRef, useState } from 'react';
import { api } from '../api/client.js';
import type { Principal } from '../api/types.js';
import { useClosingDisclosure } from '../ui/disclosure.js';
import { principalLabel } from './session.js';

const KINDS: Record<Principal['kind'], string> = {
  user: 'Signed in',
  token: 'API token',
  anonymous: 'Not signed in: the anonymous role',
  local: 'Local database',
};

/** The header's "who am I": the principal, its grants, and Sign out for a person. */
export function UserMenu({ principal }: { principal: Principal }) {
  const menu = useRef<HTMLDetailsElement>(null);
  const [failure, setFailure] = useState<string | null>(null);
  useClosingDisclosure(menu);
  const label = principalLabel(principal);

  const signOut = async () => {
    setFailure(null);
    try {
      await api.postJson('/api/auth/logout');
      window.location.reload();
    } catch (error) {
      setFailure((error as Error).message);
    }
  };

  return (
    <details ref={menu} className="user-menu" data-testid="user-menu">
      <summary title={principal.id}>
        <svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" focusable="false">
          <path d="M8 8a3 3 0 1 0 0-6 3 3 0 0 0 0 6zm-5.5 6.5c0-3 2.5-5 5.5-5s5.5 2 5.5 5z" />
        </svg>
        <span className="user-menu-name">{label}</span>
        <span className="visually-hidden">: your roles</span>
      </summary>
      <div className="user-popover">
        <p className="user-popover-name break">{label}</p>
        <p className="muted">{KINDS[principal.kind]}</p>
        <ul className="plain-list user-grants" aria-label="Roles">
          {principal.grants.map((g) => (
            <li key={`${g.role}@${g.scope}`}>
              <strong>{g.role}</strong> @ <code>{g.scope}</code>
            </li>
          ))}
        </ul>
        {principal.kind === 'user' && (
          <button type="button" className="button" onClick={signOut}>
            Sign out
          </button>
        )}
        {failure && (
          <p className="inline-error" role="alert">
            {failure}
          </p>
        )}
      </div>
    </details>
  );
}
