import type { SimulatorStreamEvent } from '@retouch/simulator';
import { describeErrors, type Schema, strictJson, validator } from './contract-schemas.ts';
import events from './schemas/oxen-events.json' with { type: 'json' };

/*
 * Checks each event a simulator streams on Oxen's `GET /api/events` against the stream's contract
 * (`schemas/oxen-events.json`, written from Oxen's prose documentation): its name must be one the
 * contract knows, its data line the JSON of that event's schema. A renamed completion event would
 * otherwise show only as slow results, since a client that hears nothing falls back to polling.
 */

interface EventsContract {
  route: string;
  source: { document: string; version: string };
  events: Record<string, Schema>;
}

const contract = events as unknown as EventsContract;

/** One streamed event that departs from the stream's contract. */
export interface StreamViolation {
  /** `GET /api/events` */
  route: string;
  /** The event's name, as written. */
  event: string;
  /** What is wrong, one line per problem. */
  problems: string[];
}

/** The event names the stream's contract knows, documented first. */
export function knownEventNames(): string[] {
  return Object.keys(contract.events);
}

/** The event names Oxen documents (those the contract does not flag as assumed). */
export function documentedEventNames(): string[] {
  return Object.entries(contract.events)
    .filter(([, schema]) => !('x-retouch-assumed' in schema))
    .map(([name]) => name);
}

/** The schema of one event's data, or `undefined` for a name the contract does not know. */
export function eventSchema(name: string): Schema | undefined {
  return Object.hasOwn(contract.events, name) ? contract.events[name] : undefined;
}

/** How one streamed event departs from the stream's contract (empty when it does not). */
export function checkStreamEvent(streamed: SimulatorStreamEvent): StreamViolation[] {
  if (streamed.route !== contract.route) return [];
  const fail = (problems: string[]): StreamViolation[] => [
    { route: streamed.route, event: streamed.event, problems },
  ];
  const schema = eventSchema(streamed.event);
  if (!schema) {
    return fail([
      `"${streamed.event}" is not an event of ${contract.route}: Oxen documents ${documentedEventNames()
        .map((name) => `"${name}"`)
        .join(', ')} (the contract also knows ${knownEventNames()
        .filter((name) => !documentedEventNames().includes(name))
        .map((name) => `"${name}"`)
        .join(', ')}); a client filtering on the documented name never hears this one`,
    ]);
  }
  let data: unknown;
  try {
    data = JSON.parse(streamed.data);
  } catch {
    return fail([`the data line is not JSON: ${streamed.data.slice(0, 200)}`]);
  }
  const validate = validator(schema, strictJson);
  return validate(data) ? [] : fail(describeErrors(validate.errors));
}

/** The heading of every account of stream violations. */
export const STREAM_HEADING =
  'The Oxen event stream departs from its documented contract (contract/schemas/oxen-events.json):';

/** A readable account of stream violations, naming each event and the source of the contract. */
export function formatStreamViolations(violations: readonly StreamViolation[]): string {
  const lines = violations.map(
    (violation) =>
      `- ${violation.route} event "${violation.event}" (${contract.source.document}, ${contract.source.version}):\n    ${violation.problems.join('\n    ')}`,
  );
  return `${STREAM_HEADING}\n${lines.join('\n')}`;
}
