/**
 * The contract of Oxen's `GET /api/events` stream. No OpenAPI document describes it: it is written
 * from Oxen's prose, the async queue reference's completion events and the model pages' "Async with
 * SSE" examples (e.g. `gpt-image-2-edit`, which filter on `event: media_generation_completed` and
 * read `generation_id` out of the data line).
 */
import { ASSUMED, type Schema } from './openapi.ts';

const UNRELATED =
  'the docs: "the stream is per user and carries unrelated event types (deployment events, ...): filter on the event: line"; the name is the one the simulator gives them';

/** The events Retouch knows on `GET /api/events`, by name, with the JSON schema of each data line. */
export function oxenEventsContract(): Schema {
  return {
    $comment:
      "Written by contract/derive.ts from Oxen's prose documentation of GET /api/events (the async queue reference's completion events, the model pages' \"Async with SSE\" examples), as summarised in provider-apis.md: there is no OpenAPI document for the stream. An event name not listed here is a departure: the stream carries unrelated events, so the simulator's stand-ins for them are listed, flagged x-retouch-assumed.",
    source: {
      document:
        'Oxen docs: async queue reference (completion events) and the model pages\' "Async with SSE" examples',
      version: '2026-08',
    },
    route: 'GET /api/events',
    contentType: 'text/event-stream',
    events: {
      media_generation_completed: {
        $comment:
          'Once per job, on success or failure; no event for a cancelled job. Payloads as the docs show them: {"generation_id","status":"succeeded","media_type":"image","model","url"} and {"generation_id","status":"failed","media_type":"image","error"}. Retouch reads generation_id, status, url and error.',
        type: 'object',
        required: ['generation_id', 'status', 'media_type'],
        properties: {
          generation_id: { type: 'string', minLength: 1 },
          status: { enum: ['succeeded', 'failed'] },
          media_type: { enum: ['image', 'video'] },
          model: { type: 'string' },
          url: { type: 'string', minLength: 1 },
          error: { type: 'string' },
        },
        oneOf: [
          { properties: { status: { const: 'succeeded' } }, required: ['url'] },
          { properties: { status: { const: 'failed' } }, required: ['error'] },
        ],
      },
      deployment_status: { type: 'object', [ASSUMED]: UNRELATED },
      media_generation_progress: { type: 'object', [ASSUMED]: UNRELATED },
    },
  };
}
