import { RetouchError } from './errors/retouch-error.ts';
import { registerSecret } from './secrets.ts';

/**
 * Returns the API key passed in options, or the one in the environment variable. Throws a
 * `RetouchError` naming the variable and the option when neither is set, before any network call.
 * The key is registered for redaction.
 *
 * @example
 * const apiKey = loadApiKey({ apiKey: options.apiKey, environmentVariable: 'OXEN_API_KEY', description: 'Oxen.ai', factory: 'createOxen' });
 */
export function loadApiKey(options: {
  apiKey: string | undefined;
  environmentVariable: string;
  description: string;
  factory: string;
}): string {
  const apiKey = options.apiKey ?? environment()[options.environmentVariable];
  if (apiKey === undefined || apiKey.trim() === '') {
    throw new RetouchError({
      message: `${options.description} API key is missing: set the ${options.environmentVariable} environment variable or pass { apiKey } to ${options.factory}().`,
    });
  }
  registerSecret(apiKey.trim());
  return apiKey.trim();
}

/**
 * The process environment where the runtime has one (Node, Bun, Deno 2); on Cloudflare Workers there
 * is none, and keys are passed as `{ apiKey }` from the Worker's bindings.
 */
function environment(): Record<string, string | undefined> {
  const process = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  return process?.env ?? {};
}
