/**
 * A queued edit's billing key in the budget's ledger: the queue and the job, so that a worker taking
 * the job over, or running it again, counts the same entry. A resend of an edit that may have been
 * billed (`resendPossiblyBilled`) is a new billing, keyed by the time of the send it repeats, so that
 * a worker taking the resend over still inherits its hold.
 */
export function queuedEditBillingKey(options: {
  queueName: string;
  jobId: string;
  resendOf?: number;
}): string {
  const base = `${options.queueName}:${options.jobId}`;
  return options.resendOf === undefined ? base : `${base}:resent-${options.resendOf}`;
}
