import { describe, expect, it } from 'vitest';
import { Access, ACTIONS as SERVER_ACTIONS, covers as serverCovers, ROLES as SERVER_ROLES, roleAllows as serverRoleAllows } from '../../../src/access/roles.js';
import { ACTIONS, can, canSomewhere, covers, ROLES, roleAllows } from './roles.js';

const SCOPES = ['account', 'acme', 'acme.web', 'acme.api', 'acme-labs', 'acme-labs.web', 'other.web'];

describe('the web UI’s role model', () => {
  it('lets each role do what the server lets it do', () => {
    expect(can([{ role: 'viewer', scope: 'account' }], 'read', 'acme.web')).toBe(true);
    expect(can([{ role: 'viewer', scope: 'account' }], 'ingest', 'acme.web')).toBe(false);
    expect(can([{ role: 'ingester', scope: 'acme' }], 'ingest', 'acme.web')).toBe(true);
    expect(can([{ role: 'ingester', scope: 'acme' }], 'read', 'acme.web')).toBe(false);
    expect(can([{ role: 'security', scope: 'acme.web' }], 'set-baseline', 'acme.web')).toBe(true);
    expect(can([{ role: 'security', scope: 'acme.web' }], 'read-audit', 'acme.web')).toBe(false);
    expect(can([{ role: 'admin', scope: 'acme' }], 'read-audit', 'acme.api')).toBe(true);
    // An org grant covers its projects, not another org whose name starts the same, nor the account.
    expect(can([{ role: 'admin', scope: 'acme' }], 'ingest', 'acme-labs.web')).toBe(false);
    expect(can([{ role: 'admin', scope: 'acme' }], 'ingest', 'account')).toBe(false);
    expect(can([{ role: 'admin', scope: 'acme.web' }], 'ingest', 'acme.api')).toBe(false);
    // A role this UI does not know allows nothing.
    expect(can([{ role: 'owner', scope: 'account' }], 'read', 'acme.web')).toBe(false);
    expect(canSomewhere([{ role: 'viewer', scope: 'account' }, { role: 'admin', scope: 'acme.web' }], 'read-audit')).toBe(true);
    expect(canSomewhere([{ role: 'security', scope: 'account' }], 'read-audit')).toBe(false);
    expect(canSomewhere([], 'read')).toBe(false);
  });

  it('agrees with the server’s table on every role, action and pair of scopes', () => {
    expect(ROLES).toEqual(SERVER_ROLES);
    expect(ACTIONS).toEqual(SERVER_ACTIONS);
    for (const role of ROLES) {
      for (const action of ACTIONS) expect(roleAllows(role, action), `${role} ${action}`).toBe(serverRoleAllows(role, action));
      for (const grantScope of SCOPES) {
        for (const objectScope of SCOPES) {
          expect(covers(grantScope, objectScope), `${grantScope} covers ${objectScope}`).toBe(serverCovers(grantScope, objectScope));
          const grants = [{ role, scope: grantScope }];
          for (const action of ACTIONS) expect(can(grants, action, objectScope)).toBe(new Access(grants).can(action, objectScope));
        }
      }
    }
  });
});
