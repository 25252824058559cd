/**
 * Preloaded (`node --require`) into the offline OCR child process. Node runs `--require` modules
 * in the main thread and again in every worker thread before the worker's own code, so this
 * blocks, in every thread (ours, tesseract.js's, pdfjs's), each way out to the network: `fetch`,
 * `http(s).request/get`, `http2.connect`, `net.connect/createConnection`, `net.Socket#connect`,
 * `tls.connect` and DNS. Each attempt throws and is recorded, with its thread, in the file named
 * by `OCR_OFFLINE_LOG`. It also records which thread read the OCR engine's core and language files
 * and where they really are, so the test can show they came from the installed packages, and
 * which thread drew a page on an `@napi-rs/canvas` canvas (a scanned PDF rendered for OCR), so
 * the test can show rendering ran in a thread that had the blocker.
 */
const fs = require('node:fs');
const { threadId } = require('node:worker_threads');

const logFile = process.env.OCR_OFFLINE_LOG;
if (!logFile) throw new Error('OCR_OFFLINE_LOG is not set');

function record(entry) {
  fs.appendFileSync(logFile, `${JSON.stringify({ thread: threadId, ...entry })}\n`);
}

function describeTarget(args) {
  const first = args[0];
  if (typeof first === 'string' || first instanceof URL) return String(first);
  if (typeof first === 'number')
    return `port ${first} ${typeof args[1] === 'string' ? args[1] : ''}`.trim();
  if (first && typeof first === 'object') {
    if (typeof first.url === 'string') return first.url;
    return [first.protocol, first.host ?? first.hostname, first.port, first.path]
      .filter(Boolean)
      .join(' ');
  }
  return typeof first;
}

function blocked(api) {
  return function blockedNetworkCall(...args) {
    record({ kind: 'attempt', api, target: describeTarget(args) });
    throw new Error(`network blocked by the offline test: ${api}`);
  };
}

record({ kind: 'preload' });

globalThis.fetch = async function blockedFetch(...args) {
  record({ kind: 'attempt', api: 'fetch', target: describeTarget(args) });
  throw new TypeError('network blocked by the offline test: fetch');
};
for (const name of ['http', 'https']) {
  const mod = require(`node:${name}`);
  mod.request = blocked(`${name}.request`);
  mod.get = blocked(`${name}.get`);
}
require('node:http2').connect = blocked('http2.connect');
const net = require('node:net');
net.connect = blocked('net.connect');
net.createConnection = blocked('net.createConnection');
net.Socket.prototype.connect = blocked('net.Socket.connect');
require('node:tls').connect = blocked('tls.connect');
const dns = require('node:dns');
for (const name of ['lookup', 'resolve', 'resolve4', 'resolve6', 'resolveAny']) {
  dns[name] = blocked(`dns.${name}`);
  dns.promises[name] = blocked(`dns.promises.${name}`);
}

// Which thread read the engine's files, and where they really are (links resolved).
const watched = /traineddata|tesseract-core/;
function noteRead(file) {
  if (typeof file !== 'string' || !watched.test(file)) return;
  let real = file;
  try {
    real = fs.realpathSync(file);
  } catch {}
  record({ kind: 'read', file, real });
}
const readFile = fs.readFile;
fs.readFile = function recordedReadFile(file, ...rest) {
  noteRead(file);
  return readFile.call(this, file, ...rest);
};
const readFileSync = fs.readFileSync;
fs.readFileSync = function recordedReadFileSync(file, ...rest) {
  noteRead(file);
  return readFileSync.call(this, file, ...rest);
};
const promisesReadFile = fs.promises.readFile;
fs.promises.readFile = function recordedPromisesReadFile(file, ...rest) {
  noteRead(file);
  return promisesReadFile.call(this, file, ...rest);
};

// Which thread made a canvas (pdfjs rendering a page): `createCanvas` of @napi-rs/canvas wrapped
// when a thread first loads it.
const Module = require('node:module');
const load = Module._load;
const wrapped = new WeakSet();
Module._load = function recordedLoad(request, ...rest) {
  const exported = load.call(this, request, ...rest);
  if (request === '@napi-rs/canvas' && exported && !wrapped.has(exported)) {
    wrapped.add(exported);
    const createCanvas = exported.createCanvas;
    exported.createCanvas = function recordedCreateCanvas(width, height, ...more) {
      record({ kind: 'canvas', width, height });
      return createCanvas.call(this, width, height, ...more);
    };
  }
  return exported;
};
