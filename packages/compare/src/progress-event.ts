/** Something that happened to one run (one repeat of one model) of a comparison. */
export interface RunProgressEvent {
  /**
   * `queued` (waiting in its provider's lane), `started` (being sent), `retrying` (an attempt failed
   * and another follows), `status` (the provider queued or started the job), `succeeded`, `failed`.
   */
  type: 'queued' | 'started' | 'retrying' | 'status' | 'succeeded' | 'failed';
  /** The model's position in the comparison, from 0. */
  row: number;
  /** The run of that model, from 1. */
  repeat: number;
  /** For `retrying`: the number of the attempt that follows. */
  attempt?: number;
  /** For `retrying`: how long until it, in milliseconds. */
  delayMs?: number;
  /** For `retrying`: why. */
  reason?: string;
  /** For `status`: the provider-side state to show, empty when there is nothing to add. */
  status?: string;
  /** For `succeeded`: the edit's latency in milliseconds. */
  latencyMs?: number;
  /** For `succeeded`: its cost in US dollars, when known. */
  costUsd?: number;
  /** For `succeeded`: the number of images. */
  images?: number;
  /** For `failed`: the error, `Name: message`. */
  message?: string;
}
