/**
 * Creation's GOV/ONG rule (API-RULES.md §1): a public or aid escrow needs a client tagged GOV or
 * ONG; a private one takes any client. The rule is the decider's, on the client's tag the handler
 * read, and it answers before any other check of the command.
 */
import { cmd, errorOf, spec, usd } from '../testing/escrow-fixtures';

describe('escrow decider: create, the public and aid domains', () => {
  it('refuses a public or aid escrow for a client not tagged GOV or ONG with 403', () => {
    for (const domain of ['public', 'aid'] as const) {
      for (const clientPublicTag of [null, 'private'] as const) {
        const err = errorOf([], cmd.create({ domain, clientPublicTag }));
        expect([err.code, err.kind, err.message]).toEqual([
          'PUBLIC_DOMAIN_FORBIDDEN',
          'forbidden',
          'public and aid escrows need a GOV or ONG client',
        ]);
      }
    }
  });

  it('refuses before checking the rest of the command', () => {
    const err = errorOf([], cmd.create({ domain: 'aid', clientPublicTag: null, deadlineAt: 'x' }));
    expect(err.code).toBe('PUBLIC_DOMAIN_FORBIDDEN');
  });

  it('creates them for a GOV or ONG client, and a private escrow for any client', () => {
    for (const clientPublicTag of ['GOV', 'ONG'] as const) {
      spec
        .given([])
        .when(cmd.create({ domain: 'aid', clientPublicTag }))
        .then([usd.created({ domain: 'aid' })]);
    }
    for (const clientPublicTag of [null, 'private', 'GOV'] as const) {
      spec
        .given([])
        .when(cmd.create({ domain: 'private', clientPublicTag }))
        .then([usd.created({ domain: 'private' })]);
    }
  });
});
