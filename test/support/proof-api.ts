/**
 * Proof helpers for HTTP tests on top of the escrow API: upload a file (multipart, field
 * `file`), fund an escrow with one milestone (optionally geofenced or a document milestone), and
 * submit a proof for it.
 */
import type { Response } from 'light-my-request';
import { oneFile } from '../proof-files/multipart';
import type { EscrowApi } from './escrow-api';

export const KINSHASA = { lat: -4.3217, lng: 15.3125 };

export async function upload(
  api: EscrowApi,
  bytes: Buffer,
  as = api.keys.provider,
  filename = 'photo.jpg',
  mime = 'image/jpeg',
): Promise<Record<string, any>> {
  const { payload, headers } = oneFile(bytes, filename, mime);
  const res = await api.t.app.inject({
    method: 'POST',
    url: '/proofs/files',
    headers: { 'x-api-key': as, ...headers },
    payload,
  });
  if (res.statusCode !== 201) throw new Error(`upload: ${res.statusCode} ${res.body}`);
  return res.json();
}

/** A FUNDED escrow (total = milestone amount + extra) with one milestone; returns [escrowId, milestoneId]. */
export async function fundedWithMilestone(
  api: EscrowApi,
  o: {
    amount?: string;
    extra?: string;
    fence?: { lat: number; lng: number; radiusM: number };
    proofKind?: string;
    deposit?: string;
    requirements?: Record<string, unknown>;
  } = {},
): Promise<[string, string]> {
  const amount = o.amount ?? '40.00';
  const total = (Number(amount) + Number(o.extra ?? '0')).toFixed(2);
  const id = await api.escrow({ amount_total: total });
  const milestone = await api.milestone(id, 1, amount, {
    ...(o.fence
      ? { geofence_lat: o.fence.lat, geofence_lng: o.fence.lng, geofence_radius_m: o.fence.radiusM }
      : {}),
    ...(o.proofKind ? { proof_kind: o.proofKind } : {}),
    ...(o.requirements ? { proof_requirements: o.requirements } : {}),
  });
  const dep = await api.deposit(id, o.deposit ?? total);
  if (dep.statusCode !== 200) throw new Error(`deposit: ${dep.body}`);
  return [id, milestone];
}

export function submitProof(
  api: EscrowApi,
  body: Record<string, unknown>,
  as = api.keys.provider,
  headers: Record<string, string> = {},
): Promise<Response> {
  return api.call('POST', '/proofs', as, { milestone_idx: 1, type: 'PHOTO', ...body }, headers);
}
