/**
 * Where DATA_DIR is. Set: as given (resolved against the working directory; the embedded
 * server's own checks apply, and explain what to do when its user cannot reach it). Not set:
 * `./.data`, unless this process runs as root with the embedded PostgreSQL and a folder above
 * `./.data` is closed to other users (a clone under `/root`). The server then runs as the
 * `postgres` user, who could not enter it, so the default moves to
 * `/var/lib/kobatela/<folder name>-<hash of its path>`: the same place for every process started
 * from that folder (API, CLI, projector), kept across restarts.
 */
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import path from 'node:path';

/** Where a default data dir that the server's user could not reach moves to (as root). */
export const MOVED_DATA_ROOT = '/var/lib/kobatela';

export interface DataDirChoice {
  dataDir: string;
  /** The default (`./.data`) it moved from, or null when it did not move. */
  movedFrom: string | null;
}

/** The data dir for `DATA_DIR` (`given`, undefined when unset) and this process. */
export function chooseDataDir(
  given: string | undefined,
  context: { embedded: boolean; cwd?: string; asRoot?: boolean },
): DataDirChoice {
  const cwd = context.cwd ?? process.cwd();
  if (given !== undefined) return { dataDir: path.resolve(cwd, given), movedFrom: null };
  const fallback = path.resolve(cwd, '.data');
  const asRoot = context.asRoot ?? process.getuid?.() === 0;
  if (!asRoot || !context.embedded || closedAncestor(fallback) === null)
    return { dataDir: fallback, movedFrom: null };
  const hash = createHash('sha256').update(fallback).digest('hex').slice(0, 12);
  const name = path.basename(cwd).replace(/[^A-Za-z0-9._-]/g, '_') || 'root';
  return { dataDir: path.join(MOVED_DATA_ROOT, `${name}-${hash}`), movedFrom: fallback };
}

/**
 * The first existing folder on the way to `dir` that other users cannot enter (no `o+x`), or
 * null. Only the ancestors count: the data dir itself is ours to open.
 */
export function closedAncestor(dir: string): string | null {
  const parts = path.resolve(dir).split(path.sep).filter(Boolean);
  for (let i = 0; i < parts.length; i++) {
    const ancestor = path.sep + parts.slice(0, i).join(path.sep);
    let mode: number;
    try {
      mode = statSync(ancestor).mode;
    } catch {
      return null; // not there yet: what follows is made by us, open to others
    }
    if ((mode & 0o001) === 0) return ancestor;
  }
  return null;
}
