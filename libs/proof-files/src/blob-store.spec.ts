/**
 * The directory blob store: content-addressed under `ab/cd/<sha256>`, written once (the same
 * bytes again store nothing new), verified against its address, never left half-written.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BlobNotFound, DirectoryBlobStore } from './blob-store';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Every file below `dir`, relative paths. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

describe('DirectoryBlobStore', () => {
  let dir: string;
  let store: DirectoryBlobStore;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'blobs-'));
    store = new DirectoryBlobStore(path.join(dir, 'blobs'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('stores by sha256 under two levels of folders, once', async () => {
    const bytes = Buffer.from('proof bytes');
    const source = path.join(dir, 'upload');
    await writeFile(source, bytes);
    const hash = sha(bytes);
    expect(await store.exists(hash)).toBe(false);
    expect(await store.put(hash, source)).toEqual({ created: true });
    expect(await store.put(hash, source)).toEqual({ created: false });
    expect(await store.exists(hash)).toBe(true);
    expect((await store.get(hash)).equals(bytes)).toBe(true);
    expect(await filesUnder(path.join(dir, 'blobs'))).toEqual([
      `${hash.slice(0, 2)}/${hash.slice(2, 4)}/${hash}`,
    ]);
    // The caller's file stays; the blob is read-only.
    expect((await stat(source)).size).toBe(bytes.length);
    expect((await stat(store.pathOf(hash))).mode & 0o222).toBe(0);
  });

  it('refuses bytes that do not match their address and leaves nothing behind', async () => {
    const source = path.join(dir, 'upload');
    await writeFile(source, 'one thing');
    await expect(store.put(sha(Buffer.from('another thing')), source)).rejects.toThrow(
      /does not match its address/,
    );
    expect(await filesUnder(path.join(dir, 'blobs'))).toEqual([]);
  });

  it('answers BlobNotFound for an unknown blob and refuses names that are not a sha256', async () => {
    await expect(store.get('0'.repeat(64))).rejects.toBeInstanceOf(BlobNotFound);
    expect(() => store.pathOf('../../etc/passwd')).toThrow(TypeError);
    await expect(store.get('A'.repeat(64))).rejects.toThrow(TypeError);
  });
});
