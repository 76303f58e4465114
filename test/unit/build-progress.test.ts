/** What a first run shows while it builds its image: one line saying what it waits for, then the slow steps. */
import { describe, expect, it } from 'vitest';
import { buildingLine, buildStepWords } from '../../src/pipeline/steps/tempest-image.js';
import { variantById } from '../../src/tempest/variant.js';

describe('buildStepWords', () => {
  it.each([
    ['Step 2/17 : FROM debian:${DEBIAN}-slim', false, 'step 2/17, base image'],
    [
      "Step 5/17 : RUN printf '%s\\n' 'path-exclude=/usr/share/doc/*' > /etc/dpkg/dpkg.cfg.d/tcup-slim  && apt-get update  && apt-get install -y --no-install-recommends         tempest python3-tempestconf python3-subunit",
      false,
      "step 5/17, installing Debian's Tempest, python-tempestconf and the packages they need",
    ],
    [
      'Step 7/17 : RUN if [ -n "$TCUP_PLUGINS" ]; then         apt-get update && apt-get install -y --no-install-recommends $TCUP_PLUGINS',
      true,
      'step 7/17, installing the Tempest plugins',
    ],
    [
      'Step 7/17 : RUN if [ -n "$TCUP_PLUGINS" ]; then         apt-get update && apt-get install -y --no-install-recommends $TCUP_PLUGINS',
      false,
      undefined,
    ],
    [
      'Step 8/17 : RUN mkdir -p /usr/share/tcup && cd /tmp && tempest init tcup-list >/dev/null  && cd tcup-list && tempest run --list-tests 2>/dev/null',
      false,
      'step 8/17, listing the installed tests',
    ],
    ['Step 9/17 : COPY container/ /usr/local/lib/tcup/', false, "step 9/17, adding tcup's run scripts"],
    ['Step 14/17 : LABEL tcup.hash=7f53e1e6993d3fb2', false, undefined],
    ['Step 4/17 : ENV DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8', false, undefined],
    [' ---> Running in 0123456789ab', false, undefined],
    ['Setting up python3-tempest (1:43.0.0-1) ...', false, undefined],
  ])('%s (plugins: %s) → %s', (line, plugins, want) => {
    expect(buildStepWords(line, plugins)).toBe(want);
  });
});

describe('buildingLine', () => {
  it('names the variant, says why it builds and that later runs reuse the image', () => {
    const line = buildingLine(variantById('43')!, []);
    expect(line).toMatch(/^building the Tempest 43 \(Debian 13\) image: not on this machine yet/);
    expect(line).toMatch(/about \d+ minutes? on 2 cores .*; later runs reuse it$/);
    expect(buildingLine(variantById('33')!, ['heat-tempest-plugin'])).toMatch(
      /^building the Tempest 33 \(Debian 12\) image with its plugins: not on this machine yet/,
    );
  });
});
