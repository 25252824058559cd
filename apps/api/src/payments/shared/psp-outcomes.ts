/**
 * The PSP's answers, read at the adapter boundary: a call either gives a usable outcome
 * (confirmed, pending with a reference, sent), a decline with a reason, or nothing we can trust
 * (no answer, an unreadable answer, a reference we cannot store), which leaves the deposit or
 * payment PENDING for a retry under the same key. Text the PSP sends is normalised here, never
 * validated like a client's input: a long or blank decline reason must not turn a PSP answer
 * into a 4xx that leaves money in limbo.
 */
import { truncateUtf16 } from '@kob/kernel';
import type { CollectRequest, PspPort, TransferRequest } from '@kob/psp';
import { PspDeclinedError, PspTimeoutError } from '@kob/psp';

export const pspTextLimits = { reasonLengthMax: 500, pspRefLengthMax: 255 } as const;

export type Collected =
  /** `amount`/`currency` as the PSP reported them (null when it sent none we can read). */
  | { kind: 'confirmed'; pspRef: string; amount: string | null; currency: string | null }
  | { kind: 'pending'; pspRef: string }
  | { kind: 'declined'; reason: string }
  | { kind: 'unknown' };

export type Transferred =
  { kind: 'sent'; pspRef: string } | { kind: 'declined'; reason: string } | { kind: 'unknown' };

/** A PSP with a place to note what it answered that we could not use (shown to operators). */
type Psp = PspPort & { lastError: string | null };

/** References are printable ASCII without spaces: anything else is not a reference we can keep. */
const PSP_REF = new RegExp(`^[\\x21-\\x7e]{1,${pspTextLimits.pspRefLengthMax}}$`);

function usableRef(psp: Psp, ref: unknown): string | null {
  if (typeof ref === 'string' && PSP_REF.test(ref)) return ref;
  psp.lastError = 'the PSP answered without a usable reference';
  return null;
}

/** A decline reason as stored: control characters dropped, trimmed, bounded, never blank. */
export function declineReason(reason: unknown): string {
  const text = typeof reason === 'string' ? reason : '';
  const clean = text
    .replace(/[\u0000-\u001f\u007f]/g, ' ')
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '')
    .trim();
  // Cut after the surrogates are cleaned, so never through a pair: half of one is unstorable.
  const bounded = truncateUtf16(clean, pspTextLimits.reasonLengthMax).trim();
  return bounded.length > 0 ? bounded : 'declined';
}

/** A reported amount or currency as the decider compares it (anything else is "none"). */
function reportedText(value: unknown): string | null {
  return typeof value === 'string' && /^[\x21-\x7e]{1,40}$/.test(value) ? value : null;
}

function failure(
  psp: Psp,
  err: unknown,
): { kind: 'declined'; reason: string } | { kind: 'unknown' } {
  if (err instanceof PspDeclinedError)
    return { kind: 'declined', reason: declineReason(err.reason) };
  // No answer, or one we cannot read: the outcome is unknown.
  if (!(err instanceof PspTimeoutError)) psp.lastError = (err as Error).message;
  return { kind: 'unknown' };
}

export async function collectAt(psp: Psp, request: CollectRequest): Promise<Collected> {
  try {
    const outcome = await psp.collect(request);
    const pspRef = usableRef(psp, outcome?.pspRef);
    if (pspRef === null) return { kind: 'unknown' };
    if (outcome.status !== 'confirmed') return { kind: 'pending', pspRef };
    return {
      kind: 'confirmed',
      pspRef,
      amount: reportedText(outcome.amount),
      currency: reportedText(outcome.currency),
    };
  } catch (err) {
    return failure(psp, err);
  }
}

export async function transferAt(psp: Psp, request: TransferRequest): Promise<Transferred> {
  try {
    const outcome = await psp.transfer(request);
    const pspRef = usableRef(psp, outcome?.pspRef);
    return pspRef === null ? { kind: 'unknown' } : { kind: 'sent', pspRef };
  } catch (err) {
    return failure(psp, err);
  }
}
