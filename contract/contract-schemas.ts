import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { dataUrlPngHasAlpha } from './exchange-body.ts';
import edenai from './schemas/edenai-v3.json' with { type: 'json' };
import oxen from './schemas/oxen-hub.json' with { type: 'json' };

/*
 * The derived schemas of `schemas/`, loaded once, and the validators that run them: one for JSON
 * as sent, one for form fields (text that the provider reads as numbers where its schema says so).
 */

/** A JSON Schema, as plain data. */
export type Schema = Record<string, unknown>;

/** One operation of a provider's contract: its request bodies by content type, its answers by status. */
export interface Operation {
  request?: Record<string, Schema>;
  responses: Record<string, Schema>;
}

/** One provider's contract, as `contract/derive.ts` wrote it. */
export interface ProviderContract {
  name: string;
  version: string;
  operations: Record<string, Operation>;
  errors: Schema;
}

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

function validators(options: { coerceTypes: boolean }): Ajv {
  const ajv = addFormats(new Ajv({ allErrors: true, strict: false, coerceTypes: options.coerceTypes }));
  // Eden's mask: "PNG with transparent pixels marking the regions to edit". A URL cannot be read here.
  ajv.addFormat('png-data-url-with-alpha', {
    type: 'string',
    validate: (value: string) => !value.startsWith('data:') || dataUrlPngHasAlpha(value) === true,
  });
  return ajv;
}

/** JSON bodies and answers, checked as sent. */
export const strictJson = validators({ coerceTypes: false });
/** Form fields are text: "3" must pass as the integer 3, as the provider's form parsing reads it. */
export const formFields = validators({ coerceTypes: true });

/** Every provider's contract. */
export const providers: readonly ProviderContract[] = [
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

const compiled = new Map<Schema, ValidateFunction>();

/** The compiled validator of a schema, compiled once per validator set. */
export function validator(schema: Schema, ajv: Ajv): ValidateFunction {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  return validate;
}

/** What a schema says is wrong, one line per problem, naming the field. */
export function describeErrors(errors: ErrorObject[] | null | undefined): string[] {
  const lines = (errors ?? [])
    .filter((error) => error.keyword !== 'if')
    .map((error) => {
      const where = error.instancePath || '(body)';
      if (error.keyword === 'false schema') return `${where} is not a field of this body`;
      const params = error.params as Record<string, unknown>;
      const detail =
        'additionalProperty' in params
          ? ` "${String(params.additionalProperty)}"`
          : 'propertyName' in params
            ? ` "${String(params.propertyName)}"`
            : 'allowedValues' in params
              ? `: ${JSON.stringify(params.allowedValues)}`
              : '';
      return `${where} ${error.message ?? 'is invalid'}${detail}`;
    });
  return [...new Set(lines)];
}
