import type { Mutation } from './mutation.ts';

const EDEN_MODEL = 'packages/provider-edenai/src/edenai-edit-model.ts';
const EDEN_PLAN = 'packages/provider-edenai/src/edenai-edit-plan.ts';
const EDEN_MODELS = 'packages/provider-edenai/src/edenai-models.ts';
const EDEN_WIRE = 'packages/provider-edenai/src/edenai-wire.ts';
const EDEN_MODELS_SIMULATED = 'packages/simulator/src/edenai/edenai-models.ts';
const EDEN_EDIT_ROUTES = 'packages/simulator/src/edenai/edenai-edit-routes.ts';
const EDEN_UPLOAD_ROUTES = 'packages/simulator/src/edenai/edenai-upload-routes.ts';

/** Drifts of the Eden AI adapter, of Eden's simulator, or of both at once. */
export const EDENAI_MUTATIONS: readonly Mutation[] = [
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
        file: EDEN_EDIT_ROUTES,
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
        file: EDEN_UPLOAD_ROUTES,
        find: 'const daysText = lastValue(body.value.fields.expires_in_days);',
        replace: 'const daysText = lastValue(body.value.fields.expires_in);',
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
        file: EDEN_EDIT_ROUTES,
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
        file: EDEN_EDIT_ROUTES,
        find: '        cost,\n        provider: model.provider,',
        replace: '        costs: cost,\n        provider: model.provider,',
      },
      {
        file: EDEN_WIRE,
        find: '    cost: z.nullish(z.number()),',
        replace: '    costs: z.nullish(z.number()),',
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
        find: '    input_modalities: z.catch(z.optional(z.array(z.string())), undefined),',
        replace: '    input_modes: z.catch(z.optional(z.array(z.string())), undefined),',
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
