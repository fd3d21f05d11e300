/** The `cidr` operator: IPv4/IPv6 ranges, parsed the way Event Ruler parses them. */
import { fail } from './model.ts';

interface IpAddress {
  version: 4 | 6;
  value: bigint;
}

interface CidrRange {
  version: 4 | 6;
  low: bigint;
  high: bigint;
}

const cidrCache = new Map<string, CidrRange>();

export function matchCidr(cidr: string, leaf: string): boolean {
  let range = cidrCache.get(cidr);
  if (!range) {
    range = parseCidr(cidr, 'cidr');
    cidrCache.set(cidr, range);
  }
  const address = parseIp(leaf);
  return address !== undefined && address.version === range.version && address.value >= range.low && address.value <= range.high;
}

/**
 * Follows Event Ruler's CIDR.cidr(): exactly one "/", an integer mask, IPv4
 * masks 0-31 and IPv6 masks 0-127 (Ruler rejects /32 and /128), and the range
 * runs from the address as written up to the address with its host bits set.
 */
export function parseCidr(text: string, path: string): CidrRange {
  const parts = text.split('/');
  if (parts.length !== 2) fail(path, `malformed CIDR "${text}", exactly one "/" is required`);
  const [addressText, maskText] = parts as [string, string];
  if (!/^[0-9]+$/.test(maskText)) fail(path, `malformed CIDR "${text}", the mask must be a non-negative integer`);
  const address = parseIp(addressText);
  if (!address) fail(path, `invalid IP address "${addressText}" in CIDR "${text}"`);

  const width = address.version === 4 ? 32 : 128;
  const maskBits = Number(maskText);
  if (maskBits >= width) fail(path, `IPv${address.version} mask bits must be < ${width}`);

  const hostBits = BigInt(width - maskBits);
  const hostMask = (1n << hostBits) - 1n;
  return { version: address.version, low: address.value, high: address.value | hostMask };
}

function parseIp(text: string): IpAddress | undefined {
  if (/^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$/.test(text)) {
    let value = 0n;
    for (const octetText of text.split('.')) {
      const octet = Number(octetText); // decimal, even with leading zeros
      if (octet > 255) return undefined;
      value = (value << 8n) | BigInt(octet);
    }
    return { version: 4, value };
  }
  if (text.includes(':') && /^[0-9a-fA-F:]+$/.test(text)) {
    const halves = text.split('::');
    if (halves.length > 2) return undefined;
    const head = halves[0] ? halves[0].split(':') : [];
    const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
    const missing = 8 - head.length - tail.length;
    if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
    const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
    let value = 0n;
    for (const group of groups) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return undefined;
      value = (value << 16n) | BigInt(parseInt(group, 16));
    }
    return { version: 6, value };
  }
  return undefined;
}
