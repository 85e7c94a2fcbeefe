/**
 * The wire mutations the contract check must name, each a small realistic drift of an adapter, of
 * the simulator, or of both at once. `pnpm test:contract-mutations` (scripts/contract-mutations.ts)
 * applies them one at a time, in memory, to the modules the contract's traffic tests load
 * (`contract/traffic/`), and expects each run to fail with the contract's own words naming it.
 *
 * A mutation finds its place by an exact snippet or a pattern, never by a line number; when the code
 * moves and the snippet is gone, the check fails saying which mutation lost its anchor, so the list
 * is moved along with the code.
 */

/** What kind of drift a mutation stands for. */
export type MutationKind =
  | 'rename on one side'
  | 'rename on both sides'
  | 'drop a conversion'
  | 'rewrite a size'
  | 'change a cost key'
  | 'change an error body'
  | 'rename an event'
  | 'send a wrong type';

/** One change to one file. */
export interface MutationEdit {
  /** The file, from the repository root. */
  file: string;
  /** An exact snippet, or a pattern (with the `g` flag, every match is replaced). */
  find: string | RegExp;
  replace: string;
}

/** One mutation: its edits, applied together, and what the contract must say about it. */
export interface Mutation {
  id: string;
  /** Whose traffic it changes: only that provider's traffic tests run (and the adapters' reads). */
  provider: 'oxen' | 'edenai';
  kind: MutationKind;
  description: string;
  edits: readonly MutationEdit[];
  /** Matched against the contract's own failure messages of the run: the contract must name the drift. */
  named: RegExp;
}

const OXEN_PLAN = 'packages/provider-oxen/src/oxen-edit-plan.ts';
const OXEN_WIRE = 'packages/provider-oxen/src/oxen-wire.ts';
const OXEN_SIMULATOR = 'packages/simulator/src/oxen/oxen-simulator.ts';
const OXEN_MODELS_SIMULATED = 'packages/simulator/src/oxen/oxen-models.ts';
const EDEN_MODEL = 'packages/provider-edenai/src/edenai-edit-model.ts';
const EDEN_PLAN = 'packages/provider-edenai/src/edenai-edit-plan.ts';
const EDEN_MODELS = 'packages/provider-edenai/src/edenai-models.ts';
const EDEN_WIRE = 'packages/provider-edenai/src/edenai-wire.ts';
const EDEN_SIMULATOR = 'packages/simulator/src/edenai/edenai-simulator.ts';
const EDEN_MODELS_SIMULATED = 'packages/simulator/src/edenai/edenai-models.ts';

