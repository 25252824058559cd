/**
 * A local stand-in for the Anthropic Messages API, for tests that run the real SDK against it:
 * a `node:http` server on 127.0.0.1 that records every request (method, path, headers, raw body)
 * and answers each one as the test's current `respond` function says (a Messages reply with some
 * text, an error status, a delay before answering, or headers then a body that never comes).
 */
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export type Answer =
  | { kind: 'message'; text: string; model?: string; stopReason?: string; delayMs?: number }
  | { kind: 'raw'; status: number; body: string; contentType?: string; delayMs?: number }
  /** Sends the headers of a 200 and then nothing (the body never ends). */
  | { kind: 'stall_body' };

export interface FakeMessagesApi {
  baseUrl: string;
  requests: RecordedRequest[];
  /** How the next requests are answered (a function of the request's index since the start). */
  respond: (request: RecordedRequest, index: number) => Answer;
  /** The JSON body of the request `i`. */
  json(i: number): Record<string, unknown>;
  close(): Promise<void>;
}

export function messageText(verdict: unknown): Answer {
  return { kind: 'message', text: typeof verdict === 'string' ? verdict : JSON.stringify(verdict) };
}

function write(res: ServerResponse, answer: Answer, request: RecordedRequest): void {
  if (res.destroyed) return;
  switch (answer.kind) {
    case 'message': {
      const model =
        answer.model ?? (JSON.parse(request.body) as { model?: string }).model ?? 'unknown';
      const body = {
        id: 'msg_test_0001',
        type: 'message',
        role: 'assistant',
        model,
        content: [{ type: 'text', text: answer.text }],
        stop_reason: answer.stopReason ?? 'end_turn',
        stop_sequence: null,
        usage: { input_tokens: 100, output_tokens: 50 },
      };
      res.writeHead(200, { 'content-type': 'application/json', 'request-id': 'req_test' });
      res.end(JSON.stringify(body));
      return;
    }
    case 'raw':
      res.writeHead(answer.status, { 'content-type': answer.contentType ?? 'application/json' });
      res.end(answer.body);
      return;
    case 'stall_body':
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"id":"msg_test_0001","type":"message",');
      return;
  }
}

export async function startFakeMessagesApi(): Promise<FakeMessagesApi> {
  const requests: RecordedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const api: FakeMessagesApi = {
    baseUrl: '',
    requests,
    respond: () =>
      messageText({ risk_level: 'clean', score: 0.9, flags: [], explanation: 'Consistent proof.' }),
    json: (i) => JSON.parse(requests[i]?.body ?? 'null') as Record<string, unknown>,
    close: async () => {
      for (const t of timers) clearTimeout(t);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      const index = requests.push(recorded) - 1;
      const answer = api.respond(recorded, index);
      const delayMs = answer.kind === 'stall_body' ? 0 : (answer.delayMs ?? 0);
      if (delayMs === 0) return write(res, answer, recorded);
      const timer = setTimeout(() => {
        timers.delete(timer);
        write(res, answer, recorded);
      }, delayMs);
      timers.add(timer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  api.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return api;
}
