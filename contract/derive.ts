/**
 * Derives the trimmed JSON Schemas of `contract/schemas/` from the providers' published OpenAPI
 * documents, for the operations Retouch uses, and adds what those documents leave to prose (each
 * addition says where it comes from; `contract/derive/` holds each provider's part). Tests never
 * run this: they read the derived files, which are committed. Run it again when a provider
 * publishes a new document:
 *
 *   node contract/derive.ts <folder holding edenai-v3-openapi.json and oxen-hub-openapi.json>
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { edenaiContract } from './derive/edenai.ts';
import type { Schema } from './derive/openapi.ts';
import { oxenContract } from './derive/oxen.ts';
import { oxenEventsContract } from './derive/oxen-events.ts';

const folder = process.argv[2];
if (!folder) {
  console.error(
    'usage: node contract/derive.ts <folder with edenai-v3-openapi.json and oxen-hub-openapi.json>',
  );
  process.exit(2);
}

const read = (name: string): Schema => JSON.parse(readFileSync(join(folder, name), 'utf8')) as Schema;
const write = (name: string, schema: Schema): void => {
  writeFileSync(new URL(`./schemas/${name}`, import.meta.url), `${JSON.stringify(schema, null, 2)}\n`);
};

write('edenai-v3.json', edenaiContract(read('edenai-v3-openapi.json')));
write('oxen-hub.json', oxenContract(read('oxen-hub-openapi.json')));
write('oxen-events.json', oxenEventsContract());
console.log(
  'wrote contract/schemas/edenai-v3.json, contract/schemas/oxen-hub.json and contract/schemas/oxen-events.json',
);
