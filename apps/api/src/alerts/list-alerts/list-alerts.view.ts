/** How alerts leave the API (`AlertRead`): the payload as an object, times in ISO-8601 UTC. */

export interface AlertRead {
  id: string;
  type: string;
  message: string;
  actor_user_id: string | null;
  /** Who made the request that raised it (a key prefix, `system:projector`…). */
  actor: string;
  payload: Record<string, unknown>;
  created_at: string;
}

/** An `alerts` row as the API shows it. */
export function alertRowView(r: Record<string, any>): AlertRead {
  return {
    id: r.id,
    type: r.type,
    message: r.message,
    actor_user_id: r.actor_user_id,
    actor: r.actor,
    payload: r.payload,
    created_at: new Date(r.created_at).toISOString(),
  };
}
