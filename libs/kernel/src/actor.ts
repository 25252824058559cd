/**
 * Who caused a change. Every command carries one and every event's metadata copies it
 * (STYLE.md §4); system jobs use named system actors.
 */
export type Scope = 'sender' | 'support' | 'auditor' | 'admin';

export type Actor =
  | {
      kind: 'api_key';
      keyId: string;
      keyPrefix: string;
      scope: Scope;
      userId: string | null;
    }
  | { kind: 'legacy'; keyPrefix: 'legacy'; scope: 'admin' }
  | { kind: 'system'; name: SystemActorName };

export type SystemActorName =
  | 'system:cli'
  | 'system:scheduler'
  | 'system:bootstrap'
  | 'system:auth-login'
  | 'system:projector'
  | 'system:test'
  | 'psp:webhook';

export function systemActor(name: SystemActorName): Actor {
  return { kind: 'system', name };
}

export function isActor(value: unknown): value is Actor {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  if (v.kind === 'system') return typeof v.name === 'string' && v.name.length > 0;
  if (v.kind === 'legacy') return v.keyPrefix === 'legacy' && v.scope === 'admin';
  if (v.kind === 'api_key') {
    return (
      typeof v.keyId === 'string' && typeof v.keyPrefix === 'string' && typeof v.scope === 'string'
    );
  }
  return false;
}

/** A short label for logs and audit filters: `koba_ab12cd`, `legacy`, `system:cli`. */
export function actorLabel(actor: Actor): string {
  return actor.kind === 'system' ? actor.name : actor.keyPrefix;
}
