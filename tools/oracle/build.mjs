// heapscope: adapted from the team's reference oracle (shared/oracle/build.mjs); unchanged.

// Bundles the DevTools heap_snapshot_worker TypeScript sources (from the pinned
// chrome-devtools-frontend npm package) into dist/devtools-heap.mjs for Node.
import * as esbuild from 'esbuild';
import path from 'node:path';
import fs from 'node:fs';
import {fileURLToPath} from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const FE = path.join(here, 'node_modules', 'chrome-devtools-frontend', 'front_end');
const stubs = path.join(here, 'src', 'stubs');

const redirect = {
  [path.join(FE, 'core/i18n/i18n.js')]: path.join(stubs, 'i18n.js'),
  [path.join(FE, 'models/heap_snapshot/heap_snapshot.js')]: path.join(stubs, 'heap_snapshot_model.js'),
  [path.join(FE, 'core/text_utils/text_utils.js')]: path.join(stubs, 'text_utils.js'),
};

const plugin = {
  name: 'devtools-resolve',
  setup(build) {
    build.onResolve({filter: /^DTFE\//}, args => ({path: path.join(FE, args.path.slice(5))}));
    build.onResolve({filter: /\.js$/}, args => {
      if (!args.path.startsWith('.')) return undefined;
      const abs = path.resolve(args.resolveDir, args.path);
      if (redirect[abs]) return {path: redirect[abs]};
      // DevTools sources import './Foo.js' but ship Foo.ts
      const ts = abs.replace(/\.js$/, '.ts');
      if (!fs.existsSync(abs) && fs.existsSync(ts)) return {path: ts};
      return undefined;
    });
  },
};

await esbuild.build({
  entryPoints: [path.join(here, 'src', 'devtools-entry.ts')],
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outfile: path.join(here, 'dist', 'devtools-heap.mjs'),
  plugins: [plugin],
  logLevel: 'info',
  banner: {js: `// Bundled from chrome-devtools-frontend@${JSON.parse(fs.readFileSync(path.join(here,'node_modules/chrome-devtools-frontend/package.json'))).version} front_end/entrypoints/heap_snapshot_worker (BSD-3-Clause)`},
});
