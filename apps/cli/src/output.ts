/**
 * Writing the CLI's answers: text lines or one JSON document on stdout; progress and notes on
 * stderr. `write` waits for stdout to drain when its buffer is full, so a command streaming
 * millions of rows into a slow pipe holds only what the pipe has not taken yet.
 */

/** One line of text on stdout. */
export function out(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** One JSON document on stdout (bigints as strings). */
export function outJson(value: unknown): void {
  out(JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));
}

/** A note for the operator on stderr (never mixed with the answer). */
export function note(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** Writes `chunk` to stdout, waiting for it to drain when it has buffered enough. */
export function write(chunk: string): Promise<void> {
  if (process.stdout.write(chunk)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const done = (err?: Error) => {
      process.stdout.off('drain', done);
      process.stdout.off('error', done);
      if (err) reject(err);
      else resolve();
    };
    process.stdout.once('drain', done);
    process.stdout.once('error', done);
  });
}

/** Resolves once everything written so far has left the process (before `process.exit`). */
export function flushed(): Promise<void> {
  return new Promise((resolve) => {
    let pending = 2;
    const one = () => (--pending === 0 ? resolve() : undefined);
    process.stdout.write('', one);
    process.stderr.write('', one);
  });
}

/**
 * A reader that closes stdout early (`kobatela export … | head`) ends the command quietly with
 * exit 1 (the answer is incomplete), rather than with a stack trace.
 */
export function exitWhenStdoutCloses(): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    process.exit(1);
  });
}
