const CODE_DIGITS = 6;

/** The public code of alert `id`: `A-000123`. */
export function alertCode(id: number): string {
  return `A-${String(id).padStart(CODE_DIGITS, '0')}`;
}

/** The alert id in `A-000123`, `a-123` or `123`; null when the text is none of those. */
export function parseAlertRef(text: string): number | null {
  const m = /^(?:A-)?0*(\d{1,15})$/i.exec(text.trim());
  if (!m) return null;
  const id = Number(m[1]);
  return id >= 1 ? id : null;
}
