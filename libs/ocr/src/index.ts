export * from './currency-units';
export * from './document-checks';
export * from './iban';
export * from './invoice-merge';
export * from './invoice-ocr';
export * from './invoice-parser';
export * from './ocr-result';
export {
  type EngineStats,
  type OcrLanguage,
  ocrLanguages,
  tesseractLimits,
  TesseractEngine,
} from './tesseract-engine';
