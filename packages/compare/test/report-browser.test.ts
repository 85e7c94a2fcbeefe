import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  chromiumTestsRun,
  type HeadlessChromium,
  openFile,
  startChromium,
} from '../../../scripts/lib/chromium.ts';
import { writeReport } from '../src/report/report-html.ts';
import { temporaryDirectory } from './support/io.ts';
import { runMeasuredComparison } from './support/measured-comparison.ts';
import { writeSyntheticComparison } from './support/synthetic-results.ts';

const OUTPUT = fileURLToPath(new URL('../test-output/', import.meta.url));

describe.runIf(chromiumTestsRun)('report.html in headless Chromium', () => {
  let browser: HeadlessChromium | undefined;
  let context: BrowserContext;

  beforeAll(async () => {
    browser = await startChromium();
    context = browser.context;
    await mkdir(OUTPUT, { recursive: true });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  const open = (path: string, colorScheme: 'light' | 'dark') => openFile({ context, path, colorScheme });

  it('opens a synthetic comparison from disk: every image loads, nothing logs an error', async () => {
    const outDir = await temporaryDirectory();
    const results = await writeSyntheticComparison(outDir);
    const report = await writeReport({ results, outDir });
    for (const colorScheme of ['light', 'dark'] as const) {
      const { page, problems, images } = await open(report, colorScheme);
      expect(images).toHaveLength(8);
      for (const image of images) {
        expect(image.complete, image.alt).toBe(true);
        expect(image.naturalWidth, image.alt).toBeGreaterThan(0);
      }
      expect(problems).toEqual([]);
      expect(await page.locator('svg.chart circle.dot').count()).toBe(4);
      expect(await page.locator('.card.model.failed .error').textContent()).toContain(
        'InsufficientCreditsError',
      );
      // The page fits the viewport's width: nothing forces sideways scrolling.
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1280);
      await page.screenshot({
        path: join(OUTPUT, colorScheme === 'light' ? 'report.png' : 'report-dark.png'),
        fullPage: true,
      });
      await page.close();
    }
  });
  it('shows each measured card with input, output and diff, slides, sorts, and loads nothing from outside', async () => {
    const outDir = await temporaryDirectory();
    const { results } = await runMeasuredComparison(outDir);
    results.prompt = 'Add a moon <script>document.title = "pwned"</script>';
    const report = await writeReport({ results, outDir });
    const page = await context.newPage();
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('request', (request) => requests.push(request.url()));
    const address = pathToFileURL(report).href;
    await page.goto(address, { waitUntil: 'load' });

    // The prompt is text: its script tag shows, and never ran.
    expect(await page.locator('h1.prompt').textContent()).toContain('<script>document.title');
    expect(await page.title()).not.toBe('pwned');
    expect(await page.locator('script').count()).toBe(0);

    const cards = page.locator('.card.model');
    expect(await cards.count()).toBe(results.rows.length);
    for (let index = 0; index < results.rows.length; index++) {
      const card = cards.nth(index);
      const images = await card.locator('.before-after img, .shot.diff img').evaluateAll((elements) =>
        (elements as HTMLImageElement[]).map((element) => ({
          alt: element.alt,
          width: element.naturalWidth,
        })),
      );
      expect(images.map((image) => image.alt.replace(`${results.rows[index]!.label}, `, ''))).toEqual([
        'output 1',
        'input (before)',
        'diff: changed pixels tinted, mask outlined',
      ]);
      for (const image of images) expect(image.width, image.alt).toBeGreaterThan(0);
    }

    // The before/after handle moves: drag the split's corner to the right.
    const split = cards.first().locator('.before');
    const before = (await split.boundingBox())!;
    await page.mouse.move(before.x + before.width - 3, before.y + before.height - 3);
    await page.mouse.down();
    await page.mouse.move(before.x + before.width + 60, before.y + before.height - 3, { steps: 5 });
    await page.mouse.up();
    expect((await split.boundingBox())!.width).toBeGreaterThan(before.width + 30);

    // Sorting by leak puts the model that kept the mask first, in the cards and in the table.
    await page.locator('label[for="sort-leak"]').click();
    const order = await page.locator('.card.model').evaluateAll((elements) =>
      elements
        .map((element) => ({
          id: element.id,
          top: element.getBoundingClientRect().top,
          left: element.getBoundingClientRect().left,
        }))
        .sort((left, right) => left.top - right.top || left.left - right.left)
        .map((entry) => entry.id),
    );
    const lowestLeak = results.rows.reduce(
      (best, row, index) =>
        row.measures!.maskLeak! < results.rows[best]!.measures!.maskLeak! ? index : best,
      0,
    );
    expect(order[0]).toBe(`model-${lowestLeak}`);
    const firstLine = page.locator('tbody.by-leak tr').first();
    expect(await firstLine.isVisible()).toBe(true);
    expect(await firstLine.locator('strong').textContent()).toBe(results.rows[lowestLeak]!.label);
    expect(await page.locator('tbody.by-given').isVisible()).toBe(false);
    expect(await page.locator('svg.chart.similarity circle.dot').count()).toBe(results.rows.length);

    expect(problems).toEqual([]);
    expect(requests.filter((url) => url !== address && !url.startsWith('data:'))).toEqual([]);
    await page.screenshot({ path: join(OUTPUT, 'report-measured.png'), fullPage: true });
    await page.close();
  });
});
