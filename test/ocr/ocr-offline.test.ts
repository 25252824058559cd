/**
 * OCR uses no network. tesseract.js fetches its core and language data from a CDN unless told
 * otherwise, and does so in its own worker thread, where a spy installed by this test process
 * would not reach. So the OCR runs in a child process started with `offline/block-network.js`
 * preloaded: Node runs `--require` modules in every thread, so `fetch`, http(s), http2, net, tls
 * and DNS throw and are recorded in the main thread, in our engine host, in tesseract's worker
 * and in pdfjs's (reading and rendering). The test checks that the OCR still reads the invoice as
 * an image, a text PDF and a scanned PDF, that no attempt was recorded except the two controls
 * (one in the main thread, one in a fresh worker thread, which show the blocker was live in
 * both), that the scan's page was drawn on a canvas in a worker thread that had the blocker, and
 * that the language data and the wasm core were read from files of the installed packages, in a
 * worker thread that had the blocker.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

interface LogEntry {
  thread: number;
  kind: 'preload' | 'attempt' | 'read' | 'canvas';
  api?: string;
  target?: string;
  file?: string;
  real?: string;
  width?: number;
  height?: number;
}

const offline = path.join(__dirname, 'offline');
const root = path.resolve(__dirname, '..', '..');

function runChild(
  logFile: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const args = [
    '--require',
    path.join(offline, 'block-network.js'),
    '--require',
    path.join(offline, 'register-ts.js'),
    path.join(offline, 'ocr-offline.child.ts'),
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: root,
      env: { ...process.env, OCR_OFFLINE_LOG: logFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('invoice OCR without network', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'ocr-offline-'));
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads an invoice image, a text PDF and a scanned PDF with every outbound path blocked, in every thread', async () => {
    const logFile = path.join(dir, 'network.log');
    const { code, stdout, stderr } = await runChild(logFile);
    expect({ code, stderr }).toEqual({ code: 0, stderr: expect.any(String) });
    const out = JSON.parse(stdout);
    expect(out.image).toMatchObject({
      status: 'ok',
      engine: 'tesseract',
      fields: {
        total_amount: '1234.50',
        currency: 'EUR',
        invoice_number: 'F-2026-042',
        iban_last4: '0189',
      },
    });
    expect(out.pdf).toMatchObject({
      status: 'ok',
      engine: 'pdf-text',
      fields: { total_amount: '1234.50' },
    });
    expect(out.scan).toMatchObject({
      status: 'ok',
      engine: 'pdf-scan',
      fields: { total_amount: '1234.50', currency: 'EUR', invoice_number: 'F-2026-042' },
    });
    expect(out.controls).toEqual({
      main: expect.stringMatching(/network blocked/),
      worker: expect.stringMatching(/network blocked/),
    });

    const log = readFileSync(logFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as LogEntry);
    const attempts = log.filter((e) => e.kind === 'attempt');
    // Only the two controls: nothing in the OCR tried to reach the network.
    expect(attempts).toEqual([
      expect.objectContaining({
        thread: 0,
        api: 'fetch',
        target: 'http://127.0.0.1:9/offline-control',
      }),
      expect.objectContaining({ api: 'fetch', target: 'http://127.0.0.1:9/offline-control' }),
    ]);
    expect(attempts[1]!.thread).not.toBe(0);
    // The blocker ran in the main thread and in at least the engine host, tesseract's worker,
    // pdfjs's workers (the text PDF, the scan's text layer, the scan's rendering) and the control
    // worker.
    const preloaded = new Set(log.filter((e) => e.kind === 'preload').map((e) => e.thread));
    expect(preloaded.size).toBeGreaterThanOrEqual(7);
    // The scan's page was drawn (A4 at 300 dpi) in a worker thread, one the blocker ran in.
    const canvases = log.filter((e) => e.kind === 'canvas');
    expect(canvases).toContainEqual(expect.objectContaining({ width: 2479, height: 3508 }));
    for (const canvas of canvases) {
      expect(canvas.thread).not.toBe(0);
      expect(preloaded.has(canvas.thread)).toBe(true);
    }

    const reads = log.filter((e) => e.kind === 'read');
    const modules = path.join(root, 'node_modules');
    for (const lang of ['eng', 'fra']) {
      const read = reads.find((e) => e.file!.endsWith(`${lang}.traineddata.gz`));
      expect(read).toBeDefined();
      expect(read!.thread).not.toBe(0);
      expect(read!.real).toBe(
        path.join(modules, '@tesseract.js-data', lang, '4.0.0_best_int', `${lang}.traineddata.gz`),
      );
    }
    const core = reads.filter((e) => /tesseract-core.*\.wasm$/.test(e.file!));
    expect(core.length).toBeGreaterThan(0);
    for (const read of core) {
      expect(read.thread).not.toBe(0);
      expect(read.real!.startsWith(path.join(modules, 'tesseract.js-core') + path.sep)).toBe(true);
    }
  });
});