const oxenMutations: Mutation[] = [
  {
    id: 'oxen-input-image-adapter',
    provider: 'oxen',
    kind: 'rename on one side',
    description: "the adapter sends input_image as image (the OpenAPI fragment's name)",
    edits: [
      {
        file: OXEN_PLAN,
        find: '    input_image: plan.inputImageArray ? urls : urls[0],',
        replace: '    image: plan.inputImageArray ? urls : urls[0],',
      },
    ],
    named: /required property 'input_image'/,
  },
  {
    id: 'oxen-input-image-both',
    provider: 'oxen',
    kind: 'rename on both sides',
    description: 'input_image becomes image in the adapter and in the simulator',
    edits: [
      {
        file: OXEN_PLAN,
        find: '    input_image: plan.inputImageArray ? urls : urls[0],',
        replace: '    image: plan.inputImageArray ? urls : urls[0],',
      },
      {
        file: 'packages/simulator/src/oxen/oxen-validation.ts',
        find: '  const value = body.input_image;',
        replace: '  const value = body.image;',
      },
      {
        file: OXEN_MODELS_SIMULATED,
        find: /required: \['prompt', 'input_image'\]/g,
        replace: "required: ['prompt', 'image']",
      },
    ],
    named: /required property 'input_image'/,
  },
  {
    id: 'oxen-mask-url-adapter',
    provider: 'oxen',
    kind: 'rename on one side',
    description: 'the adapter sends the mask as mask instead of mask_url',
    edits: [
      {
        file: OXEN_PLAN,
        find: "parameters.mask_url || !checked ? 'mask_url' : parameters.mask ? 'mask' : undefined;",
        replace: "parameters.mask_url || !checked ? 'mask' : parameters.mask ? 'mask' : undefined;",
      },
    ],
    named: /\/mask is not a field of this body/,
  },
  {
    id: 'oxen-result-url-adapter',
    provider: 'oxen',
    kind: 'rename on one side',
    description: "the adapter reads a job's result as url instead of result_url",
    edits: [
      {
        file: OXEN_WIRE,
        find: '    result_url: z.string().nullable().optional(),',
        replace: '    url: z.string().nullable().optional(),',
      },
    ],
    named: /oxenGenerationStatusSchema reads "url"/,
  },
  {
    id: 'oxen-result-url-both',
    provider: 'oxen',
    kind: 'rename on both sides',
    description: "result_url becomes url in the simulator's queue rows and in the adapter",
    edits: [
      {
        file: OXEN_WIRE,
        find: '    result_url: z.string().nullable().optional(),',
        replace: '    url: z.string().nullable().optional(),',
      },
      {
        file: OXEN_SIMULATOR,
        find: "    result_url: job.status === 'succeeded' ? job.resultUrl : null,\n    error_message: job.status === 'failed' ? job.errorMessage : null,\n    namespace: job.namespace,",
        replace:
          "    url: job.status === 'succeeded' ? job.resultUrl : null,\n    error_message: job.status === 'failed' ? job.errorMessage : null,\n    namespace: job.namespace,",
      },
    ],
    named: /required property 'result_url'/,
  },
  {
    id: 'oxen-cost-simulator',
    provider: 'oxen',
    kind: 'change a cost key',
    description: "the simulator's generation records carry costs instead of cost",
    edits: [{ file: OXEN_SIMULATOR, find: '    cost:\n', replace: '    costs:\n' }],
    named: /required property 'cost'/,
  },
  {
    id: 'oxen-cost-both',
    provider: 'oxen',
    kind: 'change a cost key',
    description: "cost becomes costs in the simulator's generation records and in the adapter",
    edits: [
      { file: OXEN_SIMULATOR, find: '    cost:\n', replace: '    costs:\n' },
      {
        file: OXEN_WIRE,
        find: '      cost: z.union([z.string(), z.number()]).nullable().optional(),',
        replace: '      costs: z.union([z.string(), z.number()]).nullable().optional(),',
      },
    ],
    named: /required property 'cost'/,
  },
  {
    id: 'oxen-price-key-both',
    provider: 'oxen',
    kind: 'change a cost key',
    description:
      "a model's cost_per_image becomes price_per_image in the simulator's catalogue and in the adapter",
    edits: [
      { file: OXEN_MODELS_SIMULATED, find: /cost_per_image: 0/g, replace: 'price_per_image: 0' },
      {
        file: OXEN_WIRE,
        find: '    cost_per_image: numeric.nullable().optional(),',
        replace: '    price_per_image: numeric.nullable().optional(),',
      },
    ],
    named: /"price_per_image"/,
  },
  {
    id: 'oxen-enqueue-id-both',
    provider: 'oxen',
    kind: 'rename on both sides',
    description: "an enqueued generation's generation_id becomes id in the simulator and in the adapter",
    edits: [
      {
        file: OXEN_SIMULATOR,
        find: "          return { generation_id: job.id, status: 'queued' };",
        replace: "          return { id: job.id, status: 'queued' };",
      },
      {
        file: OXEN_WIRE,
        find: '      .array(z.object({ generation_id: z.string().min(1), status: z.string().optional() }))',
        replace: '      .array(z.object({ id: z.string().min(1), status: z.string().optional() }))',
      },
      {
        file: 'packages/provider-oxen/src/oxen-queue.ts',
        find: 'response.data.generations.map((generation) => generation.generation_id)',
        replace: 'response.data.generations.map((generation) => generation.id)',
      },
    ],
    named: /required property 'generation_id'/,
  },
  {
    id: 'oxen-num-generations-type',
    provider: 'oxen',
    kind: 'send a wrong type',
    description: 'the adapter sends num_generations as text, which the simulator refuses',
    edits: [
      {
        file: 'packages/provider-oxen/src/oxen-queue.ts',
        find: '  return { model, prompt, input_image, num_generations: count, ...rest };',
        replace: '  return { model, prompt, input_image, num_generations: String(count), ...rest };',
      },
    ],
    named: /\/num_generations must be integer/,
  },
  {
    id: 'oxen-error-body',
    provider: 'oxen',
    kind: 'change an error body',
    description: "the simulator's main error body names the error's type kind",
    edits: [
      {
        file: 'packages/simulator/src/oxen/oxen-errors.ts',
        find: '      error: { type: options.type, title: options.title, detail: options.detail },',
        replace: '      error: { kind: options.type, title: options.title, detail: options.detail },',
      },
    ],
    named: /not one of the documented error bodies/,
  },
  {
    id: 'oxen-completion-event-simulator',
    provider: 'oxen',
    kind: 'rename an event',
    description: 'the simulator announces completion as media_generation_done',
    edits: [
      {
        file: 'packages/simulator/src/oxen/oxen-events.ts',
        find: "this.#write(stream, 'media_generation_completed', data);",
        replace: "this.#write(stream, 'media_generation_done', data);",
      },
    ],
    named: /"media_generation_done" is not an event of GET \/api\/events/,
  },
  {
    id: 'oxen-completion-event-both',
    provider: 'oxen',
    kind: 'rename an event',
    description: 'the completion event becomes media_generation_done in the simulator and in the adapter',
    edits: [
      {
        file: 'packages/simulator/src/oxen/oxen-events.ts',
        find: "this.#write(stream, 'media_generation_completed', data);",
        replace: "this.#write(stream, 'media_generation_done', data);",
      },
      {
        file: 'packages/provider-oxen/src/oxen-api.ts',
        find: "export const OXEN_COMPLETED_EVENT = 'media_generation_completed';",
        replace: "export const OXEN_COMPLETED_EVENT = 'media_generation_done';",
      },
    ],
    named: /media_generation_done/,
  },
  {
    id: 'oxen-completion-event-adapter',
    provider: 'oxen',
    kind: 'rename an event',
    description: 'the adapter listens for media_generation_done',
    edits: [
      {
        file: 'packages/provider-oxen/src/oxen-api.ts',
        find: "export const OXEN_COMPLETED_EVENT = 'media_generation_completed';",
        replace: "export const OXEN_COMPLETED_EVENT = 'media_generation_done';",
      },
    ],
    named: /listens for event "media_generation_done"/,
  },
  {
    id: 'oxen-completion-payload-simulator',
    provider: 'oxen',
    kind: 'rename on one side',
    description: "the simulator's completion event carries id instead of generation_id",
    edits: [
      {
        file: OXEN_SIMULATOR,
        find: "        events.publishCompleted({\n          generation_id: job.id,\n          status: 'succeeded',",
        replace: "        events.publishCompleted({\n          id: job.id,\n          status: 'succeeded',",
      },
    ],
    named: /media_generation_completed[\s\S]*required property 'generation_id'/,
  },
];

