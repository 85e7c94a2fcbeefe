import type { EditRequest, LostEdit, Retouch } from '@retouch/core';

/**
 * What a worker taking over a job does when an earlier worker stopped after sending its edit and
 * before recording the provider's answer: it asks the provider's records (`retouch.findLostEdit`,
 * for providers that keep them, such as Oxen), which wait first when the send is too recent to be
 * listed. `found` is resumed (the result delivered, the job's entry settled once at the provider's
 * cost); `absent` means the provider never received it, so it is sent again, which cannot pay twice;
 * anything else leaves it possibly billed, with the reason. With fallback models, an `absent`
 * requested model says nothing of a fallback the stopped worker may have sent: it stays possibly
 * billed. A lookup that fails is an `unknown` with its error as the reason.
 */
export async function takeOverSent(options: {
  retouch: Retouch;
  request: EditRequest;
  sentAt: number;
  billingKey: string;
  fallbacks: number;
}): Promise<LostEdit> {
  let lost: LostEdit;
  try {
    lost = await options.retouch.findLostEdit(options.request, {
      sentAt: options.sentAt,
      billingKey: options.billingKey,
    });
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return { state: 'unknown', reason: `looking it up failed (${detail})` };
  }
  if (lost.state === 'absent' && options.fallbacks > 0) {
    return {
      state: 'unknown',
      reason:
        'the requested model never received it, but the stopped worker may have sent it to a fallback model',
    };
  }
  return lost;
}
