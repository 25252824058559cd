/**
 * Lets a plain `node` child process load the project's TypeScript sources: each `.ts` file is
 * transpiled on require with the installed `typescript` (no type check; `tsc` does that), so the
 * offline test runs the real `libs/ocr` code without a build step. Worker threads run `--require`
 * modules too, but load only plain JavaScript: they skip it (typescript is 9 MB to load).
 * The `@kob/*` imports resolve through tsconfig-paths.
 */
const fs = require('node:fs');
const { isMainThread } = require('node:worker_threads');

if (isMainThread) {
  const path = require('node:path');
  const { compilerOptions } = require('../../../tsconfig.base.json');
  // The @kob/* path aliases, as tsconfig.base.json maps them.
  require('tsconfig-paths').register({
    baseUrl: path.resolve(__dirname, '../../..'),
    paths: compilerOptions.paths,
  });
  const ts = require('typescript');
  require.extensions['.ts'] = (module, filename) => {
    const source = fs.readFileSync(filename, 'utf8');
    const { outputText } = ts.transpileModule(source, {
      fileName: filename,
      compilerOptions: {
        module: ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2022,
        esModuleInterop: true,
        experimentalDecorators: true,
        emitDecoratorMetadata: true,
        sourceMap: false,
      },
    });
    module._compile(outputText, filename);
  };
}
