import type { Mutation } from './mutation.ts';

const OXEN_PLAN = 'packages/provider-oxen/src/oxen-edit-plan.ts';
const OXEN_WIRE = 'packages/provider-oxen/src/oxen-wire.ts';
const OXEN_MODELS_SIMULATED = 'packages/simulator/src/oxen/oxen-models.ts';
const OXEN_QUEUE_ROUTES = 'packages/simulator/src/oxen/oxen-queue-routes.ts';
const OXEN_GENERATION_ROUTES = 'packages/simulator/src/oxen/oxen-generation-routes.ts';
const OXEN_JOB_RUNNER = 'packages/simulator/src/oxen/oxen-job-runner.ts';

/** Drifts of the Oxen adapter, of Oxen's simulator, or of both at once. */
export const OXEN_MUTATIONS: readonly Mutation[] = [
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
        find: '    status: oxenJobStatusSchema,\n    result_url: z.optional(z.nullable(z.string())),',
        replace: '    status: oxenJobStatusSchema,\n    url: z.optional(z.nullable(z.string())),',
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
        find: '    status: oxenJobStatusSchema,\n    result_url: z.optional(z.nullable(z.string())),',
        replace: '    status: oxenJobStatusSchema,\n    url: z.optional(z.nullable(z.string())),',
      },
      {
        file: OXEN_QUEUE_ROUTES,
        find: "    result_url: job.status === 'succeeded' ? job.resultUrl : null,\n    error_message: job.status === 'failed' ? job.errorMessage : null,\n    namespace: job.namespace,",
        replace:
          "    url: job.status === 'succeeded' ? job.resultUrl : null,\n    error_message: job.status === 'failed' ? job.errorMessage : null,\n    namespace: job.namespace,",
      },
    ],
    named: /required property 'result_url'/,
  },
  {
    id: 'oxen-history-pages-both',
    provider: 'oxen',
    kind: 'rename on both sides',
    description: "total_pages becomes pages in the simulator's generation history and in the adapter",
    edits: [
      {
        file: OXEN_GENERATION_ROUTES,
        find: '          total_pages: Math.max(',
        replace: '          pages: Math.max(',
      },
      {
        file: OXEN_WIRE,
        find: '    total_pages: z.int().check(z.nonnegative()),',
        replace: '    pages: z.int().check(z.nonnegative()),',
      },
    ],
    named: /required property 'total_pages'/,
  },
  {
    id: 'oxen-cost-simulator',
    provider: 'oxen',
    kind: 'change a cost key',
    description: "the simulator's generation records carry costs instead of cost",
    edits: [{ file: OXEN_GENERATION_ROUTES, find: '    cost: charged', replace: '    costs: charged' }],
    named: /required property 'cost'/,
  },
  {
    id: 'oxen-cost-both',
    provider: 'oxen',
    kind: 'change a cost key',
    description: "cost becomes costs in the simulator's generation records and in the adapter",
    edits: [
      { file: OXEN_GENERATION_ROUTES, find: '    cost: charged', replace: '    costs: charged' },
      {
        file: OXEN_WIRE,
        find: '      cost: z.optional(z.nullable(z.union([z.string(), z.number()]))),',
        replace: '      costs: z.optional(z.nullable(z.union([z.string(), z.number()]))),',
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
        find: '    cost_per_image: z.optional(z.nullable(numeric)),',
        replace: '    price_per_image: z.optional(z.nullable(numeric)),',
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
        file: OXEN_QUEUE_ROUTES,
        find: "        return { generation_id: job.id, status: 'queued' };",
        replace: "        return { id: job.id, status: 'queued' };",
      },
      {
        file: OXEN_WIRE,
        find: '      .array(z.object({ generation_id: z.string().check(z.minLength(1)), status: z.optional(z.string()) }))',
        replace:
          '      .array(z.object({ id: z.string().check(z.minLength(1)), status: z.optional(z.string()) }))',
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
        file: 'packages/simulator/src/oxen/oxen-event-stream.ts',
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
        file: 'packages/simulator/src/oxen/oxen-event-stream.ts',
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
        file: OXEN_JOB_RUNNER,
        find: "        events.publishCompleted({\n          generation_id: job.id,\n          status: 'succeeded',",
        replace: "        events.publishCompleted({\n          id: job.id,\n          status: 'succeeded',",
      },
    ],
    named: /media_generation_completed[\s\S]*required property 'generation_id'/,
  },
];
