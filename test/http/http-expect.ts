/**
 * Assertions shared by the HTTP-conventions tests: the error envelope of API-RULES.md §6
 * (`{"error":{"code","message","details"?}}`, JSON, with an `X-Request-Id`), nothing more.
 */
import type { Response } from 'light-my-request';

export interface ErrorEnvelope {
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

/** Checks status, content type, request id and the exact envelope shape; returns `error`. */
export function expectErrorEnvelope(res: Response, status: number, code: string): ErrorEnvelope {
  expect({ status: res.statusCode, body: res.body }).toEqual({ status, body: expect.any(String) });
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  expect(res.headers['x-request-id']).toEqual(expect.stringMatching(/\S/));
  const body = res.json() as { error: ErrorEnvelope };
  expect(Object.keys(body)).toEqual(['error']);
  expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe('string');
  expect(body.error.message.length).toBeGreaterThan(0);
  for (const k of Object.keys(body.error)) expect(['code', 'message', 'details']).toContain(k);
  return body.error;
}

/** Awaits a condition (polling on timers, not a fixed sleep); fails with `what` on timeout. */
export async function until(
  what: string,
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 5000,
) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
