/** Text for HTML or SVG content and attribute values: every character that could end either, escaped. */
export function escapeMarkup(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
