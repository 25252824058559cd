/**
 * Sends the fuzz cases (fuzz-mutations.ts, fuzz-requests.ts) to the real app and judges every
 * answer (issue 12): a 5xx is a finding; a refusal must be a 4xx in the envelope
 * `{"error":{"code","message",…}}` with `X-Request-Id` and must leave the events table as it was
 * (one `alert.raised.v1` on an `alert-…` stream at most, API-RULES.md §6), counted in SQL after
 * each request; a case the service must refuse that it accepts is a finding; a projector that
 * halts is a finding naming the request that caused it (its request id is the correlationId of
 * the event the projector stopped at). Findings keep a small reproduction: route, caller,
 * headers, body.
 */
import type { Response } from 'light-my-request';
import type { World } from './fault-world';
import { type Mutation, fuzzCases } from './fuzz-mutations';
import { type FuzzRequest, type WireRequest, applyMutation } from './fuzz-requests';
import type { Operation } from './openapi-operations';
import { StoreWatch, onlyAnAlert } from './store-watch';
import type { FaultCounts } from './tally';
import { type Recipe, recipeFor } from './valid-requests';

export type Caller = 'admin' | 'sender';
export const CALLERS: readonly Caller[] = ['admin', 'sender'];

export type FindingKind =
  '5xx' | 'envelope' | 'no-request-id' | 'accepted' | 'appended' | 'late' | 'halt' | 'unsendable';

export interface Finding {
  kind: FindingKind;
  operation: string;
  label: string;
  detail: string;
  repro: string;
}

export interface OperationStats {
  sent: number;
  accepted: number;
  codes: Map<string, number>;
  elapsedMs: number;
}

/** Bodies and answers shown in a finding are cut to this many characters. */
const REPRO_TEXT_MAX = 1200;
/** Reproductions remembered per request id, to name the request behind a halt. */
const REMEMBERED_REQUESTS_MAX = 200_000;
/** Long runs of one short piece (the huge strings) shown as `⟨piece ×count⟩`. */
const REPEATED = /([\s\S]{1,4}?)\1{31,}/g;
/** Control characters and lone surrogates, shown as `\uXXXX`. */
const INVISIBLE =
  /[\u0000-\u001f\u007f]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const PAGE_KEYS = ['items', 'total', 'limit', 'offset'];
/** Requests shown as the possible cause of a halt (the first is the likely one). */
const HALT_REPROS_MAX = 3;

function cut(raw: string): string {
  const text = raw.replace(REPEATED, (run, p: string) => `⟨${p} ×${run.length / p.length}⟩`);
  if (text.length <= REPRO_TEXT_MAX) return text;
  return `${text.slice(0, REPRO_TEXT_MAX)}… (${text.length} characters)`;
}

