import type { RecordedMultipartBody, SimulatorExchange } from '@retouch/simulator';
import {
  describeErrors,
  formFields,
  type Operation,
  type ProviderContract,
  providers,
  strictJson,
  validator,
} from './contract-schemas.ts';
import { formObject } from './exchange-body.ts';

/*
 * Checks the simulators' traffic against the providers' published specs (the trimmed schemas in
 * `schemas/`, derived from Eden AI's and Oxen's OpenAPI documents by `derive.ts`): the body of every
 * request, against the request schema of its operation, and every answer, against the schema of its
 * status. The simulators and the adapters are written from the same reading of the docs; this is the
 * check that does not share it.
 */

/**
 * Routes a simulator serves that no published schema covers, and why they are not checked. Any
 * other route without a schema is a violation: an adapter that starts calling a new endpoint must
 * bring its schema along.
 */
export const UNCHECKED_ROUTES: Readonly<Record<string, string>> = {
  'GET /files/{id}': "the simulators' stand-in for presigned result URLs: an object store's, not an API's",
  'GET /api/events':
    "Oxen's Server-Sent Events stream: a stream, not an answer; each of its events is checked as it is written, against schemas/oxen-events.json (event-stream.ts)",
  'POST /v1/images/edits':
    "the OpenAI-shaped endpoint the AI SDK bridge is tested against: OpenAI's OpenAPI document is not among the published specs this suite derives from (Eden AI's and Oxen's); the simulator's own tests check it against OpenAI's API reference",
};

/**
 * The request header by which a test says it sends an off-spec request on purpose, to see what the
 * simulator does with it; its value says why. Such a request's body is not checked (its answer is).
 */
export const OFF_SPEC_HEADER = 'x-retouch-off-spec';

/** One place where traffic and spec disagree. */
export interface ContractViolation {
  /** `POST /v3/images/edits` */
  operation: string;
  /** The request or the answer (with its status). */
  side: 'request' | `response ${number}`;
  /** What the schema says is wrong, one line per problem. */
  problems: string[];
  /**
   * Set on what was learned from a request the simulator refused (4xx): a test may send an off-spec
   * request on purpose to see it refused, so these are reported with the failure of the test that
   * sent it, where they name why it failed.
   */
  refused?: true;
}

interface Matched {
  provider: ProviderContract;
  key: string;
  operation: Operation;
}

function templateMatches(template: string, method: string, path: string): boolean {
  const [templateMethod, templatePath] = template.split(' ') as [string, string];
  if (templateMethod !== method) return false;
  const pattern = new RegExp(`^${templatePath.replace(/\{[^}]+\}/g, '[^/]+')}$`);
  return pattern.test(path);
}

/** The published operation a request went to, by method and path (templates such as `{generation_id}`). */
export function matchOperation(method: string, path: string): Matched | undefined {
  for (const provider of providers) {
    for (const [key, operation] of Object.entries(provider.operations)) {
      if (templateMatches(key, method, path)) return { provider, key, operation };
    }
  }
  return undefined;
}

/** Every operation the contract holds, as `METHOD /path/{param}`, with whether it has a request schema. */
export function contractOperations(): {
  key: string;
  provider: string;
  request: boolean;
  responses: string[];
}[] {
  return providers.flatMap((provider) =>
    Object.entries(provider.operations).map(([key, operation]) => ({
      key,
      provider: provider.name,
      request: operation.request !== undefined,
      responses: Object.keys(operation.responses),
    })),
  );
}

function routeTemplate(method: string, path: string): string {
  if (/^\/files\/[^/]+$/.test(path)) return `${method} /files/{id}`;
  return `${method} ${path}`;
}

/** How the request's body departs from its operation's schema; `undefined` when there is nothing to check. */
function requestProblems(exchange: SimulatorExchange, matched: Matched): string[] | undefined {
  const { request } = exchange;
  if (!matched.operation.request || request.body === undefined) return undefined;
  if (request.headers[OFF_SPEC_HEADER] !== undefined) return undefined;
  const contentType = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  const schema = matched.operation.request[contentType];
  if (!schema) {
    return [
      `${contentType || 'no content type'} is not a documented body of ${matched.key}: ${Object.keys(matched.operation.request).join(' or ')}`,
    ];
  }
  const multipart = contentType === 'multipart/form-data';
  if (multipart && (typeof request.body !== 'object' || !('files' in (request.body as object)))) {
    return ['the multipart body could not be read'];
  }
  const validate = validator(schema, multipart ? formFields : strictJson);
  // A copy: ajv must not see (or change) the recording itself.
  const body = multipart ? formObject(request.body as RecordedMultipartBody) : structuredClone(request.body);
  return validate(body) ? [] : describeErrors(validate.errors);
}

