/**
 * report.html in a real browser: Debian's chromium, headless, driven by playwright-core. The folder is
 * written by the real results-folder writer from run-shaped data with a failed and a skipped test.
 * Screenshots are kept in test-artifacts/.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareRuns, renderComparison } from '../../src/report/compare.js';
import { buildReportModel } from '../../src/report/model.js';
import { readResultsFolder } from '../../src/results/read-folder.js';
import { writeFixtureFolder, type Fixture } from '../support/report-fixture.js';
import { writeFileSync } from 'node:fs';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
const FAILED = 'tempest.api.object_storage.test_container_services.ContainerTest.test_create_container';

describe('report.html in chromium', () => {
  let browser: Browser;
  let fixture: Fixture;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(`${CHROMIUM} is missing: apt-get install chromium (.ci/run installs it)`);
    mkdirSync(ARTIFACTS, { recursive: true });
    fixture = await writeFixtureFolder({
      fail: [FAILED],
      skip: [
        { match: 'test_object_services.ObjectTest.test_create_object', reason: 'Skipped: no second user' },
      ],
      notInstalled: ['tempest.api.object_storage.test_account_services.AccountTest.test_gone'],
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
  });

  /** Opens a file:// page recording every request and every console error. */
  async function open(path: string, viewport = { width: 1280, height: 900 }) {
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    const requests: string[] = [];
    const errors: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    const url = pathToFileURL(path).href;
    await page.goto(url, { waitUntil: 'load' });
    return { page, requests, errors, url, close: () => context.close() };
  }

  const text = async (page: Page, selector: string) => ((await page.textContent(selector)) ?? '').trim();

  it('loads from file:// with no other request and no console error, and shows the verdict and counts of summary.json', async () => {
    const { page, requests, errors, url, close } = await open(join(fixture.dir, 'report.html'));
    try {
      expect(requests).toEqual([url]);
      expect(errors).toEqual([]);
      const summary = JSON.parse(readFileSync(join(fixture.dir, 'summary.json'), 'utf8')) as {
        compliant: boolean;
        failing: string[];
        passedCapabilities: number;
        totalCapabilities: number;
        counts: Record<string, number>;
      };
      expect(summary.compliant).toBe(false);
      expect(await text(page, '#verdict-word')).toBe('NOT compliant');
      expect(await page.getAttribute('#verdict', 'data-compliant')).toBe('false');
      const answer = await text(page, '#verdict-answer');
      expect(answer).toContain(
        `${summary.passedCapabilities} of ${summary.totalCapabilities} capabilities pass`,
      );
      for (const id of summary.failing) expect(answer).toContain(id);
      for (const [key, n] of Object.entries(summary.counts))
        expect(await text(page, `[data-count="${key}"] dd`), key).toBe(String(n));
      // The capability table, as a screen reader reads it.
      const table = page.getByRole('table', { name: /capabilities pass/ });
      expect(await table.getByRole('columnheader').allTextContents()).toContain('status');
      const failingRow = table.getByRole('row', { name: new RegExp(summary.failing[0]!) });
      expect(await failingRow.getByRole('cell').nth(1).textContent()).toBe('fail');
      // The failed test with its reason and traceback.
      const failure = page.locator(`section.failure[data-test="${FAILED}"]`);
      expect(await failure.locator('.reason').textContent()).toContain('Unauthorized (HTTP 401)');
      expect(await failure.locator('pre').textContent()).toContain('Traceback (most recent call last):');
      expect(await page.content()).not.toContain(fixture.secret);
      await page.screenshot({ path: join(ARTIFACTS, 'report.png'), fullPage: true });
    } finally {
      await close();
    }
  });

  it('fits a phone screen: nothing wider than the viewport but the scrolling tables', async () => {
    const { page, errors, close } = await open(join(fixture.dir, 'report.html'), { width: 390, height: 844 });
    try {
      expect(errors).toEqual([]);
      const overflow = await page.evaluate<number>(
        'document.documentElement.scrollWidth - window.innerWidth',
      );
      expect(overflow).toBeLessThanOrEqual(0);
      await page.screenshot({ path: join(ARTIFACTS, 'report-phone.png'), fullPage: false });
    } finally {
      await close();
    }
  });

  it('prints: the print stylesheet applies and a PDF is made', async () => {
    const { page, close } = await open(join(fixture.dir, 'report.html'));
    try {
      await page.emulateMedia({ media: 'print' });
      expect(await page.evaluate<string>("getComputedStyle(document.querySelector('pre')).maxHeight")).toBe(
        'none',
      );
      const pdf = await page.pdf({ format: 'A4' });
      expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    } finally {
      await close();
    }
  });

  it('shows a comparison with the newly failing test marked, loading nothing', async () => {
    const before = await writeFixtureFolder({});
    const path = join(ARTIFACTS, 'comparison.html');
    const models = [before.dir, fixture.dir].map((d) => buildReportModel(readResultsFolder(d)));
    writeFileSync(path, renderComparison(compareRuns(models)));
    const { page, requests, errors, url, close } = await open(path);
    try {
      expect(requests).toEqual([url]);
      expect(errors).toEqual([]);
      const row = page.locator(`tr[data-key="${FAILED}"]`);
      expect(await row.locator('.change').textContent()).toContain('newly failing');
      const firstTestRow = page.locator('table.tests tbody tr').first();
      expect(await firstTestRow.getAttribute('data-key')).toBe(FAILED);
      await page.screenshot({ path: join(ARTIFACTS, 'comparison.png'), fullPage: true });
    } finally {
      await close();
    }
  });
});
