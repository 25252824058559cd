/**
 * Child process of the offline OCR test, started with `block-network.js` and `register-ts.js`
 * preloaded: reads a French invoice image (tesseract.js), a text PDF (pdfjs) and a scanned PDF
 * (pdfjs and @napi-rs/canvas render it, tesseract.js reads it), then checks that the network
 * blocker is live in this thread and in a new worker thread, and prints the results as JSON on
 * stdout.
 */
import { Worker } from 'node:worker_threads';
import { InvoiceOcr } from '@kob/ocr';
import {
  frenchInvoiceLines,
  renderInvoiceImage,
  scannedPdf,
  textPdf,
} from '../../support/invoice-images';

const controlUrl = 'http://127.0.0.1:9/offline-control';

async function mainThreadControl(): Promise<string> {
  try {
    await fetch(controlUrl);
    return 'fetch went through';
  } catch (err) {
    return (err as Error).message;
  }
}

function workerControl(): Promise<string> {
  const source = `
    const { parentPort } = require('node:worker_threads');
    fetch(${JSON.stringify(controlUrl)}).then(() => parentPort.postMessage('fetch went through'), (e) => parentPort.postMessage(e.message));
  `;
  return new Promise((resolve, reject) => {
    const worker = new Worker(source, { eval: true });
    worker.once('message', (m: string) => void worker.terminate().then(() => resolve(m)));
    worker.once('error', reject);
  });
}

async function main(): Promise<void> {
  const ocr = new InvoiceOcr({ enabled: true, timeoutMs: 60_000 });
  const image = await ocr.read(await renderInvoiceImage(frenchInvoiceLines), 'image/png');
  const pdf = await ocr.read(textPdf(frenchInvoiceLines), 'application/pdf');
  const scan = await ocr.read(await scannedPdf(), 'application/pdf');
  const controls = { main: await mainThreadControl(), worker: await workerControl() };
  await ocr.close();
  process.stdout.write(JSON.stringify({ image, pdf, scan, controls }));
}

main().catch((err: unknown) => {
  process.stderr.write(String((err as Error).stack ?? err));
  process.exit(1);
});
