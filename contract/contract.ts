import type { RecordedMultipartBody, SimulatorExchange } from '@retouch/simulator';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import edenai from './schemas/edenai-v3.json' with { type: 'json' };
import oxen from './schemas/oxen-hub.json' with { type: 'json' };

/*
 * Checks the simulators' traffic against the providers' published specs (the trimmed schemas in
 * `schemas/`, derived from Eden AI's and Oxen's OpenAPI documents by `derive.ts`): the body of every
 * request a simulator accepted, against the request schema of its operation, and every answer,
 * against the schema of its status. The simulators and the adapters are written from the same
 * reading of the docs; this is the check that does not share it.
 */

type Schema = Record<string, unknown>;
interface Operation {
  request?: Record<string, Schema>;
  responses: Record<string, Schema>;
}
interface ProviderContract {
  name: string;
  version: string;
  operations: Record<string, Operation>;
  errors: Schema;
}

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const strictJson = addFormats(new Ajv({ allErrors: true, strict: false }));
// Form fields are text: "3" must pass as the integer 3, as the provider's form parsing reads it.
const formFields = addFormats(new Ajv({ allErrors: true, strict: false, coerceTypes: true }));

const providers: ProviderContract[] = [
  {
    name: 'Eden AI',
    version: `${edenai.source.title} ${edenai.source.version}`,
    ...(edenai as unknown as Omit<ProviderContract, 'name' | 'version'>),
  },
  {
    name: 'Oxen.ai',
    version: `${oxen.source.title} ${oxen.source.version}`,
    ...(oxen as unknown as Omit<ProviderContract, 'name' | 'version'>),
  },
];

/**
 * Routes a simulator serves that no published schema covers, and why they are not checked. Any
 * other route without a schema is a violation: an adapter that starts calling a new endpoint must
 * bring its schema along.
 */
export const UNCHECKED_ROUTES: Readonly<Record<string, string>> = {
  'GET /files/{id}': "the simulators' stand-in for presigned result URLs: an object store's, not an API's",
  'GET /api/events':
    "Oxen's Server-Sent Events stream: not in the OpenAPI document, and a stream, not an answer",
  'POST /v1/images/edits':
    "the OpenAI-shaped endpoint the AI SDK bridge is tested against: OpenAI's OpenAPI document is not among the published specs this suite derives from (Eden AI's and Oxen's); the simulator's own tests check it against OpenAI's API reference",
};

/** One place where traffic and spec disagree. */
export interface ContractViolation {
  /** `POST /v3/images/edits` */
  operation: string;
  /** The request or the answer (with its status). */
  side: 'request' | `response ${number}`;
  /** What the schema says is wrong, one line per problem. */
  problems: string[];
}

interface Matched {
  provider: ProviderContract;
  key: string;
  operation: Operation;
}

const compiled = new Map<Schema, ValidateFunction>();
function validator(schema: Schema, ajv: Ajv): ValidateFunction {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  return validate;
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

/** A recorded multipart body as one object: text fields by name, file parts as `{ filename, contentType, size }`. */
function formObject(body: RecordedMultipartBody): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(body.fields)) result[name] = value;
  for (const file of body.files) {
    const part = { filename: file.filename, contentType: file.contentType, size: file.size };
    if (name(file.name) === 'array') {
      const list = (result[file.name] as unknown[] | undefined) ?? [];
      list.push(part);
      result[file.name] = list;
    } else {
      result[file.name] = part;
    }
  }
  return result;
}

function name(field: string): 'array' | 'single' {
  return field.endsWith('[]') ? 'array' : 'single';
}

function describe(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((error) => {
    const where = error.instancePath || '(body)';
    const detail =
      error.params && 'additionalProperty' in error.params
        ? ` "${String(error.params.additionalProperty)}"`
        : '';
    return `${where} ${error.message ?? 'is invalid'}${detail}`;
  });
}

function routeTemplate(method: string, path: string): string {
  if (/^\/files\/[^/]+$/.test(path)) return `${method} /files/{id}`;
  return `${method} ${path}`;
}

/**
 * The ways one exchange departs from the published specs. Exchanges under an injected fault are
 * skipped (a fault answers off-spec on purpose), and so are requests a simulator refused: the
 * refusal is the test's business; what must match the spec is what the simulator agreed to.
 */
export function checkExchange(exchange: SimulatorExchange): ContractViolation[] {
  const { request, status } = exchange;
  if (request.fault !== undefined) return [];
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
  if (accepted && matched.operation.request) {
    const contentType = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    const schema = matched.operation.request[contentType];
    if (!schema) {
      violations.push({
        operation: matched.key,
        side: 'request',
        problems: [
          `${contentType || 'no content type'} is not a documented body of ${matched.key}: ${Object.keys(matched.operation.request).join(' or ')}`,
        ],
      });
    } else if (contentType === 'multipart/form-data') {
      const validate = validator(schema, formFields);
      if (!validate(formObject(request.body as RecordedMultipartBody)))
        violations.push({ operation: matched.key, side: 'request', problems: describe(validate.errors) });
    } else {
      const validate = validator(schema, strictJson);
      // A copy: ajv must not see (or change) the recording itself.
      if (!validate(structuredClone(request.body)))
        violations.push({ operation: matched.key, side: 'request', problems: describe(validate.errors) });
    }
  }
  if (exchange.json === undefined) {
    if (exchange.contentType.startsWith('application/json'))
      violations.push({
        operation: matched.key,
        side: `response ${status}`,
        problems: ['the JSON answer has no body'],
      });
    return violations;
  }
  const responseSchema =
    matched.operation.responses[String(status)] ?? (accepted ? undefined : matched.provider.errors);
  if (!responseSchema) {
    violations.push({
      operation: matched.key,
      side: `response ${status}`,
      problems: [`${matched.provider.name} documents no ${status} answer for ${matched.key}`],
    });
    return violations;
  }
  const validate = validator(responseSchema, strictJson);
  if (!validate(structuredClone(exchange.json)))
    violations.push({
      operation: matched.key,
      side: `response ${status}`,
      problems: describe(validate.errors),
    });
  return violations;
}

/** A readable account of violations, naming each operation and the spec it was checked against. */
export function formatViolations(violations: readonly ContractViolation[]): string {
  const lines = violations.map((violation) => {
    const provider = matchOperation(...(violation.operation.split(' ') as [string, string]))?.provider;
    const spec = provider ? ` (${provider.name}, ${provider.version})` : '';
    return `- ${violation.operation} ${violation.side}${spec}:\n    ${violation.problems.join('\n    ')}`;
  });
  return `Traffic departs from the providers' published specs (contract/schemas):\n${lines.join('\n')}`;
}
