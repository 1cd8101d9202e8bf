import { createContext, type ReactNode, useContext, useMemo } from 'react';
import type { Principal } from '../api/types.js';
import { type Action, can, canSomewhere } from './roles.js';

/** Who uses the UI and what they may do: pages ask this before offering an action. */
export interface Viewer {
  principal: Principal | null;
  can(action: Action, scope: string): boolean;
  canSomewhere(action: Action): boolean;
}

const NOBODY: Viewer = { principal: null, can: () => false, canSomewhere: () => false };
const ViewerContext = createContext<Viewer>(NOBODY);

export function ViewerProvider({ principal, children }: { principal: Principal; children: ReactNode }) {
  const viewer = useMemo<Viewer>(
    () => ({ principal, can: (action, scope) => can(principal.grants, action, scope), canSomewhere: (action) => canSomewhere(principal.grants, action) }),
    [principal],
  );
  return <ViewerContext.Provider value={viewer}>{children}</ViewerContext.Provider>;
}

export function useViewer(): Viewer {
  return useContext(ViewerContext);
}

/** How the header names a principal: a person's name, a token's, or the anonymous role (`anonymous viewer`). */
export function principalLabel(principal: Principal): string {
  if (principal.kind !== 'anonymous') return principal.name;
  const roles = [...new Set(principal.grants.map((g) => g.role))];
  return roles.length > 0 ? `anonymous ${roles.join(', ')}` : 'anonymous';
}

/** The identity provider's way in, coming back to `returnTo` (a path of this app) afterwards. */
export function signInHref(url: string, returnTo: string): string {
  return `${url}${url.includes('?') ? '&' : '?'}returnTo=${encodeURIComponent(returnTo)}`;
}
