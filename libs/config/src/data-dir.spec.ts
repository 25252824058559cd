import { mkdtempSync, mkdirSync, chmodSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MOVED_DATA_ROOT, chooseDataDir, closedAncestor } from './data-dir';

describe('chooseDataDir', () => {
  let closed: string;
  let open: string;

  beforeAll(() => {
    closed = mkdtempSync(path.join(os.tmpdir(), 'kob-datadir-closed-'));
    chmodSync(closed, 0o700);
    mkdirSync(path.join(closed, 'repo'));
    mkdirSync(path.join(closed, 'other repo'));
    open = mkdtempSync(path.join(os.tmpdir(), 'kob-datadir-open-'));
    chmodSync(open, 0o755);
    mkdirSync(path.join(open, 'repo'), { mode: 0o755 });
    chmodSync(path.join(open, 'repo'), 0o755);
  });
  afterAll(() => {
    rmSync(closed, { recursive: true, force: true });
    rmSync(open, { recursive: true, force: true });
  });

  it('keeps a DATA_DIR that is set, resolved against the working directory, even when closed', () => {
    const cwd = path.join(closed, 'repo');
    expect(chooseDataDir('data', { embedded: true, cwd, asRoot: true })).toEqual({
      dataDir: path.join(cwd, 'data'),
      movedFrom: null,
    });
    expect(chooseDataDir('/srv/x', { embedded: true, cwd, asRoot: true }).dataDir).toBe('/srv/x');
  });

  it('defaults to ./.data when not root, with an external database, or in an open folder', () => {
    const cwd = path.join(closed, 'repo');
    const here = { dataDir: path.join(cwd, '.data'), movedFrom: null };
    expect(chooseDataDir(undefined, { embedded: true, cwd, asRoot: false })).toEqual(here);
    expect(chooseDataDir(undefined, { embedded: false, cwd, asRoot: true })).toEqual(here);
    const openCwd = path.join(open, 'repo');
    expect(chooseDataDir(undefined, { embedded: true, cwd: openCwd, asRoot: true })).toEqual({
      dataDir: path.join(openCwd, '.data'),
      movedFrom: null,
    });
  });

  it('moves the default out of a closed folder as root, to one place per folder', () => {
    const cwd = path.join(closed, 'repo');
    const moved = chooseDataDir(undefined, { embedded: true, cwd, asRoot: true });
    expect(moved.movedFrom).toBe(path.join(cwd, '.data'));
    expect(moved.dataDir).toMatch(new RegExp(`^${MOVED_DATA_ROOT}/repo-[0-9a-f]{12}$`));
    expect(chooseDataDir(undefined, { embedded: true, cwd, asRoot: true })).toEqual(moved);
    const other = chooseDataDir(undefined, {
      embedded: true,
      cwd: path.join(closed, 'other repo'),
      asRoot: true,
    });
    expect(other.dataDir).toMatch(new RegExp(`^${MOVED_DATA_ROOT}/other_repo-[0-9a-f]{12}$`));
    expect(other.dataDir).not.toBe(moved.dataDir);
  });
});

describe('closedAncestor', () => {
  it('names the first folder closed to others on the way, not the folder itself', () => {
    const closed = mkdtempSync(path.join(os.tmpdir(), 'kob-closed-'));
    try {
      chmodSync(closed, 0o700);
      expect(closedAncestor(path.join(closed, 'a', 'b'))).toBe(closed);
      expect(closedAncestor(closed)).toBeNull();
      expect(closedAncestor('/no/such/folder/here')).toBeNull();
    } finally {
      rmSync(closed, { recursive: true, force: true });
    }
  });
});
