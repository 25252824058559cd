/**
 * sharp (libvips) settings for a server that decodes large photos from many requests at once:
 * - no operation cache: each proof image is decoded once or twice and never again, so libvips'
 *   cache (50 MB and 100 operations by default) would only hold memory;
 * - one libvips worker thread per image: several uploads already run in parallel on the
 *   machine's cores, and each extra thread brings its own tile buffers (a 12-megapixel JPEG
 *   decoded by two threads at four uploads at once took the API above 300 MB).
 * Imported for its effect by every module of this service that uses sharp.
 */
import sharp from 'sharp';

sharp.cache(false);
sharp.concurrency(1);

export { sharp };
