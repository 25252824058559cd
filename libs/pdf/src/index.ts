export * from './pdf-reader';
