import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  chromiumTestsRun,
  type HeadlessChromium,
  openFile,
  startChromium,
} from '../../../scripts/lib/chromium.ts';
import { run, temporaryDirectory } from './support/io.ts';

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

  it('opens the report the demo writes', async () => {
    const cwd = await temporaryDirectory();
    const result = await run(['demo', '--repeat', '1', '--out', 'demo'], { cwd });
    expect(result.code).toBe(0);
    const { page, problems, images } = await open(join(cwd, 'demo', 'report.html'), 'light');
    // The input, then each of the five models' output, the input beside it (before/after) and its diff.
    expect(images.length).toBe(1 + 5 * 3);
    for (const image of images) expect(image.naturalWidth, image.alt).toBeGreaterThan(0);
    expect(problems).toEqual([]);
    await page.screenshot({ path: join(OUTPUT, 'report-demo.png'), fullPage: true });
    await page.close();
  });
});
