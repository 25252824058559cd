/**
 * Answers a handler's `Committed` (http/committed.ts) after the read-your-writes wait: sets
 * `X-Event-Position`, waits, then sends the answer, the read, or the refusal's error in the
 * envelope. A Fastify preSerialization hook: it sees what the handler returned before it is
 * turned into JSON, after the guards and the handler and before the answer's headers leave.
 * Not a Nest interceptor, for the reason request-tracing.ts gives. Fastify runs the hook only for
 * an answer it is to serialise as JSON: a route that set another content type cannot answer a
 * `Committed` (none does), and a `Committed` without an answer is JSON's null (a 204 sends none).
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import {
  Committed,
  CommittedRead,
  CommittedRefusal,
  type CommittedWait,
  ProjectionPending,
} from './committed';
import { errorAnswer } from './error-envelope.filter';
import type { ReadYourWrites } from './read-your-writes';

export function useCommittedAnswers(
  fastify: FastifyInstance,
  ryw: ReadYourWrites,
  log: Logger,
): void {
  // A callback hook: the answers that are not commands' (most) leave without a promise.
  fastify.addHook('preSerialization', (req, reply, payload: unknown, done) => {
    if (
      !(payload instanceof Committed) &&
      !(payload instanceof CommittedRead) &&
      !(payload instanceof CommittedRefusal)
    )
      return done(null, payload);
    answerOf(ryw, reply, payload)
      .then(
        // A command that answers nothing (204) still needs a payload here: JSON's null.
        (answer) => answer ?? null,
        (err: unknown) => errorAnswer(log, err, req, reply),
      )
      .then((answer) => done(null, answer), done)
      // What Fastify's chain after this hook throws has no caller left to reach but the log.
      .catch((err: unknown) => log.error({ err }, 'the answer after a command failed'));
  });
}

async function answerOf(
  ryw: ReadYourWrites,
  reply: FastifyReply,
  result: Committed<unknown> | CommittedRead<unknown> | CommittedRefusal,
): Promise<unknown> {
  await wait(ryw, reply, result);
  if (result instanceof CommittedRefusal) throw result.error;
  if (result.status !== undefined) void reply.status(result.status);
  if (!(result instanceof CommittedRead)) return result.answer;
  const read = await result.read();
  if (!(read instanceof ProjectionPending)) return read;
  void reply.header('X-Projection-Pending', 'true');
  return read.view;
}

function wait(
  ryw: ReadYourWrites,
  reply: FastifyReply,
  { position, wait }: { position: Committed<unknown>['position']; wait: CommittedWait },
): Promise<void> {
  if (wait.mode === 'in-force') return ryw.requireProjected(reply, position);
  return ryw.afterCommand(reply, position, wait.projectors ? { projectors: wait.projectors } : {});
}
