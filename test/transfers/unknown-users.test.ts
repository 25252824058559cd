/**
 * Unknown users on the restricted-transfer routes: 404 USER_NOT_FOUND everywhere (README
 * "Restricted transfers"), `DELETE /allowlist` included; an unknown user has no certification.
 */
import { type EscrowApi, startEscrowApi } from '../support/escrow-api';

let api: EscrowApi;
beforeAll(async () => {
  api = await startEscrowApi();
});
afterAll(() => api.close());

const ghost = '00000000-0000-4000-8000-00000000dead';

it('DELETE /allowlist with an unknown owner or recipient answers 404 USER_NOT_FOUND', async () => {
  const a = await api.call(
    'DELETE',
    `/allowlist?owner_id=${ghost}&recipient_id=${api.ids.client}`,
    api.keys.admin,
  );
  const b = await api.call(
    'DELETE',
    `/allowlist?owner_id=${api.ids.client}&recipient_id=${ghost}`,
    api.keys.admin,
  );
  expect([a.statusCode, a.json().error?.code, b.statusCode, b.json().error?.code]).toEqual([
    404,
    'USER_NOT_FOUND',
    404,
    'USER_NOT_FOUND',
  ]);
});

it('POST /certified and GET /certified/{unknown}', async () => {
  const c = await api.call('POST', '/certified', api.keys.admin, { user_id: ghost, level: 'gold' });
  expect([c.statusCode, c.json().error?.code]).toEqual([404, 'USER_NOT_FOUND']);
  const g = await api.call('GET', `/certified/${ghost}`, api.keys.admin);
  expect([g.statusCode, g.json().error?.code]).toEqual([404, 'CERTIFICATION_NOT_FOUND']);
});
