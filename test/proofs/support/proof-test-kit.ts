/**
 * Shared pieces of the proof HTTP tests (test/proofs): an escrow API on its own data directory
 * (uploaded blobs land there and are removed with it), the events of a stream and the state of a
 * file's `proof-sha-{sha256}` reservation read from the event store itself (never a read model),
 * and documents whose bytes differ while their text stays the same, since a file may back only
 * one proof ever.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readReservation } from '@kob/event-store';
import { type EscrowApi, startEscrowApi } from '../../support/escrow-api';
import { renderInvoiceImage, textPdf } from '../../support/invoice-images';

/** `startEscrowApi` with `DATA_DIR` in a fresh temp folder, removed by `close`. */
export async function startProofApi(env: Record<string, string> = {}): Promise<EscrowApi> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'proofs-http-'));
  const api = await startEscrowApi({ DATA_DIR: dataDir, ...env });
  const close = api.close;
  api.close = async () => {
    await close();
    await rm(dataDir, { recursive: true, force: true });
  };
  return api;
}

export const sha256Of = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** The types of the events on a stream, in order (an empty list for a stream never written). */
export async function streamTypes(api: EscrowApi, streamId: string): Promise<string[]> {
  return (await api.t.platform.store.readStream(streamId)).map((e) => e.type);
}

/** The data of the events of one type on a stream. */
export async function eventData(
  api: EscrowApi,
  streamId: string,
  type: string,
): Promise<Record<string, any>[]> {
  const events = await api.t.platform.store.readStream(streamId);
  return events.filter((e) => e.type === type).map((e) => e.data as Record<string, any>);
}

/** Whether a file's hash is reserved by a proof, and how many events its reservation stream has. */
export async function shaReservation(
  api: EscrowApi,
  sha256: string,
): Promise<{ status: string; events: number }> {
  const streamId = `proof-sha-${sha256}`;
  const [state, events] = await Promise.all([
    readReservation(api.t.platform.store, streamId),
    api.t.platform.store.readStream(streamId),
  ]);
  return { status: state.status, events: events.length };
}

/**
 * A text PDF of `lines` whose bytes are unique to `tag`: a PDF comment after the end-of-file
 * marker, which readers skip (the text layer, and so what OCR reads, is unchanged).
 */
export function taggedTextPdf(lines: readonly string[], tag: string): Buffer {
  return Buffer.concat([textPdf(lines), Buffer.from(`% ${tag}\n`, 'latin1')]);
}

/** An invoice image of `lines`, its bytes made unique by a page width of 1654 + `variant` px. */
export function invoicePng(lines: readonly string[], variant = 0): Promise<Buffer> {
  return renderInvoiceImage(lines, { widthPx: 1654 + variant });
}

/** The milestone as the API shows it (status, amount…). */
export async function milestoneOf(
  api: EscrowApi,
  milestoneId: string,
): Promise<Record<string, any>> {
  const res = await api.call('GET', `/escrows/milestones/${milestoneId}`, api.keys.admin);
  if (res.statusCode !== 200) throw new Error(`milestone: ${res.statusCode} ${res.body}`);
  return res.json();
}

/** Every 6-digit run of an IBAN's digits: none of them may be shown (only the last 4 may). */
export function ibanDigitWindows(iban: string, width = 6): string[] {
  const digits = iban.replace(/\D/g, '');
  return Array.from({ length: digits.length - width + 1 }, (_, i) => digits.slice(i, i + width));
}
