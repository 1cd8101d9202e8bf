import { describe, expect, it } from 'vitest';
import { InputError } from './errors.js';
import { formatScope, isIdentifier, parseScope } from './scope.js';

describe('parseScope', () => {
  it('reads account, ORG.PROJECT and account.ORG.PROJECT', () => {
    expect(parseScope('account')).toEqual({ level: 'account' });
    expect(parseScope('default.payments')).toEqual({ level: 'project', org: 'default', project: 'payments' });
    expect(parseScope('account.acme.pay_1')).toEqual({ level: 'project', org: 'acme', project: 'pay_1' });
    expect(parseScope(' acme.$web-2 ')).toEqual({ level: 'project', org: 'acme', project: '$web-2' });
  });

  it.each(['', 'payments', 'a.b.c', 'account.x', 'acme.', '.p', 'ac me.p', 'acme.p/q', 'account.a.b.c'])(
    'rejects %j naming the value and the accepted forms',
    (text) => {
      expect(() => parseScope(text)).toThrow(InputError);
      expect(() => parseScope(text)).toThrow(`Invalid scope ${JSON.stringify(text)}: expected \`account\`, \`ORG.PROJECT\``);
    },
  );

  it('prints the canonical form', () => {
    expect(formatScope(parseScope('account.acme.pay'))).toBe('acme.pay');
    expect(formatScope(parseScope('account'))).toBe('account');
  });

  it('knows identifiers', () => {
    expect(isIdentifier('a-b_c$1')).toBe(true);
    expect(isIdentifier('a.b')).toBe(false);
    expect(isIdentifier('')).toBe(false);
  });
});
