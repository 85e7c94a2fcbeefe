/**
 * Whether a URL returned by a provider (a result URL, a redirect target) may be fetched: only
 * http(s), and never link-local or cloud-metadata addresses, which a hostile response could use to
 * reach the machine's credentials.
 */
export function unsafeUrlReason(url: URL): string | undefined {
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    return `the ${url.protocol} scheme is not fetched`;
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'metadata.google.internal' || host === 'metadata')
    return 'a cloud metadata host is not fetched';
  // A URL's host is normalized: an IPv4 address is always dotted decimal, an IPv6 one holds colons.
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(host)) {
    const [a, b] = host.split('.').map(Number);
    if (a === 169 && b === 254) return 'a link-local (cloud metadata) address is not fetched';
    if (a === 0) return 'the 0.0.0.0/8 range is not fetched';
  }
  if (host.includes(':') && (host.startsWith('fe80:') || host === 'fd00:ec2::254')) {
    return 'a link-local (cloud metadata) address is not fetched';
  }
  return undefined;
}
