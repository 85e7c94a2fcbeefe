import type { OxenModel, OxenSchemaProperty } from './oxen-models.ts';

function describe(value: unknown): string {
  return typeof value === 'string' ? `'${value}'` : JSON.stringify(value);
}

function checkProperty(options: {
  name: string;
  property: OxenSchemaProperty;
  value: unknown;
}): string | undefined {
  const { name, property, value } = options;
  switch (property.type) {
    case 'string':
      if (typeof value !== 'string') return `${name} must be a string, got ${describe(value)}`;
      break;
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value))
        return `${name} must be an integer, got ${describe(value)}`;
      break;
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value))
        return `${name} must be a number, got ${describe(value)}`;
      break;
    case 'boolean':
      if (typeof value !== 'boolean') return `${name} must be a boolean, got ${describe(value)}`;
      break;
    case 'array':
      if (!Array.isArray(value)) return `${name} must be an array, got ${describe(value)}`;
      if (property.items?.type === 'string' && value.some((item) => typeof item !== 'string')) {
        return `${name} must be an array of strings`;
      }
      if (value.length === 0) return `${name} must not be empty`;
      break;
  }
  if (property.enum !== undefined && !property.enum.includes(value as string | number)) {
    return `Invalid value for ${name}: ${describe(value)}. Must be one of: ${property.enum.join(', ')}`;
  }
  if (typeof value === 'number') {
    if (property.minimum !== undefined && value < property.minimum) {
      return `${name} must be greater than or equal to ${property.minimum}, got ${value}`;
    }
    if (property.maximum !== undefined && value > property.maximum) {
      return `${name} must be less than or equal to ${property.maximum}, got ${value}`;
    }
  }
  return undefined;
}

/**
 * Checks the model parameters of a request against the model's schema. Returns the first problem, worded
 * as Oxen's `invalid_params` detail (or a queued job's `error_message`), or `undefined` when valid.
 * Unknown keys pass: Oxen forwards them to the model.
 */
export function validateOxenParameters(options: {
  model: OxenModel;
  body: Record<string, unknown>;
}): string | undefined {
  const { model, body } = options;
  for (const name of model.schema.required) {
    if (body[name] === undefined || body[name] === null) return `Missing required parameter: ${name}`;
  }
  for (const [name, property] of Object.entries(model.schema.properties)) {
    const value = body[name];
    if (value === undefined || value === null) continue;
    const problem = checkProperty({ name, property, value });
    if (problem !== undefined) return problem;
  }
  if (typeof body.prompt === 'string' && body.prompt.trim() === '') return 'prompt must not be empty';
  return undefined;
}

/** The input image URLs of a request, whatever the schema's shape. */
export function oxenInputImages(body: Record<string, unknown>): string[] {
  const value = body.input_image;
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
  return [];
}
