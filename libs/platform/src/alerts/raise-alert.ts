/**
 * Raising alerts (API-RULES.md §6). An alert is one `alert.raised.v1` on `alert-{id}`, appended
 * `no_stream`; the id is a name-based UUID of its cause, so a replayed rejection, a retried
 * command or a second process reporting the same halt raises nothing more.
 *
 * - `alertAppend` builds the append, for commands that commit an alert with their own events (a
 *   payment that failed: the alert cannot be lost by a crash between the two);
 * - `raiseAlert` appends one on its own, for a rule rejection (nothing else is appended) or a
 *   halted projector; an alert already there is not an error.
 */
import { type Position, WrongExpectedRevisionError } from '@kob/event-store';
import type { Platform } from '../platform';
import { type CommandMetadata, eventMetadataOf } from '../commands/command-runner';
import { type AlertInput, alertAppend, alertId } from '@kob/alerts';

/** Appends the alert unless this cause already raised it; returns its id and whether it is new. */
export async function raiseAlert(
  platform: Pick<Platform, 'store'>,
  input: AlertInput,
  metadata: CommandMetadata,
): Promise<{ alertId: string; raised: boolean; position: Position | null }> {
  const append = alertAppend(input, eventMetadataOf(metadata));
  try {
    const [result] = await platform.store.appendMulti([append]);
    return { alertId: alertId(input.cause), raised: true, position: result!.position };
  } catch (err) {
    if (err instanceof WrongExpectedRevisionError)
      return { alertId: alertId(input.cause), raised: false, position: null };
    throw err;
  }
}

/**
 * The cause of a rule rejection: the request's idempotency scope, key and request hash (every
 * route that raises one requires a key). The same request replayed is the same rejection and
 * raises nothing more; another request under the same key (another payee, another receiver) is
 * another attempt and raises its own alert. Without a key each request is its own cause.
 */
export function rejectionCause(kind: string, metadata: CommandMetadata): string {
  const idem = metadata.idempotency;
  return idem
    ? `${kind}\n${idem.scope}\n${idem.key}\n${idem.requestHash}`
    : `${kind}\ncommand:${metadata.commandId}`;
}
