/**
 * Named limits of proof file handling (TIGER_STYLE). The upload size itself is configuration
 * (`PROOF_FILE_MAX_BYTES`); these are the bounds on what one file may cost to read.
 */
export const proofFileLimits = {
  /** Longest side of an image preview, in pixels (smaller images are not enlarged). */
  previewLongestSidePx: 1600,
  previewJpegQuality: 82,
  /** Decoded pixels an image may have (sharp refuses larger inputs; a decompression bomb). */
  /** Pixels an image may decode to (a small file can inflate to gigabytes: a decompression bomb). */
  imagePixelsMax: 50_000_000,
  /** How long pdfjs may take to open a PDF before it is refused. */
  pdfOpenTimeoutMs: 15_000,
  /** How long the WebAssembly HEIC decoder may take for one image. */
  heicDecodeTimeoutMs: 30_000,
  /** HEIC decoder workers running at once in this process; more wait their turn. */
  heicDecodesConcurrentMax: 2,
  /** Heap of the HEIC decoder's worker thread (its WebAssembly memory is counted apart). */
  heicWorkerHeapMb: 256,
  /** Side of the greyscale square the perceptual hash is computed on. */
  phashSamplePx: 32,
  /** Side of the low-frequency DCT block whose bits make the hash (8 × 8 = 64 bits). */
  phashBlockPx: 8,
  /** Bytes read from the start of a file to recognise its type. */
  sniffBytes: 64,
  /** Longest EXIF text value kept (make, model, software); longer values are cut. */
  exifTextLengthMax: 128,
} as const;
