/**
 * Resume a paid-for edit after a restart. The first run submits the edit, saves the job to a file
 * as soon as the provider has accepted it, and exits without waiting; the next run re-attaches to
 * the same provider job and collects its result. Nothing is submitted, or paid for, twice.
 *
 * Run it twice against local simulators (no keys, no network):
 *   npx pnpm@10 example resume-after-restart resume-after-restart
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { createRetouch } from '@retouch/core';
import { createOxen } from '@retouch/provider-oxen';

const jobFile = '.retouch-out/resume-job.json';
const oxen = createOxen({ baseURL: process.env.OXEN_BASE_URL });
const retouch = createRetouch({ providers: [oxen] });

const saved = await readFile(jobFile, 'utf8').catch(() => undefined);
if (saved === undefined) {
  // First run: submit resolves once Oxen has queued the job, so the snapshot holds its id.
  const job = await retouch.submit({
    model: 'oxen:qwen-image-edit',
    prompt: 'Add snow on the hill',
    images: [{ path: fileURLToPath(new URL('./assets/photo.png', import.meta.url)) }],
  });
  await mkdir('.retouch-out', { recursive: true });
  await writeFile(jobFile, JSON.stringify(job));
  console.log(`submitted job ${job.id} (Oxen job ${job.providerJobId}), saved to ${jobFile}`);
  // close() leaves submitted jobs running on the provider: this process stops, the work goes on.
  await retouch.close();
  console.log('exiting before the edit finishes; run again to collect it');
} else {
  // A later run, possibly another process on another machine: re-attach and wait.
  const job = await retouch.resume(JSON.parse(saved));
  console.log(`resumed job ${job.id} (Oxen job ${job.providerJobId}), ${job.status}`);
  const result = await job.result();
  console.log(`${result.model}: ${result.images.length} image, $${result.cost?.usd.toFixed(4)}`);
  await rm(jobFile);
  await retouch.close();
}
