/** Small text helpers shared by the pages. */

/** The sentence with its first letter in capitals, for a use case's message shown as a page's own sentence. */
export const capitalise = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
