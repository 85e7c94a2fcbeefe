/**
 * How core reaches OpenTelemetry: the API package is an optional peer dependency, imported only once
 * an SDK (or anything else) has registered with it. Until then an edit pays one property read on
 * `globalThis`, and a program that never installs OpenTelemetry never imports it.
 */
import type * as OpenTelemetryModule from '@opentelemetry/api';

/** The `@opentelemetry/api` module. */
export type OpenTelemetryApi = typeof OpenTelemetryModule;

/**
 * Where version 1 of the API keeps what was registered with it (tracer, meter and context providers),
 * shared by every installed copy of the API: present once an SDK has registered anything.
 */
const API_GLOBAL = Symbol.for('opentelemetry.js.api.1');

/** Whether anything has registered with the OpenTelemetry API in this process. */
export function openTelemetryRegistered(): boolean {
  return (globalThis as Record<symbol, unknown>)[API_GLOBAL] !== undefined;
}

let loading: Promise<OpenTelemetryApi | undefined> | undefined;
let loaded: OpenTelemetryApi | undefined;

/**
 * The API module, imported on the first call; `undefined` when it is not installed, which is then
 * remembered: an SDK registered through another copy of the API is not something Retouch can reach.
 */
export function loadOpenTelemetry(): Promise<OpenTelemetryApi | undefined> {
  loading ??= import('@opentelemetry/api').then(
    (module) => {
      loaded = module;
      return module;
    },
    () => undefined,
  );
  return loading;
}

/** The API module if an earlier call has loaded it, for a path that need not wait. */
export function loadedOpenTelemetry(): OpenTelemetryApi | undefined {
  return loaded;
}
