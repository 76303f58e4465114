/**
 * `tcup report` of the single file, as a user runs it: two results folders written by the real writer
 * from run-shaped data, a test made to fail in the second; the comparison marks it newly failing.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { launcherInEmptyDir, runLauncher } from '../support/launcher.js';
import { writeFixtureFolder } from '../support/report-fixture.js';

const BROKEN = 'tempest.api.object_storage.test_container_services.ContainerTest.test_create_container';

describe('tcup report (single file)', () => {
  let dir: string;
  let launcher: string;
  const tcup = (args: string[]) => runLauncher(launcher, args, { cwd: dir, env: {} });

  beforeAll(async () => {
    ({ dir, launcher } = launcherInEmptyDir());
    await writeFixtureFolder({ dir: join(dir, 'monday') });
    await writeFixtureFolder({ dir: join(dir, 'tuesday'), fail: [BROKEN] });
  });

  it('compares two runs: the test that fails in the second is newly failing, first in the table and the page', async () => {
    const r = await tcup(['report', 'monday', 'tuesday']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('\u001b['); // not a terminal: no colour
    const lines = r.stdout.split('\n');
    const row = lines.find((l) => l.includes('test_create_container'));
    expect(row).toMatch(/pass\s+fail\s+newly failing in 2$/);
    const header = lines.findIndex((l) => /^test\s+1\s+2\s+change$/.test(l));
    expect(lines[header + 1]).toBe(row);
    expect(r.stdout).toMatch(/^objectstore-container-create\s+pass\s+fail\s+newly failing in 2$/m);
    expect(r.stdout).toMatch(
      /^ {2}2 {2}tuesday: 2020\.06 object required: 19 of 20 capabilities pass, NOT compliant/m,
    );
    expect(r.stdout).toContain('comparison: tcup-comparison.html');
    for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(100);

    const html = readFileSync(join(dir, 'tcup-comparison.html'), 'utf8');
    const tr = new RegExp(
      `<tr class="differs" data-key="${BROKEN.replace(/\./g, '\\.')}" data-changes="\\|newly failing">`,
    );
    expect(html).toMatch(tr);
    const tests = html.slice(html.indexOf('<table class="tests">'));
    expect(/<tbody>\n<tr[^>]*data-key="([^"]+)"/.exec(tests)?.[1]).toBe(BROKEN);
  });

  it('writes the comparison where --output says', async () => {
    const r = await tcup(['report', 'monday', 'tuesday', '--output', 'week.html']);
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, 'week.html'), 'utf8')).toContain('newly failing');
  });

  it('regenerates report.html from one folder alone', async () => {
    rmSync(join(dir, 'tuesday', 'report.html'));
    const r = await tcup(['report', 'tuesday']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^2020\.06 object required: 19 of 20 capabilities pass, NOT compliant/);
    expect(r.stdout).toContain(`report: ${join('tuesday', 'report.html')}`);
    const html = readFileSync(join(dir, 'tuesday', 'report.html'), 'utf8');
    expect(html).toContain('id="verdict-word">NOT compliant');
    expect(html).toContain('Unauthorized (HTTP 401)');
  });

  it('refuses a folder that is not a results folder, with exit code 2', async () => {
    const r = await tcup(['report', 'monday', 'nowhere']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/✖ cannot read summary\.json in nowhere: not found/);
    expect(existsSync(join(dir, 'nowhere'))).toBe(false);
  });
});