function visible(text: string): string {
  return text.replace(INVISIBLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A request as one line: method, URL, caller, headers (no key), body. */
export function describeRequest(wire: WireRequest, caller: string): string {
  const headers = Object.entries(wire.headers)
    .filter(([k, v]) => k !== 'x-api-key' && !(k === 'x-request-id' && /^(fz|authz)-/.test(v)))
    .map(([k, v]) => `${k}: ${cut(visible(v))}`)
    .join(', ');
  const payload = wire.payload;
  const text = Buffer.isBuffer(payload) ? payload.toString('latin1') : (payload ?? null);
  const body = text === null ? '' : ` body ${cut(visible(text))}`;
  return `${wire.method} ${cut(wire.url)} as ${caller}${headers ? ` [${headers}]` : ''}${body}`;
}

function safeJson(res: Response): unknown {
  try {
    return res.json();
  } catch {
    return null;
  }
}

/** What is wrong with a refusal's body, or null when it is the error envelope. */
function envelopeProblem(res: Response): string | null {
  const type = String(res.headers['content-type'] ?? '');
  if (!/^application\/json/.test(type)) return `content-type ${type}`;
  const body = safeJson(res) as { error?: Record<string, unknown> } | null;
  const error = body?.error;
  if (!error || Object.keys(body).length !== 1) return 'not {"error":{…}}';
  if (typeof error.code !== 'string' || error.code === '') return 'no error.code';
  if (typeof error.message !== 'string' || error.message === '') return 'no error.message';
  const extra = Object.keys(error).filter((k) => !['code', 'message', 'details'].includes(k));
  return extra.length ? `unexpected keys ${extra.join(',')}` : null;
}

export class FuzzRun {
  readonly findings: Finding[] = [];
  readonly stats = new Map<string, OperationStats>();
  private readonly watch: StoreWatch;
  /** Request id → what it was, to name the request behind a halt or a late event. */
  private readonly requests = new Map<string, Pick<Finding, 'operation' | 'label' | 'repro'>>();
  private next = 0;

  constructor(
    private readonly w: World,
    private readonly seed: number,
    readonly counts: FaultCounts,
  ) {
    this.watch = new StoreWatch(w.api.t.platform);
  }

  async start(): Promise<void> {
    await this.watch.start();
  }

  /** Sends the valid request once as admin, learning whether the operation answers a page. */
  async probe(op: Operation): Promise<{ recipe: Recipe; paginated: boolean }> {
    const recipe = recipeFor(op.key);
    const res = await this.send(op, recipe, { kind: 'valid' }, 'admin', false);
    const body = res ? safeJson(res) : null;
    const page = typeof body === 'object' && body !== null && PAGE_KEYS.every((k) => k in body);
    return { recipe, paginated: op.method === 'GET' && page };
  }

  /** Sends every case as admin and as the sender. */
  async fuzz(op: Operation, recipe: Recipe, cases: Mutation[]): Promise<void> {
    const started = Date.now();
    for (const m of cases) for (const caller of CALLERS) await this.send(op, recipe, m, caller);
    this.statsOf(op).elapsedMs += Date.now() - started;
  }

  /** Rows of tables of parked or skipped events. */
  watchParked(): Promise<{ table: string; rows: number }[]> {
    return this.watch.parkedRows();
  }

  private statsOf(op: Operation): OperationStats {
    let stats = this.stats.get(op.key);
    if (!stats) {
      stats = { sent: 0, accepted: 0, codes: new Map(), elapsedMs: 0 };
      this.stats.set(op.key, stats);
    }
    return stats;
  }

  /**
   * Builds, sends and judges one request; null when it could not be put on the wire. `hostile`:
   * a fuzz case (an input tried), not the valid request sent first to learn the operation.
   */
  private async send(
    op: Operation,
    recipe: Recipe,
    m: Mutation,
    caller: Caller,
    hostile = true,
  ): Promise<Response | null> {
    const n = this.next++;
    const side = recipe.side === 1 ? this.w.side1 : this.w.side2;
    const req = applyMutation(op, recipe, recipe.build(this.w, side, n), m, {
      key: caller === 'admin' ? this.w.admin : this.w.subject.key,
      requestId: `fz-${this.seed}-${n}`,
      idempotencyKey: `fz-${this.seed}-${n}`,
      bodyLimitBytes: this.w.api.t.platform.config.httpBodyLimitBytes,
    });
    const repro = describeRequest(req.wire, caller);
    let res: Response;
    try {
      const { method, url, headers, payload } = req.wire;
      res = await this.w.api.t.app.inject({ method: method as 'GET', url, headers, payload });
    } catch (err) {
      // The HTTP client refused to send it (a header no client can put on the wire): not an input.
      this.finding('unsendable', op, req, (err as Error).message, repro);
      return null;
    }
    this.counts.requests++;
    if (hostile) this.counts.inputs++;
    // The id the service used (it makes its own when the one sent is not acceptable): events
    // carry it as their correlationId.
    const requestId = String(res.headers['x-request-id'] ?? `fz-${this.seed}-${n}`);
    if (this.requests.size < REMEMBERED_REQUESTS_MAX) {
      this.requests.set(requestId, { operation: op.key, label: req.label, repro });
    }
    this.judge(op, req, res, repro);
    await this.checkEvents(op, req, res, repro, requestId);
    await this.checkHalts();
    if (process.env.FUZZ_TRACE) {
      const shown = process.env.FUZZ_TRACE === 'full' ? repro : repro.slice(0, 300);
      process.stdout.write(`${res.statusCode} [${req.label}] ${shown}\n`);
    }
    return res;
  }

  /** The answer itself: no 5xx, the envelope on a refusal, no refused input accepted. */
  private judge(op: Operation, req: FuzzRequest, res: Response, repro: string): void {
    const status = res.statusCode;
    const stats = this.statsOf(op);
    stats.sent++;
    const answer = `answered ${status} ${cut(res.body)}`;
    if (!res.headers['x-request-id']) this.finding('no-request-id', op, req, answer, repro);
    if (status >= 500) {
      this.counts.serverErrors++;
      this.finding('5xx', op, req, answer, repro);
    } else if (status < 400) {
      stats.accepted++;
      if (req.expect === 'reject') this.finding('accepted', op, req, answer, repro);
    } else {
      const problem = envelopeProblem(res);
      if (problem) this.finding('envelope', op, req, `${problem}; ${answer}`, repro);
    }
    if (status >= 400) {
      const error = (safeJson(res) as { error?: { code?: string } } | null)?.error;
      const key = `${status} ${error?.code ?? ''}`.trim();
      stats.codes.set(key, (stats.codes.get(key) ?? 0) + 1);
    }
  }

  /** A refusal appends nothing but one alert; nothing appends after its answer. */
  private async checkEvents(
    op: Operation,
    req: FuzzRequest,
    res: Response,
    repro: string,
    requestId: string,
  ): Promise<void> {
    const events = await this.watch.newEvents();
    const own = events.filter((e) => e.requestId === requestId);
    // A refusal (4xx); a 5xx is a finding of its own, whatever it appended.
    if (res.statusCode >= 400 && res.statusCode < 500 && !onlyAnAlert(own)) {
      const what = own.map((e) => `${e.type} on ${e.streamId}`).join(', ');
      const answer = `answered ${res.statusCode} ${cut(res.body)}`;
      this.finding('appended', op, req, `${answer}; appended ${what}`, repro);
    }
    // Events of an earlier request that arrived after its answer (nothing here works in the
    // background: the scheduler is off), or of no request of this run.
    const late = events.filter((e) => e.requestId !== requestId);
    if (late.length === 0) return;
    const cause = this.requests.get(late[0]!.requestId ?? '');
    const what = late.map((e) => `${e.type} on ${e.streamId} (request ${e.requestId})`).join(', ');
    this.findings.push({
      kind: 'late',
      operation: cause?.operation ?? op.key,
      label: cause?.label ?? req.label,
      detail: `appended after its answer, seen while ${requestId} ran: ${what}`,
      repro: cause?.repro ?? '(not a request of this run)',
    });
  }

  /**
   * Records every projector halted since the last look, naming the request behind it: the one
   * whose events follow its checkpoint (when several requests' events do, because a projector
   * halted earlier let answers go before the others caught up, each is listed).
   */
  async checkHalts(): Promise<void> {
    for (const halt of await this.watch.newHalts()) {
      this.counts.haltedProjectors++;
      const ids = [...new Set(halt.events.map((e) => e.requestId ?? '(none)'))];
      const byRequest = ids.map((id) => {
        const own = halt.events.filter((e) => (e.requestId ?? '(none)') === id);
        const types = own.map((e) => e.type);
        return `${types.join(', ')} of request ${id}`;
      });
      const first = this.requests.get(ids[0] ?? '');
      const others = ids.slice(1, HALT_REPROS_MAX).map((id) => this.requests.get(id)?.repro ?? id);
      const repros = [first?.repro ?? '(the request is not one of this run)', ...others];
      this.findings.push({
        kind: 'halt',
        operation: first?.operation ?? '(unknown)',
        label: first?.label ?? halt.projector,
        detail: `${halt.projector} halted on one of: ${byRequest.join('; ')}: ${cut(halt.reason)}`,
        repro: repros.join(' — or — '),
      });
    }
  }

  private finding(
    kind: FindingKind,
    op: Operation,
    req: FuzzRequest,
    detail: string,
    repro: string,
  ): void {
    this.findings.push({ kind, operation: op.key, label: req.label, detail, repro });
  }

  /** Per kind, one line per (operation, case label) with its count and first reproduction. */
  summary(kinds: FindingKind[]): string[] {
    const groups = new Map<string, { first: Finding; count: number }>();
    for (const f of this.findings.filter((x) => kinds.includes(x.kind))) {
      const key = `${f.kind} | ${f.operation} | ${f.label}`;
      const g = groups.get(key);
      if (g) g.count++;
      else groups.set(key, { first: f, count: 1 });
    }
    return [...groups.entries()].map(
      ([key, g]) => `${key} ×${g.count}: ${g.first.detail} — ${g.first.repro}`,
    );
  }
}

export { fuzzCases };
