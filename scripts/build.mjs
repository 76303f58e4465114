// Builds dist/tcup.cjs: one file with the launcher, its libraries, and the image's build context
// (Dockerfile + container/) embedded. With --sea it also makes dist/tcup, a standalone Linux
// executable (Node's single executable applications).
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

function imageFiles() {
  const files = { Dockerfile: readFileSync(join(root, 'Dockerfile')).toString('base64') };
  const walk = (dir) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (!name.endsWith('.pyc'))
        files[relative(root, path).split(sep).join('/')] = readFileSync(path).toString('base64');
    }
  };
  walk(join(root, 'container'));
  return files;
}

// The demo cloud's recipe (demo/keystone, a flat folder), for `tcup demo`.
function demoFiles() {
  const dir = join(root, 'demo/keystone');
  const files = {};
  for (const name of readdirSync(dir).sort())
    if (statSync(join(dir, name)).isFile()) files[name] = readFileSync(join(dir, name)).toString('base64');
  return files;
}

// Optional native addons (ssh2's crypto, cpu-features) and debug's supports-color: stubbed, so the
// bundle has no .node files; ssh2 falls back to pure JS and a unix socket needs none of it.
const noNative = {
  name: 'no-native',
  setup(b) {
    b.onResolve({ filter: /(\.node$|^cpu-features$|^supports-color$)/ }, (a) => ({
      path: a.path,
      namespace: 'no-native',
    }));
    b.onLoad({ filter: /.*/, namespace: 'no-native' }, () => ({
      contents: 'throw new Error("native addon not bundled")',
    }));
  },
};

mkdirSync(join(root, 'dist'), { recursive: true });
// Written beside and renamed into place: the test lanes are two processes that each build it, and a
// copy taken while the other one writes must never be half a file (scripts/test.mjs).
const partial = join(root, `dist/tcup.cjs.${process.pid}.partial`);
await build({
  entryPoints: [join(root, 'tcup.ts')],
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  outfile: partial,
  plugins: [noNative],
  legalComments: 'none',
  define: {
    __TCUP_IMAGE_FILES__: JSON.stringify(imageFiles()),
    __TCUP_DEMO_FILES__: JSON.stringify(demoFiles()),
    __TCUP_VERSION__: JSON.stringify(pkg.version),
    'import.meta.url': '__tcup_import_meta_url',
  },
  inject: [join(root, 'scripts/import-meta-url.cjs')],
  logLevel: 'warning',
});
renameSync(partial, join(root, 'dist/tcup.cjs'));
console.log(`dist/tcup.cjs ${(statSync(join(root, 'dist/tcup.cjs')).size / 1e6).toFixed(2)} MB`);

if (process.argv.includes('--sea')) {
  const blob = join(root, 'dist/sea-prep.blob');
  writeFileSync(
    join(root, 'dist/sea-config.json'),
    JSON.stringify({
      main: join(root, 'dist/tcup.cjs'),
      output: blob,
      disableExperimentalSEAWarning: true,
      useCodeCache: true,
    }),
  );
  execFileSync(process.execPath, ['--experimental-sea-config', join(root, 'dist/sea-config.json')], {
    stdio: 'inherit',
  });
  const exe = join(root, 'dist/tcup');
  copyFileSync(process.execPath, exe);
  // Debian's node is not stripped: its symbols are ~12 MB the executable does not need.
  try {
    execFileSync('strip', [exe], { stdio: 'ignore' });
  } catch {
    // no binutils: the executable is just bigger
  }
  execFileSync(
    process.execPath,
    [
      join(root, 'node_modules/postject/dist/cli.js'),
      exe,
      'NODE_SEA_BLOB',
      blob,
      '--sentinel-fuse',
      'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2',
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  console.log(`dist/tcup ${(statSync(exe).size / 1e6).toFixed(1)} MB`);
}
