/** Generated photos with real EXIF: shared with the benchmarks, so they live in libs. */
export * from '@kob/proof-files/testing';
