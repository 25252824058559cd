/**
 * Wake-ups across processes on PostgreSQL (LISTEN/NOTIFY). A process whose appends another
 * process follows (the API, when a projector worker applies the projections) says so on a
 * channel after its appends commit; the follower (the worker) listens, so it reads `$all` at once
 * instead of at its next poll, which was most of the lag a read model trailed the API by.
 *
 * A hint only: nothing is carried, so nothing depends on it. A lost one (the listener's
 * connection dropped, a NOTIFY that failed) costs one poll interval, as before: the poll stays.
 * The NOTIFY is its own statement after the append, never inside the append's transaction (a
 * notifying commit takes a database-wide lock until it ends, which would serialise every
 * append's commit). A burst of appends costs one NOTIFY per `spacingMs` at most: one in flight,
 * and another after it only if there were appends meanwhile.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, type ClientConfig, type Pool } from 'pg';

export const APPENDED_CHANNEL = 'kobatela_events_appended';

/** Says "appended" on the channel after this process's appends (coalesced; see the file). */
export class AppendPublisher {
  private sending = false;
  private again = false;
  private closed = false;
  /** NOTIFYs sent (the tests read it). */
  sent = 0;

  constructor(
    private readonly pool: Pool,
    private readonly spacingMs: number,
  ) {}

  publish(): void {
    if (this.closed) return;
    if (this.sending) {
      this.again = true;
      return;
    }
    void this.send();
  }

  private async send(): Promise<void> {
    this.sending = true;
    try {
      do {
        this.again = false;
        const started = performance.now();
        try {
          await this.pool.query({
            name: 'kobatela-notify-appended',
            text: "SELECT pg_notify($1, '')",
            values: [APPENDED_CHANNEL],
          });
          this.sent += 1;
        } catch {
          // A hint: the followers' poll finds these appends anyway.
        }
        const rest = this.spacingMs - (performance.now() - started);
        if (this.again && rest > 0 && !this.closed) await sleep(rest);
      } while (this.again && !this.closed);
    } finally {
      this.sending = false;
    }
  }

  close(): void {
    this.closed = true;
  }
}

/** How long a listener whose connection failed waits before connecting again. */
const RECONNECT_DELAY_MS = 1_000;

/**
 * Listens on the channel on a connection of its own (LISTEN needs a session that stays), calling
 * `onSignal` on each notification, and once more whenever it (re)connects: appends made while it
 * was not listening are not lost to it. A failed connection is retried every second until `stop`.
 */
export class AppendListener {
  private current: Client | null = null;
  private retry: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly config: ClientConfig,
    private readonly onSignal: () => void,
    private readonly log?: (msg: string, extra?: Record<string, unknown>) => void,
  ) {}

  /** Connects and listens; resolves once listening, or once the first try failed (it retries). */
  async start(): Promise<void> {
    await this.connect();
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = new Client(this.config);
    this.current = client;
    client.on('notification', (msg) => {
      if (client === this.current && msg.channel === APPENDED_CHANNEL) this.onSignal();
    });
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client, new Error('connection ended')));
    try {
      await client.connect();
      await client.query(`LISTEN ${APPENDED_CHANNEL}`);
      if (client === this.current) this.onSignal();
    } catch (err) {
      this.lost(client, err as Error);
    }
  }

  /** The listening connection failed: drop it and connect again later (once per failure). */
  private lost(client: Client, err: Error): void {
    if (client !== this.current) return;
    this.current = null;
    client.end().catch(() => undefined);
    if (this.stopped) return;
    this.log?.('append listener lost its connection, reconnecting', { error: err.message });
    this.retry = setTimeout(() => {
      this.retry = undefined;
      void this.connect();
    }, RECONNECT_DELAY_MS);
    this.retry.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    const client = this.current;
    this.current = null;
    await client?.end().catch(() => undefined);
  }
}
