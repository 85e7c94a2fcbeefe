/* The shapes of the simulated Oxen models: parameters, pricing and what the listing says of each. */

/** A JSON-schema property as Oxen's model schemas write them. */
export interface OxenSchemaProperty {
  type: 'string' | 'integer' | 'number' | 'boolean' | 'array';
  description?: string;
  enum?: (string | number)[];
  default?: unknown;
  minimum?: number;
  maximum?: number;
  format?: string;
  items?: { type: 'string'; format?: string };
  'x-order'?: number;
}

/** The parameter schema of a model (`json_request_schema` / `request_schema`). */
export interface OxenRequestSchema {
  type: 'object';
  properties: Record<string, OxenSchemaProperty>;
  required: string[];
}

/** Oxen's pricing block. */
export interface OxenPricing {
  method: 'token' | 'time' | 'per_image' | 'per_video_output_second';
  cost_per_image?: number;
  cost_per_image_grid?: Record<string, Record<string, number>>;
  input_cost_per_token?: number;
  output_cost_per_token?: number;
}

/** One model as the simulator serves it. */
export interface OxenModel {
  /** The model's name, which is also its `id` in Oxen's API. */
  name: string;
  display_name: string;
  description: string;
  developer_name: string;
  provider_name: string;
  action: 'edit' | 'generate' | 'chat';
  /** Unix seconds when the model was registered (`created`). */
  created: number;
  capabilities: { input: string[]; output: string[] };
  pricing: OxenPricing;
  schema: OxenRequestSchema;
  /** Why the model is deprecated and what replaces it: it is still served, and says so. */
  deprecated?: string;
}
