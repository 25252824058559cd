/**
 * Issue 16 (memory): the Anthropic SDK is loaded only when the advisor makes a client, so a
 * process with the advisor off (the default) never holds it. Checked in a fresh Node process on
 * the built library (`npm test` builds first), where `require.cache` says what was loaded.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const ADVISOR = path.resolve(__dirname, '../../dist/libs/ai-advisor/src/index.js');

function sdkLoaded(options: { enabled: boolean; apiKey: string | null }): boolean {
  const script = `
    const { AiProofAdvisor } = require(${JSON.stringify(ADVISOR)});
    new AiProofAdvisor({
      ...${JSON.stringify(options)},
      baseUrl: 'http://127.0.0.1:9', model: 'claude-test', timeoutMs: 1000,
      breakerFailuresMax: 3, breakerCooldownMs: 1000, sendImage: false,
    });
    const loaded = Object.keys(require.cache).some((f) => f.includes('@anthropic-ai'));
    process.stdout.write(JSON.stringify(loaded));
  `;
  const child = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`child failed: ${child.stderr}`);
  return JSON.parse(child.stdout) as boolean;
}

describe('the Anthropic SDK', () => {
  it('is not loaded while the advisor is off or has no key', () => {
    expect(sdkLoaded({ enabled: false, apiKey: 'sk-test' })).toBe(false);
    expect(sdkLoaded({ enabled: true, apiKey: null })).toBe(false);
  });

  it('is loaded when the advisor makes its client', () => {
    expect(sdkLoaded({ enabled: true, apiKey: 'sk-test' })).toBe(true);
  });
});
