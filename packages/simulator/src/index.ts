export {
  type EdenAISimulator,
  type EdenAISimulatorCounters,
  type EdenAISimulatorOptions,
  startEdenAISimulator,
} from './edenai/edenai-simulator.ts';
export {
  type OpenAISimulator,
  type OpenAISimulatorCounters,
  type OpenAISimulatorOptions,
  startOpenAISimulator,
} from './openai/openai-simulator.ts';
export type { OxenJobInfo, OxenJobStatus, OxenJobTiming } from './oxen/oxen-queue.ts';
export {
  type OxenSimulator,
  type OxenSimulatorCounters,
  type OxenSimulatorOptions,
  startOxenSimulator,
} from './oxen/oxen-simulator.ts';
export type { BillingReport } from './shared/billing-ledger.ts';
export type { FaultKind, FaultRule, SetFaultsOptions } from './shared/faults.ts';
export type { RemoteImagePolicy } from './shared/image-source.ts';
export { type MaskAdherence, maskAdherenceFor } from './shared/mask-adherence.ts';
export type { Simulator } from './shared/provider-simulator.ts';
export type { RateLimitOptions } from './shared/rate-limiter.ts';
export type { RecordedFile, RecordedMultipartBody, RecordedRequest } from './shared/recording.ts';
export { BILLING_PATH } from './shared/simulator-server.ts';
export {
  observeSimulatorStreamEvents,
  observeSimulatorTraffic,
  type SimulatorExchange,
  type SimulatorStreamEvent,
  type SimulatorStreamListener,
  type SimulatorTrafficListener,
} from './shared/traffic.ts';
export { createTestImage, type TestImageColor, type TestImageOptions } from './test-image.ts';