const edenMutations: Mutation[] = [
  {
    id: 'eden-image-url-adapter',
    provider: 'edenai',
    kind: 'rename on one side',
    description: 'the adapter sends an ImageRef as { url } instead of { image_url }',
    edits: [
      {
        file: EDEN_MODEL,
        find: "  if (image.kind === 'url') return { image_url: image.url };",
        replace: "  if (image.kind === 'url') return { url: image.url } as unknown as EdenAIImageRef;",
      },
    ],
    named: /\/images\/0 must NOT have additional properties "url"/,
  },
  {
    id: 'eden-images-both',
    provider: 'edenai',
    kind: 'rename on both sides',
    description: "the JSON body's images become image_refs in the adapter and in the simulator",
    edits: [
      {
        file: EDEN_PLAN,
        find: '    prompt: request.prompt,\n    images,\n',
        replace: '    prompt: request.prompt,\n    image_refs: images,\n',
      },
      {
        file: 'packages/simulator/src/edenai/edenai-validation.ts',
        find: /body\.images/g,
        replace: 'body.image_refs',
      },
      {
        file: EDEN_SIMULATOR,
        find: 'json.images as Record<string, unknown>[]',
        replace: 'json.image_refs as Record<string, unknown>[]',
      },
    ],
    named: /required property 'images'/,
  },
  {
    id: 'eden-image-part-adapter',
    provider: 'edenai',
    kind: 'rename on one side',
    description: 'the adapter names its multipart image parts image instead of image[]',
    edits: [
      {
        file: EDEN_MODEL,
        find: "form.append(slot.role === 'mask' ? 'mask' : 'image[]',",
        replace: "form.append(slot.role === 'mask' ? 'mask' : 'image',",
      },
    ],
    named: /required property 'image\[\]'/,
  },
  {
    id: 'eden-expires-in-both',
    provider: 'edenai',
    kind: 'rename on both sides',
    description: "the upload form's expires_in_days becomes expires_in in the adapter and in the simulator",
    edits: [
      {
        file: 'packages/provider-edenai/src/edenai-upload.ts',
        find: "form.append('expires_in_days', String(UPLOAD_EXPIRES_IN_DAYS));",
        replace: "form.append('expires_in', String(UPLOAD_EXPIRES_IN_DAYS));",
      },
      {
        file: EDEN_SIMULATOR,
        find: 'const rawDays = body.value.fields.expires_in_days;',
        replace: 'const rawDays = body.value.fields.expires_in;',
      },
    ],
    named: /additional properties "expires_in"/,
  },
  {
    id: 'eden-mask-conversion',
    provider: 'edenai',
    kind: 'drop a conversion',
    description: 'the neutral mask (white = edit) is sent without its conversion to transparent = edit',
    edits: [
      {
        file: EDEN_MODEL,
        find: '  await convertEdenAIMaskSlot({',
        replace: '  await (async (_skipped: unknown) => {})({',
      },
    ],
    named: /png-data-url-with-alpha|\/mask\/alpha must be equal to constant|required property 'alpha'/,
  },
  {
    id: 'eden-http-download',
    provider: 'edenai',
    kind: 'drop a conversion',
    description: 'an http:// image URL is sent to Eden as it is instead of downloaded',
    edits: [
      {
        file: EDEN_MODEL,
        find: '  await fetchRemoteInputs({',
        replace: '  await (async (_skipped: unknown) => {})({',
      },
    ],
    named: /image_url must match pattern/,
  },
  {
    id: 'eden-object-options-multipart',
    provider: 'edenai',
    kind: 'drop a conversion',
    description: 'object options go as JSON text in a multipart body instead of switching to JSON',
    edits: [
      {
        file: EDEN_PLAN,
        find: "  if (transport === 'auto') return { fields, transport: 'json' };",
        replace: "  if (transport === 'auto') return { fields, transport };",
      },
      {
        file: EDEN_PLAN,
        find: "    if (value === null || value === undefined || typeof value === 'object') continue;\n    fields.push([key, String(value)]);",
        replace:
          "    if (value === null || value === undefined) continue;\n    fields.push([key, typeof value === 'object' ? JSON.stringify(value) : String(value)]);",
      },
    ],
    named: /additional properties "metadata"/,
  },
  {
    id: 'eden-gemini-size',
    provider: 'edenai',
    kind: 'rewrite a size',
    description: 'a Gemini aspect ratio is sent as a ratio in size',
    edits: [{ file: EDEN_MODELS, find: "  '16:9': '1344x768',", replace: "  '16:9': '16:9'," }],
    named: /\/size must match pattern/,
  },
  {
    id: 'eden-gpt-image-size',
    provider: 'edenai',
    kind: 'rewrite a size',
    description: "gpt-image's 3:2 becomes a size OpenAI does not take",
    edits: [
      {
        file: EDEN_MODELS,
        find: "sizes: { '1:1': '1024x1024', '3:2': '1536x1024', '2:3': '1024x1536' },",
        replace: "sizes: { '1:1': '1024x1024', '3:2': '1536x1000', '2:3': '1024x1536' },",
      },
    ],
    named: /\/size must be equal to one of the allowed values/,
  },
  {
    id: 'eden-cost-simulator',
    provider: 'edenai',
    kind: 'change a cost key',
    description: "the simulator's edit answer carries costs instead of cost",
    edits: [
      {
        file: EDEN_SIMULATOR,
        find: '        cost,\n        provider: model.provider,',
        replace: '        costs: cost,\n        provider: model.provider,',
      },
    ],
    named: /required property 'cost'/,
  },
  {
    id: 'eden-cost-both',
    provider: 'edenai',
    kind: 'change a cost key',
    description: "cost becomes costs in the simulator's edit answer and in the adapter",
    edits: [
      {
        file: EDEN_SIMULATOR,
        find: '        cost,\n        provider: model.provider,',
        replace: '        costs: cost,\n        provider: model.provider,',
      },
      {
        file: EDEN_WIRE,
        find: '    cost: z.number().nullish(),',
        replace: '    costs: z.number().nullish(),',
      },
    ],
    named: /required property 'cost'/,
  },
  {
    id: 'eden-price-key-both',
    provider: 'edenai',
    kind: 'change a cost key',
    description:
      "the catalogue's output_cost_per_image becomes image_price in the simulator and in the adapter",
    edits: [
      { file: EDEN_MODELS_SIMULATED, find: /output_cost_per_image: 0/g, replace: 'image_price: 0' },
      { file: EDEN_MODELS, find: "  'output_cost_per_image',\n", replace: "  'image_price',\n" },
    ],
    named: /image_price/,
  },
  {
    id: 'eden-modalities-both',
    provider: 'edenai',
    kind: 'rename on both sides',
    description: "the catalogue's input_modalities becomes input_modes in the simulator and in the adapter",
    edits: [
      {
        file: EDEN_MODELS_SIMULATED,
        find: '      input_modalities: model.inputModalities,',
        replace: '      input_modes: model.inputModalities,',
      },
      {
        file: EDEN_MODELS,
        find: 'const { input_modalities: input, output_modalities: output }',
        replace: 'const { input_modes: input, output_modalities: output }',
      },
      {
        file: EDEN_WIRE,
        find: '    input_modalities: z.array(z.string()).optional().catch(undefined),',
        replace: '    input_modes: z.array(z.string()).optional().catch(undefined),',
      },
    ],
    named: /required property 'input_modalities'/,
  },
  {
    id: 'eden-validation-error-body',
    provider: 'edenai',
    kind: 'change an error body',
    description: "the simulator's 422 body lists its problems under errors instead of detail",
    edits: [
      {
        file: 'packages/simulator/src/edenai/edenai-errors.ts',
        find: '  return { status: 422, json: { detail } };',
        replace: '  return { status: 422, json: { errors: detail } };',
      },
    ],
    named: /not one of the documented error bodies/,
  },
  {
    id: 'eden-n-type',
    provider: 'edenai',
    kind: 'send a wrong type',
    description: 'the adapter sends n as text in a JSON body, which the simulator refuses',
    edits: [
      {
        file: EDEN_PLAN,
        find: '    ...(plan.n !== undefined ? { n: plan.n } : {}),',
        replace: '    ...(plan.n !== undefined ? { n: String(plan.n) } : {}),',
      },
    ],
    named: /\/n must be integer/,
  },
];

/** Every mutation the contract check must name. */
export const MUTATIONS: readonly Mutation[] = [...oxenMutations, ...edenMutations];
