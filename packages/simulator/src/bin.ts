#!/usr/bin/env node
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startEdenAISimulator } from './edenai/edenai-simulator.ts';
import { startOpenAISimulator } from './openai/openai-simulator.ts';
import { startOxenSimulator } from './oxen/oxen-simulator.ts';
import { BILLING_PATH } from './shared/simulator-server.ts';

const usage = `Usage: retouch-simulator [options]

Starts the Oxen.ai, Eden AI and OpenAI image-edit simulators on fixed ports until interrupted (Ctrl+C).

Options:
  --oxen-port <port>     Oxen simulator port (default 4010)
  --edenai-port <port>   Eden AI simulator port (default 4020)
  --openai-port <port>   OpenAI simulator port (default 4030)
  --host <host>          Interface to listen on (default 127.0.0.1)
  --oxen-key <key>       Bearer token the Oxen simulator accepts (default sim-oxen-key)
  --edenai-key <key>     Bearer token the Eden AI simulator accepts (default sim-edenai-key)
  --openai-key <key>     Bearer token the OpenAI simulator accepts (default sim-openai-key)
  --job-ms <ms>          How long an Oxen queued job runs (default 2000)
  --no-rate-limit        Turn off Eden AI's 10 requests/s limit
  --remote-images <p>    generate | forbid | fetch: what to do with input URLs on other hosts (default generate)
  --state <dir>          Keep accepted jobs, result files and the bill in <dir>: started again on
                         the same directory, it finishes the jobs it had accepted, so a client that
                         crashed can resume them (default: in memory, lost on exit)
  -h, --help             Show this help
`;

function port(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65535) {
    throw new Error(`Invalid port "${value}": use an integer from 0 to 65535.`);
  }
  return parsed;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'oxen-port': { type: 'string' },
      'edenai-port': { type: 'string' },
      'openai-port': { type: 'string' },
      host: { type: 'string', default: '127.0.0.1' },
      'oxen-key': { type: 'string', default: 'sim-oxen-key' },
      'edenai-key': { type: 'string', default: 'sim-edenai-key' },
      'openai-key': { type: 'string', default: 'sim-openai-key' },
      'job-ms': { type: 'string', default: '2000' },
      'no-rate-limit': { type: 'boolean', default: false },
      'remote-images': { type: 'string', default: 'generate' },
      state: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(usage);
    return;
  }
  const remoteImages = values['remote-images'];
  if (remoteImages !== 'generate' && remoteImages !== 'forbid' && remoteImages !== 'fetch') {
    throw new Error(`Invalid --remote-images "${remoteImages}": use generate, forbid or fetch.`);
  }
  const state = values.state ? resolve(values.state) : undefined;
  const jobMs = Number(values['job-ms']);
  if (!Number.isFinite(jobMs) || jobMs < 0) throw new Error(`Invalid --job-ms "${values['job-ms']}".`);
  const oxen = await startOxenSimulator({
    port: port(values['oxen-port'], 4010),
    host: values.host,
    apiKey: values['oxen-key'],
    jobSchedule: { queuedMs: 500, processingMs: jobMs },
    remoteImages,
    ...(state ? { stateDirectory: state } : {}),
  });
  const edenai = await startEdenAISimulator({
    port: port(values['edenai-port'], 4020),
    host: values.host,
    apiKey: values['edenai-key'],
    remoteImages,
    ...(state ? { stateDirectory: state } : {}),
    ...(values['no-rate-limit'] ? { rateLimit: false as const } : {}),
  });
  const openai = await startOpenAISimulator({
    port: port(values['openai-port'], 4030),
    host: values.host,
    apiKey: values['openai-key'],
  });
  process.stdout.write(
    [
      'Retouch simulators running:',
      `  Oxen.ai  ${oxen.url}  key: ${oxen.apiKey}`,
      `  Eden AI  ${edenai.url}  key: ${edenai.apiKey}`,
      `  OpenAI   ${openai.url}  key: ${openai.apiKey}`,
      ...(state ? [`  State kept in ${state}`] : []),
      '',
      'Point the retouch CLI at them (keep --simulate off):',
      `  export OXEN_API_KEY=${oxen.apiKey} OXEN_BASE_URL=${oxen.url}`,
      `  export EDENAI_API_KEY=${edenai.apiKey} EDENAI_BASE_URL=${edenai.url}`,
      '',
      'Or an app:',
      `  createOxen({ apiKey: '${oxen.apiKey}', baseURL: '${oxen.url}' }), createEdenAI({ apiKey: '${edenai.apiKey}', baseURL: '${edenai.url}' })`,
      `  createOpenAI({ apiKey: '${openai.apiKey}', baseURL: '${openai.url}/v1' }) from @ai-sdk/openai`,
      `What they billed: GET ${oxen.url}${BILLING_PATH} (and ${edenai.url}, ${openai.url}); shown again on exit.`,
      'Press Ctrl+C to stop.',
      '',
    ].join('\n'),
  );
  const stop = () => {
    const bills = [
      ['Oxen.ai', oxen.billing],
      ['Eden AI', edenai.billing],
      ['OpenAI ', openai.billing],
    ] as const;
    process.stdout.write(
      [
        'Stopping. Billed:',
        ...bills.map(
          ([name, bill]) =>
            `  ${name}  ${bill.billableRequests} billable request${bill.billableRequests === 1 ? '' : 's'}, $${bill.billedUsd.toFixed(4)}`,
        ),
        '',
      ].join('\n'),
    );
    void Promise.all([oxen.close(), edenai.close(), openai.close()]).then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`retouch-simulator: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
