/**
 * "The internet" for NET-2: any source range that is not wholly inside the
 * private and reserved ranges (RFC 6890 special-purpose blocks that are not
 * globally reachable). `0.0.0.0/1` plus `128.0.0.0/1`, or `8.8.8.0/24`, are
 * the internet as much as `0.0.0.0/0` is.
 */

const RESERVED_V4 = [
  '0.0.0.0/8', // "this network"
  '10.0.0.0/8', // private
  '100.64.0.0/10', // shared address space (carrier-grade NAT)
  '127.0.0.0/8', // loopback
  '169.254.0.0/16', // link local
  '172.16.0.0/12', // private
  '192.0.0.0/24', // IETF protocol assignments
  '192.0.2.0/24', // documentation (TEST-NET-1)
  '192.168.0.0/16', // private
  '198.18.0.0/15', // benchmarking
  '198.51.100.0/24', // documentation (TEST-NET-2)
  '203.0.113.0/24', // documentation (TEST-NET-3)
  '224.0.0.0/4', // multicast
  '240.0.0.0/4', // reserved, broadcast
];
const RESERVED_V6 = [
  '::/128', // unspecified
  '::1/128', // loopback
  '100::/64', // discard only
  '2001:db8::/32', // documentation
  'fc00::/7', // unique local
  'fe80::/10', // link local
  'ff00::/8', // multicast
];

interface Range {
  readonly start: bigint;
  readonly end: bigint;
}

function parseV4(address: string): bigint | undefined {
  const parts = address.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  return parts.reduce((n, p) => (n << 8n) | BigInt(Number(p)), 0n);
}

function parseV6(address: string): bigint | undefined {
  let text = address.toLowerCase();
  // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two groups.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const n = parseV4(v4[1]);
    if (n === undefined) return undefined;
    text = `${text.slice(0, -v4[1].length)}${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const fill = halves.length === 2 ? 8 - head.length - tail.length : 0;
  if (fill < 0 || (halves.length === 1 && head.length !== 8)) return undefined;
  const groups = [...head, ...Array<string>(fill).fill('0'), ...tail];
  if (groups.length !== 8 || groups.some((g) => !/^[0-9a-f]{1,4}$/.test(g))) return undefined;
  return groups.reduce((n, g) => (n << 16n) | BigInt(parseInt(g, 16)), 0n);
}

/** The addresses a CIDR covers; undefined when it is not a valid IPv4 or IPv6 CIDR. */
export function cidrRange(cidr: string): (Range & { readonly v6: boolean }) | undefined {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(cidr.trim());
  if (!m) return undefined;
  const v6 = m[1].includes(':');
  const bits = v6 ? 128 : 32;
  const prefix = Number(m[2]);
  const address = v6 ? parseV6(m[1]) : parseV4(m[1]);
  if (address === undefined || prefix > bits) return undefined;
  const size = 1n << BigInt(bits - prefix);
  const start = (address / size) * size;
  return { start, end: start + size - 1n, v6 };
}

function merged(cidrs: readonly string[]): Range[] {
  const ranges = cidrs.map((c) => cidrRange(c)!).sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const out: Range[] = [];
  for (const r of ranges) {
    const last = out[out.length - 1];
    if (last && r.start <= last.end + 1n)
      out[out.length - 1] = { start: last.start, end: r.end > last.end ? r.end : last.end };
    else out.push({ start: r.start, end: r.end });
  }
  return out;
}
const RESERVED = { v4: merged(RESERVED_V4), v6: merged(RESERVED_V6) };

/**
 * True when the range reaches any globally routable address. An unparsable
 * value counts as the internet: a source the check cannot read is not private.
 */
export function isInternetCidr(cidr: string): boolean {
  const range = cidrRange(cidr);
  if (!range) return true;
  const covered = (range.v6 ? RESERVED.v6 : RESERVED.v4).some((r) => r.start <= range.start && range.end <= r.end);
  return !covered;
}
