import { RetouchError } from '../errors/retouch-error.ts';
import { PROVIDER_ID } from '../model-id.ts';
import type { ProviderAdapter } from '../provider.ts';

/**
 * Checks that a value handed to `createRetouch({ providers })` is an adapter this core can drive, with
 * a message that names it (`where`) and what is wrong.
 */
export function checkAdapter(adapter: ProviderAdapter, options: { where: string }): void {
  const { where } = options;
  if (typeof adapter !== 'object' || adapter === null) {
    throw new RetouchError({ message: `${where} is not a provider adapter` });
  }
  if (typeof adapter.edit !== 'function' && typeof adapter.submit !== 'function') {
    throw new RetouchError({
      message: `${where} is not a provider adapter: it has no edit() method (nor submit() for providers with jobs)`,
    });
  }
  if (typeof adapter.id !== 'string' || !PROVIDER_ID.test(adapter.id)) {
    throw new RetouchError({ message: `${where} has an invalid id ${JSON.stringify(adapter.id)}` });
  }
  if (adapter.specificationVersion !== 2) {
    throw new RetouchError({
      message: `${where} (${adapter.id}) implements adapter spec version ${String(adapter.specificationVersion)}, but this @retouch/core drives version 2; install matching versions`,
    });
  }
  if (
    adapter.prefersJobs !== undefined &&
    typeof adapter.prefersJobs !== 'boolean' &&
    typeof adapter.prefersJobs !== 'function'
  ) {
    throw new RetouchError({
      message: `${where} (${adapter.id}) has a prefersJobs that is neither true/false nor a function (request, plan) => boolean`,
    });
  }
  // A function may answer true for some requests, so it needs submit() as much as `true` does.
  if (adapter.prefersJobs && !adapter.submit) {
    throw new RetouchError({ message: `${where} (${adapter.id}) prefers jobs but has no submit()` });
  }
  if (adapter.submit && !adapter.status) {
    throw new RetouchError({
      message: `${where} (${adapter.id}) has submit() but no status(), so its jobs cannot be followed`,
    });
  }
  if (adapter.findLostEdit && !adapter.status) {
    throw new RetouchError({
      message: `${where} (${adapter.id}) has findLostEdit() but no status(), so an edit it finds cannot be followed`,
    });
  }
  if (adapter.http !== undefined && typeof adapter.http?.withGate !== 'function') {
    throw new RetouchError({
      message: `${where} (${adapter.id}) has an http that is not a client from createHttpClient()`,
    });
  }
}
