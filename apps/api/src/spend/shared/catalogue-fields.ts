/** What the catalogue's text fields share: trimmed, and a message for invisible characters. */
export const trim = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.trim() : value;
export const INVISIBLE_MESSAGE = 'must not contain control or invisible characters';
