/**
 * Credential-like query parameters never reach the logs: `loggableUrl` for URLs the request
 * serializer logs, `loggableText` for free text (messages, error messages and stacks) that may
 * quote a URL, and the logger applying both.
 */
import { Writable } from 'node:stream';
import {
  createLogger,
  deferredRequestLogger,
  isSecretParam,
  loggableText,
  loggableUrl,
} from './logger';

const SECRET = 'S3cr3tValue_9f8e7d';

describe('isSecretParam', () => {
  it.each([
    'sig',
    'SIG',
    'signature',
    'X-Amz-Signature',
    'x-amz-credential',
    'X-Amz-Security-Token',
    'X-Goog-Signature',
    'Signature',
    'Key-Pair-Id',
    'Policy',
    'token',
    'access_token',
    'id_token',
    'api_key',
    'apiKey',
    'x-api-key',
    'password',
    'passwd',
    'pwd',
    'client_secret',
    'auth',
    'session_id',
    'jwt',
    'code',
    'hmac',
    'otp',
  ])('treats %s as a credential', (name) => {
    expect(isSecretParam(name)).toBe(true);
  });

  it.each(['limit', 'offset', 'status', 'escrow_id', 'from_position', 'type', 'stream', 'x'])(
    'leaves %s alone',
    (name) => {
      expect(isSecretParam(name)).toBe(false);
    },
  );
});

describe('loggableUrl', () => {
  it('replaces the values of credential-like parameters and keeps the rest', () => {
    const url = `/proofs/files/1?sig=${SECRET}&limit=5&X-Amz-Signature=${SECRET}&token=${SECRET}&se=2030`;
    const out = loggableUrl(url);
    expect(out).not.toContain(SECRET);
    expect(out).toBe(
      '/proofs/files/1?sig=%5Bredacted%5D&limit=5&X-Amz-Signature=%5Bredacted%5D&token=%5Bredacted%5D&se=2030',
    );
  });

  it('catches repeated and percent-encoded names', () => {
    const out = loggableUrl(`/x?si%67=${SECRET}&sig=${SECRET}2&%53ignature=${SECRET}`);
    expect(out).not.toContain(SECRET);
  });

  it('returns a URL without credentials unchanged', () => {
    expect(loggableUrl('/escrows?status=DRAFT&limit=5')).toBe('/escrows?status=DRAFT&limit=5');
    expect(loggableUrl('/health')).toBe('/health');
  });
});

describe('loggableText', () => {
  it('scrubs URLs quoted inside text', () => {
    const text = `Reply was already sent, did you forget to "return reply" in the "/a?b=1&sig=${SECRET}" (GET) route?`;
    const out = loggableText(text);
    expect(out).not.toContain(SECRET);
    expect(out).toContain('/a?b=1&sig=[redacted]');
    const full = loggableText(
      `fetch https://bucket.s3.example/o?X-Amz-Credential=${SECRET}&X-Amz-Signature=${SECRET} failed`,
    );
    expect(full).not.toContain(SECRET);
    expect(full).toContain('failed');
  });

  it('leaves ordinary text alone', () => {
    expect(loggableText('a = b, limit=5 & x')).toBe('a = b, limit=5 & x');
  });
});

describe('createLogger', () => {
  it('scrubs messages, error messages and stacks, and request URLs', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const log = createLogger('info', sink);
    log.warn(`route /x?sig=${SECRET} not found`);
    log.warn('route %s not found', `/x?token=${SECRET}`);
    log.error({ err: new Error(`GET /y?signature=${SECRET} failed`) }, 'boom');
    log.info({ req: { method: 'GET', url: `/z?sig=${SECRET}` } }, 'incoming request');
    expect(lines).toHaveLength(4);
    for (const line of lines) expect(line).not.toContain(SECRET);
    expect(lines.join('\n')).toContain('sig=[redacted]');
  });
});

describe('deferredRequestLogger', () => {
  const capture = (level: string) => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const parent = createLogger(level, sink);
    const child = jest.spyOn(parent, 'child');
    return { lines, parent, child };
  };
  const parsed = (line: string) => {
    const { time: _time, ...rest } = JSON.parse(line) as Record<string, unknown>;
    return rest;
  };

  it('makes no pino child for a request that logs nothing at an enabled level', () => {
    const { lines, parent, child } = capture('warn');
    const log = deferredRequestLogger(parent, { reqId: 'r-1' }, { level: 'warn' });
    log.info({ req: { method: 'GET', url: '/x' } }, 'incoming request');
    log.debug('detail');
    log.trace('more detail');
    expect(log.isLevelEnabled('info')).toBe(false);
    expect(log.isLevelEnabled('warn')).toBe(true);
    expect(log.level).toBe('warn');
    expect(child).not.toHaveBeenCalled();
    expect(lines).toEqual([]);
  });

  it('writes what a pino child writes, bindings and redaction included, once something logs', () => {
    const deferred = capture('info');
    const direct = capture('info');
    const options = { level: 'info' };
    const log = deferredRequestLogger(deferred.parent, { reqId: 'r-2' }, options);
    const reference = direct.parent.child({ reqId: 'r-2' }, options);
    for (const target of [log, reference]) {
      target.info({ req: { method: 'GET', url: `/z?sig=${SECRET}` } }, 'incoming request');
      target.warn(
        { req: { headers: { authorization: `Bearer ${SECRET}` } } },
        'route %s',
        `/x?token=${SECRET}`,
      );
      target.error({ err: new Error('boom') }, 'failed');
    }
    expect(deferred.child).toHaveBeenCalledTimes(1);
    expect(deferred.lines).toHaveLength(3);
    expect(deferred.lines.map(parsed)).toEqual(direct.lines.map(parsed));
    expect(deferred.lines.join('\n')).not.toContain(SECRET);
    expect(log.bindings()).toEqual(reference.bindings());
  });

  it('follows the level the route asks for, silent included', () => {
    const { lines, parent } = capture('info');
    const quiet = deferredRequestLogger(parent, { reqId: 'r-3' }, { level: 'error' });
    quiet.warn('not written');
    quiet.error('written');
    const silent = deferredRequestLogger(parent, { reqId: 'r-4' }, { level: 'silent' });
    silent.fatal('not written either');
    expect(silent.isLevelEnabled('fatal')).toBe(false);
    // Fastify's routes without a level of their own pass an empty one: the parent's applies.
    const inherited = deferredRequestLogger(parent, { reqId: 'r-5' }, { level: '' });
    expect(inherited.level).toBe('info');
    inherited.info('inherited');
    inherited.debug('below the parent');
    // A level set on the request's logger applies to it alone, as on a pino child.
    const raised = deferredRequestLogger(parent, { reqId: 'r-6' }, { level: '' });
    raised.level = 'debug';
    raised.debug('debug now');
    expect(parent.level).toBe('info');
    expect(lines.map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual([
      'written',
      'inherited',
      'debug now',
    ]);
  });
});
