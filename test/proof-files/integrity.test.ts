/**
 * The upload's integrity check on large photos: a 12-megapixel JPEG with bytes flipped at 24
 * places in its entropy-coded data is refused whenever a full-resolution statistics pass over
 * every pixel refuses it (a check by reduced decode alone, as the perceptual hash's, let some
 * through). Some flips libjpeg itself tolerates: both checks accept those.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inspectFile, strictImage } from '@kob/proof-files';
import { makePhoto } from '../support/photos';

it('no corrupt 12 MP JPEG passes that the full decode refused', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'integrity-'));
  const photo = await makePhoto({ format: 'jpeg', width: 4000, height: 3000, scene: 5 });
  const regressions: string[] = [];
  let tried = 0;
  for (let seed = 1; seed <= 24; seed++) {
    const out = Buffer.from(photo);
    const at = Math.floor(out.length * (0.1 + (0.8 * seed) / 24));
    out[at] = out[at]! ^ (1 << (seed % 8));
    out[at + 1] = out[at + 1]! ^ 0x5a;
    const file = path.join(dir, randomBytes(6).toString('hex'));
    await writeFile(file, out);
    tried++;
    const now = await inspectFile(file).then(
      () => 'accepted',
      () => 'refused',
    );
    const old = await strictImage(file)
      .stats()
      .then(
        () => 'accepted',
        (e) => `refused (${String(e.message).split('\n')[0]})`,
      );
    if (now === 'accepted' && old.startsWith('refused'))
      regressions.push(`offset ${at}: old ${old}`);
  }
  await rm(dir, { recursive: true, force: true });
  expect(tried).toBe(24);
  expect(regressions).toEqual([]);
});
