/**
 * Injection points of the proof file routes. Both are optional: without a provider the
 * controller uses the defaults (the directory blob store under DATA_DIR, the uploader-or-staff
 * read rule), so registering the controller is all the app module needs today.
 */
export const PROOF_BLOB_STORE = Symbol('PROOF_BLOB_STORE');
export const PROOF_FILE_READ_ACCESS = Symbol('PROOF_FILE_READ_ACCESS');