/** The message an error body carries, for a refusal worth naming. */
function refusalText(json: unknown): string {
  const text = JSON.stringify(json) ?? '';
  return text.length > 300 ? `${text.slice(0, 300)}...` : text;
}

/**
 * The ways one exchange departs from the published specs. Every request is checked, refused ones
 * too; what a refused request shows is marked `refused` (see {@link ContractViolation}), and so is
 * a validation refusal (400, 422) of a request that follows the spec, which only the simulator can
 * be wrong about. Answers under an injected fault are not checked: a fault answers off-spec on
 * purpose.
 */
export function checkExchange(exchange: SimulatorExchange): ContractViolation[] {
  const { request, status } = exchange;
  const matched = matchOperation(request.method, request.path);
  if (!matched) {
    const route = routeTemplate(request.method, request.path);
    if (route in UNCHECKED_ROUTES || status === 404) return [];
    return [
      {
        operation: route,
        side: `response ${status}`,
        problems: ['no published schema covers this route: add it to contract/derive.ts'],
      },
    ];
  }
  const violations: ContractViolation[] = [];
  const accepted = status >= 200 && status < 300;
  const problems = requestProblems(exchange, matched);
  if (problems && problems.length > 0) {
    violations.push({
      operation: matched.key,
      side: 'request',
      problems,
      ...(accepted ? {} : { refused: true as const }),
    });
  } else if (problems && (status === 400 || status === 422) && request.fault === undefined) {
    violations.push({
      operation: matched.key,
      side: `response ${status}`,
      problems: [
        `the simulator refused a request that follows the published spec: ${refusalText(exchange.json)}`,
      ],
      refused: true,
    });
  }
  if (request.fault !== undefined) return violations;
  violations.push(...responseViolations(exchange, matched, accepted));
  return violations;
}

function responseViolations(
  exchange: SimulatorExchange,
  matched: Matched,
  accepted: boolean,
): ContractViolation[] {
  const { status } = exchange;
  const side = `response ${status}` as const;
  if (exchange.json === undefined) {
    return exchange.contentType.startsWith('application/json')
      ? [{ operation: matched.key, side, problems: ['the JSON answer has no body'] }]
      : [];
  }
  const responseSchema =
    matched.operation.responses[String(status)] ?? (accepted ? undefined : matched.provider.errors);
  if (!responseSchema) {
    return [
      {
        operation: matched.key,
        side,
        problems: [`${matched.provider.name} documents no ${status} answer for ${matched.key}`],
      },
    ];
  }
  const validate = validator(responseSchema, strictJson);
  if (validate(structuredClone(exchange.json))) return [];
  const problems = describeErrors(validate.errors);
  // An error body matches none of several documented shapes: the body itself says more than the list.
  if (!accepted) problems.unshift(`not one of the documented error bodies: ${refusalText(exchange.json)}`);
  return [{ operation: matched.key, side, problems }];
}

/** The heading of every account of violations: how a reader (and the mutation check) knows the contract spoke. */
export const TRAFFIC_HEADING = "Traffic departs from the providers' published specs (contract/schemas):";

/** A readable account of violations, naming each operation and the spec it was checked against. */
export function formatViolations(violations: readonly ContractViolation[]): string {
  const lines = violations.map((violation) => {
    const provider = matchOperation(...(violation.operation.split(' ') as [string, string]))?.provider;
    const spec = provider ? ` (${provider.name}, ${provider.version})` : '';
    const refused = violation.refused ? ' [a request the simulator refused]' : '';
    return `- ${violation.operation} ${violation.side}${spec}${refused}:\n    ${violation.problems.join('\n    ')}`;
  });
  return `${TRAFFIC_HEADING}\n${lines.join('\n')}`;
}
