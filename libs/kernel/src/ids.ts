import { createHash, randomUUID } from 'node:crypto';

/** Namespace of every name-based id this service derives (idempotency, alerts, reservations). */
export const KOBATELA_NAMESPACE = '6f1c1d52-54f4-4c1e-9a8e-2c5e3e0a7b11';

export function newId(): string {
  return randomUUID();
}

/** RFC 9562 name-based UUID (version 5, SHA-1): the same name always gives the same id. */
export function uuidV5(name: string, namespace: string = KOBATELA_NAMESPACE): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const hash = createHash('sha1').update(ns).update(name, 'utf8').digest();
  const bytes = Buffer.from(hash.subarray(0, 16));
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The `index`-th id derived from a seed UUID, without hashing (pure, so deciders may use it): the
 * seed's last 32 bits plus the index, modulo 2^32, in lower case (ids are compared in lower
 * case). Index 0 is the seed itself, lower-cased. Ids derived from two random seeds collide only
 * if their other 90 random bits do.
 */
export function childId(seed: string, index: number): string {
  if (!Number.isSafeInteger(index) || index < 0 || index > 0xffff_ffff) {
    throw new Error(`childId index out of range: ${index}`);
  }
  const lower = seed.toLowerCase();
  const tail = (Number.parseInt(lower.slice(-8), 16) + index) % 0x1_0000_0000;
  return `${lower.slice(0, -8)}${tail.toString(16).padStart(8, '0')}`;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID_RE.test(value);
}

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
