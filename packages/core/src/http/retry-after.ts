const DELAY_SECONDS = /^\d+(\.\d+)?$/;
/** The three forms of HTTP-date (RFC 9110, section 5.6.7), all in GMT. */
const IMF_FIXDATE = /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/;
const RFC_850_DATE = /^[A-Z][a-z]+, \d{2}-[A-Z][a-z]{2}-\d{2} \d{2}:\d{2}:\d{2} GMT$/;
const ASCTIME_DATE = /^[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2} \d{4}$/;

/**
 * Parses a `Retry-After` header: delay-seconds (`"2"`, `"1.5"`) or an HTTP date. Returns
 * milliseconds from `now`, never negative, or `undefined` when absent or unparsable, so that a
 * delay from the response body can be used instead of a header that means nothing.
 *
 * @example
 * parseRetryAfter('2'); // 2000
 * parseRetryAfter('Wed, 21 Oct 2026 07:28:00 GMT', Date.parse('Wed, 21 Oct 2026 07:27:58 GMT')); // 2000
 */
export function parseRetryAfter(
  value: string | null | undefined,
  now: number = Date.now(),
): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (DELAY_SECONDS.test(text)) return Math.round(Number(text) * 1000);
  // Date.parse alone reads "-1", "2026" or "1 2" as dates, and the asctime form in local time.
  let date: number;
  if (IMF_FIXDATE.test(text) || RFC_850_DATE.test(text)) date = Date.parse(text);
  else if (ASCTIME_DATE.test(text)) date = Date.parse(`${text} GMT`);
  else return undefined;
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/** Converts a seconds value from a JSON body (Eden AI's `retry_after`) to milliseconds. */
export function secondsToMs(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return Math.round(value * 1000);
  if (typeof value === 'string') return parseRetryAfter(value);
  return undefined;
}
