/**
 * Headless Chromium for the report tests: Debian's `/usr/bin/chromium` driven by playwright-core, never
 * a downloaded browser. Where it is missing, tests skip with the reason on a workstation and fail under
 * CI (`.ci/run` installs it).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

/** Where Debian installs Chromium. */
export const CHROMIUM = '/usr/bin/chromium';

const available = existsSync(CHROMIUM);

/** Whether the browser tests run: always under CI, where a missing browser is a failure, never a silent skip. */
export const chromiumTestsRun: boolean = available || Boolean(process.env.CI);
if (!chromiumTestsRun) {
  console.warn(
    `report browser test skipped: ${CHROMIUM} not found (apt-get install chromium); CI fails instead`,
  );
}

/** A running headless Chromium with its own throwaway profile. */
export interface HeadlessChromium {
  readonly context: BrowserContext;
  /** Closes the browser and removes its profile. */
  close(): Promise<void>;
}

/** Starts headless Chromium with no network services of its own (no sync, updates or QUIC). */
export async function startChromium(): Promise<HeadlessChromium> {
  if (!available)
    throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)`);
  const profile = await mkdtemp(join(tmpdir(), 'retouch-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1280, height: 900 },
  });
  return {
    context,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** A file opened in a page, with every console error or warning, page error and failed request it caused. */
export interface OpenedFile {
  readonly page: Page;
  readonly problems: string[];
  readonly images: { alt: string; complete: boolean; naturalWidth: number }[];
}

/** Opens a local file in a new page with the given colour scheme and lists its images once it has loaded. */
export async function openFile(options: {
  readonly context: BrowserContext;
  readonly path: string;
  readonly colorScheme: 'light' | 'dark';
}): Promise<OpenedFile> {
  const page = await options.context.newPage();
  await page.emulateMedia({ colorScheme: options.colorScheme });
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning')
      problems.push(`console ${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) => problems.push(`request failed: ${request.url().slice(0, 80)}`));
  await page.goto(pathToFileURL(options.path).href, { waitUntil: 'load' });
  const images = await page.$$eval('img', (elements) =>
    elements.map((element) => ({
      alt: element.alt,
      complete: element.complete,
      naturalWidth: element.naturalWidth,
    })),
  );
  return { page, problems, images };
}
