// Builds the dashboard into <outdir> (default dist/): index.html and assets/ (app.js, app.css,
// the files of public/). Type-checks first (tsc --noEmit) and fails on any error or warning.
//   node build.mjs [outdir]
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const out = resolve(process.argv[2] ?? join(here, 'dist'));
const require = createRequire(import.meta.url);

const tsc = join(dirname(require.resolve('typescript/package.json')), 'bin', 'tsc');
const check = spawnSync(process.execPath, [tsc, '--noEmit', '-p', here], { stdio: 'inherit' });
if (check.status !== 0) {
  console.error('build: type check failed');
  process.exit(1);
}

rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'assets'), { recursive: true });

const result = await esbuild.build({
  entryPoints: { app: join(here, 'src', 'main.ts') },
  bundle: true,
  minify: true,
  sourcemap: false,
  target: 'es2020',
  format: 'iife',
  platform: 'browser',
  legalComments: 'eof',
  outdir: join(out, 'assets'),
  logLevel: 'warning',
  conditions: ['production'],
});
if (result.errors.length > 0 || result.warnings.length > 0) {
  console.error('build: esbuild reported problems');
  process.exit(1);
}
await esbuild.build({
  entryPoints: [join(here, 'styles.css')],
  bundle: true,
  minify: true,
  target: ['chrome90', 'firefox90', 'safari14'],
  outfile: join(out, 'assets', 'app.css'),
  logLevel: 'warning',
});

const publicDir = join(here, 'public');
if (existsSync(publicDir)) cpSync(publicDir, join(out, 'assets'), { recursive: true });
writeFileSync(join(out, 'index.html'), readFileSync(join(here, 'index.html')));
console.log(`build: wrote ${out}`);
