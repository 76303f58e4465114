import { describe, expect, it } from 'vitest';
import tar from 'tar-stream';
import {
  contextHash,
  packContext,
  packageRoot,
  readImageFiles,
  type ImageFile,
} from '../../src/engine/build-context.js';
import { IMAGE_REPO, imageHash, imageTag } from '../../src/engine/image.js';
import { NEWEST, tempestImageOptions, variantById } from '../../src/tempest/variant.js';

const files: ImageFile[] = [
  { name: 'Dockerfile', content: Buffer.from('FROM x\n') },
  { name: 'container/run.py', content: Buffer.from('print(1)\n') },
];

describe('build context', () => {
  it('packs the files with fixed modes', async () => {
    const extract = tar.extract();
    packContext(files).pipe(extract);
    const seen: [string, number, string][] = [];
    for await (const entry of extract) {
      const chunks: Buffer[] = [];
      for await (const c of entry) chunks.push(c as Buffer);
      seen.push([entry.header.name, entry.header.mode ?? 0, Buffer.concat(chunks).toString()]);
    }
    expect(seen).toEqual([
      ['Dockerfile', 0o644, 'FROM x\n'],
      ['container/run.py', 0o755, 'print(1)\n'],
    ]);
  });

  it('hashes content, names and build args, not order', () => {
    const h = contextHash(files);
    expect(contextHash([...files].reverse())).toBe(h);
    expect(contextHash([files[0]!, { ...files[1]!, content: Buffer.from('print(2)\n') }])).not.toBe(h);
    expect(contextHash([files[0]!, { ...files[1]!, name: 'container/other.py' }])).not.toBe(h);
    expect(contextHash(files, { TCUP_PLUGINS: 'heat-tempest-plugin' })).not.toBe(h);
  });

  it('gives each Tempest variant its own tag: the DEBIAN build arg is hashed, with the plugins', () => {
    const trixie = imageTag(files, [], IMAGE_REPO, { DEBIAN: 'trixie' });
    const bookworm = imageTag(files, [], IMAGE_REPO, { DEBIAN: 'bookworm' });
    expect(trixie).toMatch(/^tcup-tempest:[0-9a-f]{16}$/);
    expect(bookworm).not.toBe(trixie);
    expect(imageTag(files, [], IMAGE_REPO, {})).not.toBe(trixie);
    expect(imageTag(files, ['b', 'a'], IMAGE_REPO, { DEBIAN: 'trixie' })).toBe(
      imageTag(files, ['a', 'b'], IMAGE_REPO, { DEBIAN: 'trixie' }),
    );
    expect(imageTag(files, ['a'], IMAGE_REPO, { DEBIAN: 'trixie' })).not.toBe(trixie);
    expect(imageHash(files, [], { DEBIAN: 'trixie' }).slice(0, 16)).toBe(trixie.split(':')[1]);
  });

  it("builds the newest Tempest by default: the Dockerfile's ARG DEBIAN is its Debian", () => {
    const dockerfile = readImageFiles(packageRoot()).find((f) => f.name === 'Dockerfile')!;
    expect(dockerfile.content.toString()).toMatch(new RegExp(`^ARG DEBIAN=${NEWEST.debian}$`, 'm'));
    expect(dockerfile.content.toString()).toMatch(/^FROM debian:\$\{DEBIAN\}-slim$/m);
    expect(tempestImageOptions(NEWEST, []).args).toEqual({});
    expect(tempestImageOptions(variantById('33')!, []).args).toEqual({ DEBIAN: 'bookworm' });
  });

  it('reads the Dockerfile and container/ only from the checkout', () => {
    const names = readImageFiles(packageRoot()).map((f) => f.name);
    expect(names[0]).toBe('Dockerfile');
    expect(names.every((n) => n === 'Dockerfile' || n.startsWith('container/'))).toBe(true);
    expect(names).toContain('container/tcup_run.py');
  });
});
