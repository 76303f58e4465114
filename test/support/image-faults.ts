/**
 * Launchers whose image misbehaves, for the protocol fault tests. The product has no hook for this: a
 * copy of the built single file gets a different embedded image recipe (tcup's own Dockerfile with
 * lines appended, and extra files under container/faults/). That recipe has another content hash, so
 * the launcher builds and uses its own image (on top of the cached layers of the real one), exactly as
 * it would its real image; nothing else on the engine is touched.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildLauncher } from './launcher.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface ImageFault {
  /** Dockerfile lines appended after tcup's own. */
  dockerfile: string;
  /** Files added to the build context, by name under container/faults/ (copied to /usr/local/lib/tcup/faults/). */
  files: Record<string, string>;
}

/** A new empty directory holding a launcher whose image has `fault` built in. */
export function launcherWithImageFault(fault: ImageFault): { dir: string; launcher: string } {
  const bundle = readFileSync(buildLauncher(), 'utf8');
  const dockerfile = readFileSync(join(ROOT, 'Dockerfile'));
  const quoted = JSON.stringify(dockerfile.toString('base64'));
  const at = bundle.indexOf(quoted);
  if (at < 0 || bundle.indexOf(quoted, at + 1) >= 0)
    throw new Error('the Dockerfile is not embedded exactly once in dist/tcup.cjs');
  const b64 = (text: string | Buffer) => JSON.stringify(Buffer.from(text).toString('base64'));
  const extra = Object.entries(fault.files)
    .map(([name, text]) => `, ${JSON.stringify(`container/faults/${name}`)}: ${b64(text)}`)
    .join('');
  const patched =
    bundle.slice(0, at) +
    b64(Buffer.concat([dockerfile, Buffer.from(`\n# tcup fault test\n${fault.dockerfile}\n`)])) +
    extra +
    bundle.slice(at + quoted.length);
  const dir = mkdtempSync(join(tmpdir(), 'tcup-fault-'));
  const launcher = join(dir, 'tcup.cjs');
  writeFileSync(launcher, patched);
  return { dir, launcher };
}

/** The image a launcher said it built or reused (`built tcup-tempest:…` / `reusing …`). */
export function imageOf(stderr: string): string | undefined {
  return /(?:built|reusing) (tcup-tempest:[0-9a-f]+)/.exec(stderr)?.[1];
}

/**
 * The entry point writes a line that is not the protocol (cut-off JSON) right after the first test
 * event, then goes on as usual: the launcher must stop, remove the still-running container, exit 7.
 */
export const MALFORMED_EVENT: ImageFault = {
  dockerfile: 'ENTRYPOINT ["python3", "/usr/local/lib/tcup/faults/malformed_event.py"]',
  files: {
    'malformed_event.py': `import subprocess, sys
child = subprocess.Popen([sys.executable, "/usr/local/lib/tcup/tcup_run.py"], stdout=subprocess.PIPE)
written = False
for line in iter(child.stdout.readline, b""):
    sys.stdout.buffer.write(line)
    if not written and b'"event": "test"' in line:
        sys.stdout.buffer.write(b'::tcup:: {"event": "test", "id": \\n')
        written = True
    sys.stdout.buffer.flush()
sys.exit(child.wait())
`,
  },
};

/**
 * `tempest run` starts the first test of its list, then dies with a traceback (as Tempest does on
 * an internal error): a partial subunit stream and exit code 1. Every other tempest command is real.
 */
export const TEMPEST_CRASH: ImageFault = {
  dockerfile: 'RUN ln -s /usr/local/lib/tcup/faults/crashing_tempest.py /usr/local/bin/tempest',
  files: {
    'crashing_tempest.py': `#!/usr/bin/env python3
import os, sys
if sys.argv[1:2] != ["run"]:
    os.execv("/usr/bin/tempest", ["tempest"] + sys.argv[1:])
import subunit
with open(sys.argv[sys.argv.index("--load-list") + 1]) as f:
    first = f.readline().strip()
subunit.StreamResultToBytes(sys.stdout.buffer).status(test_id=first, test_status="inprogress")
sys.stdout.flush()
sys.stderr.write("Traceback (most recent call last):\\n")
sys.stderr.write('  File "/usr/lib/python3/dist-packages/stestr/commands/run.py", line 1, in run\\n')
sys.stderr.write("RuntimeError: tcup fault test: Tempest crashed\\n")
sys.exit(1)
`,
  },
};
