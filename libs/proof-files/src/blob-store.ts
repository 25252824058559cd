/**
 * Where proof file bytes live: a content-addressed store behind a port, so the directory
 * adapter here can later be swapped for object storage without touching the upload route.
 * A blob's address is the sha256 of its bytes, so storing the same bytes twice stores nothing
 * new, and a blob can never change under its name (the store checks the hash while copying).
 *
 * `DirectoryBlobStore` lays blobs out as `root/ab/cd/<sha256>` and writes each one crash-safely:
 * to a temporary file in the blob's own directory (same filesystem), fsync, rename, fsync the
 * directory. A crash leaves either no blob or the whole blob, never a partial one under its name.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { access, mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';

export interface BlobStore {
  /** Copies the file at `fromPath` in under `sha256` (the caller keeps `fromPath`). */
  put(sha256: string, fromPath: string): Promise<{ created: boolean }>;
  get(sha256: string): Promise<Buffer>;
  exists(sha256: string): Promise<boolean>;
}

export class BlobNotFound extends Error {
  constructor(readonly sha256: string) {
    super(`no blob ${sha256}`);
    this.name = 'BlobNotFound';
  }
}

const SHA256 = /^[0-9a-f]{64}$/;
/** Bytes copied per write while storing a blob. */
const COPY_CHUNK_BYTES = 1024 * 1024;

/** `DATA_DIR/blobs`: where the default store keeps proof files. */
export function defaultBlobRoot(dataDir: string): string {
  return path.join(dataDir, 'blobs');
}

export class DirectoryBlobStore implements BlobStore {
  constructor(readonly root: string) {}

  /** `root/ab/cd/abcd…`: two levels of 256 folders keep directories small. */
  pathOf(sha256: string): string {
    if (!SHA256.test(sha256)) throw new TypeError(`not a sha256: ${JSON.stringify(sha256)}`);
    return path.join(this.root, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  async exists(sha256: string): Promise<boolean> {
    try {
      await access(this.pathOf(sha256));
      return true;
    } catch {
      return false;
    }
  }

  async get(sha256: string): Promise<Buffer> {
    try {
      return await readFile(this.pathOf(sha256));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new BlobNotFound(sha256);
      throw err;
    }
  }

  async put(sha256: string, fromPath: string): Promise<{ created: boolean }> {
    const target = this.pathOf(sha256);
    if (await this.exists(sha256)) return { created: false };
    const dir = path.dirname(target);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const temp = path.join(dir, `.${sha256}.${randomUUID()}.tmp`);
    try {
      const actual = await copyAndHash(fromPath, temp);
      if (actual !== sha256)
        throw new Error(
          `blob content does not match its address: expected ${sha256}, got ${actual}`,
        );
      // Same bytes stored concurrently: both renames put identical content in place.
      await rename(temp, target);
    } catch (err) {
      await rm(temp, { force: true });
      throw err;
    }
    await fsyncDir(dir);
    return { created: true };
  }
}

/** Copies `from` to a new file `to` (fsynced, read-only) and returns the sha256 of what was copied. */
async function copyAndHash(from: string, to: string): Promise<string> {
  const hash = createHash('sha256');
  const out = await open(to, 'wx', 0o400);
  try {
    for await (const chunk of createReadStream(from, { highWaterMark: COPY_CHUNK_BYTES })) {
      const bytes = chunk as Buffer;
      hash.update(bytes);
      let written = 0;
      while (written < bytes.length) {
        const { bytesWritten } = await out.write(bytes, written, bytes.length - written);
        written += bytesWritten;
      }
    }
    await out.sync();
  } finally {
    await out.close();
  }
  return hash.digest('hex');
}

/** Makes a rename durable: the directory entry itself is flushed. */
async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
