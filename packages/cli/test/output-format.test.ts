import { type OxenSimulator, startOxenSimulator } from '@retouch/simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCommandLine } from '../src/args/parse-command-line.ts';
import { SAMPLE_IMAGE_PATH } from '../src/sample.ts';
import { run } from './support/io.ts';

let oxen: OxenSimulator;
beforeAll(async () => {
  oxen = await startOxenSimulator({ jobSchedule: { queuedMs: 0, processingMs: 0 } });
});
afterAll(() => oxen.close());

const edit = (format: string) => [
  'edit',
  '-m',
  'oxen:gpt-image-2',
  '-p',
  'Make it night',
  '-i',
  SAMPLE_IMAGE_PATH,
  '--output-format',
  format,
];

describe('--output-format', () => {
  it('takes jpg for jpeg, and providers are sent jpeg', async () => {
    expect(parseCommandLine(edit('jpg'))).toMatchObject({
      command: 'edit',
      options: { outputFormat: 'jpeg' },
    });
    oxen.clearRequests();
    const result = await run([...edit('jpg'), '--json'], {
      env: { OXEN_API_KEY: oxen.apiKey, OXEN_BASE_URL: oxen.url },
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const sent = oxen.requests.filter((request) => request.billable);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.body).toMatchObject({ model: 'gpt-image-2', output_format: 'jpeg' });
  });

  it('refuses other names with the list, jpg included, and exit code 2', async () => {
    const result = await run(edit('gif'));
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')[0]).toBe(
      'error: --output-format must be one of png, jpeg, webp (or jpg), not "gif"',
    );
  });
});
