/**
 * The `@kob/*` path aliases for code jest loads outside a test (globalSetup, globalTeardown),
 * where its moduleNameMapper does not apply. Import this first.
 */
import path from 'node:path';
import { register } from 'tsconfig-paths';
import { compilerOptions } from '../../tsconfig.base.json';

register({ baseUrl: path.resolve(__dirname, '../..'), paths: compilerOptions.paths });
