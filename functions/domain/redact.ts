/**
 * Logs carry no addresses. Error messages from outside can: an SES rejection lists the recipients it refused
 * ("Email address is not verified. The following identities failed the check in region EU-WEST-2: someone@school.sch.uk"),
 * a Graph error may name a user principal name. Anything that looks like an email address, written plainly or
 * URL-encoded (`%40`), is replaced with `<address>` before such a message is logged.
 */
export const ADDRESS_PLACEHOLDER = '<address>';

/**
 * Where an address is taken to stop: whitespace, `@`, and the punctuation that surrounds addresses in messages
 * (brackets, quotes, list separators, URL delimiters). Whatever character touches an `@` on either side is taken as
 * part of the address all the same, so no `@` between two printable characters survives. Broad on purpose: a false
 * positive costs a word of an error message, a false negative puts someone's address in the logs.
 */
const EDGE = String.raw`\s@<>()\[\]{}"'\x60,;:/?&=\\`;
const ADDRESS = new RegExp(`[^${EDGE}]*[^\\s@](?:@|%40)[^\\s@](?:[^${EDGE}]*[^${EDGE}.])?`, 'gi');

export function redactAddresses(text: string): string {
  if (!text.includes('@') && !/%40/i.test(text)) return text;
  // Again until nothing changes: `a@b@c.uk` leaves `<address>@c.uk` after one pass. Each pass takes out an `@`.
  let out = text;
  for (let before = ''; before !== out;) {
    before = out;
    out = out.replace(ADDRESS, ADDRESS_PLACEHOLDER);
  }
  return out;
}

/** An error's message (or whatever was thrown, as text), fit to be logged: without addresses. */
export function safeErrorMessage(err: unknown): string {
  let message: string;
  try {
    message = err instanceof Error ? String(err.message) : typeof err === 'string' ? err : String(err);
  } catch {
    message = 'unprintable error';
  }
  return redactAddresses(message);
}
