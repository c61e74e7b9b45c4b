/**
 * Builds the app into dist/: one bundled module and one stylesheet, named by content hash; index.html
 * pointing at them; the service worker with this build's precache list and version; the manifest and
 * icons. The server serves dist/ at /app/ (server/web/field_app.py).
 */
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const here = new URL('.', import.meta.url).pathname;
const dist = join(here, 'dist');
const hash = (text) => createHash('sha256').update(text).digest('hex').slice(0, 12);

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });
const bundle = await build({ entryPoints: [join(here, 'src/main.js')], bundle: true, format: 'esm', minify: true,
  target: ['chrome90'], write: false, legalComments: 'none' });
const js = bundle.outputFiles[0].text;
const css = readFileSync(join(here, 'src/app.css'), 'utf8');
const jsName = `app-${hash(js)}.js`;
const cssName = `app-${hash(css)}.css`;
writeFileSync(join(dist, jsName), js);
writeFileSync(join(dist, cssName), css);
cpSync(join(here, 'public'), dist, { recursive: true });
writeFileSync(join(dist, 'index.html'), readFileSync(join(here, 'index.html'), 'utf8')
  .replace('__JS__', jsName).replace('__CSS__', cssName));
const shell = ['./', ...readdirSync(dist).filter((name) => name !== 'index.html')];
const version = hash(shell.map((name) => name === './' ? readFileSync(join(dist, 'index.html')) : readFileSync(join(dist, name))).join(''));
writeFileSync(join(dist, 'sw.js'), readFileSync(join(here, 'src/sw.js'), 'utf8')
  .replace('__VERSION__', version).replace('__SHELL__', JSON.stringify(shell)));
console.log(`field app built: ${jsName} (${Math.round(js.length / 1024)} KiB), version ${version}`);
