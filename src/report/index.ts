import path from 'node:path';
import { type AlertStore, outputTarget, writeFileAtomic } from '../alerts/index.js';
import { UserError } from '../errors.js';
import { gatherReport, type ReportQuery } from './gather.js';
import { renderReportHtml } from './html.js';
import { DEFAULT_CHROMIUM, pdfPageCount, printPdf } from './pdf.js';
import type { ReportData } from './types.js';

export type { ReportQuery } from './gather.js';
export { gatherReport } from './gather.js';
export { renderReportHtml } from './html.js';
export { CHROMIUM_ARGS, DEFAULT_CHROMIUM, pdfPageCount } from './pdf.js';
export type { ReportData, ReportSubject } from './types.js';

/** What was written: the format, its size and, for a PDF, its pages. */
export interface WrittenReport {
  file: string;
  format: 'html' | 'pdf';
  bytes: number;
  pages: number | null;
  data: ReportData;
}

/** The format an output file's name asks for; a UserError for any other. */
export function reportFormatOf(file: string): 'html' | 'pdf' {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.html' || ext === '.htm') return 'html';
  if (ext === '.pdf') return 'pdf';
  throw new UserError(`${file}: a report is written as .html or .pdf; name the file so`);
}

/** Gathers the report from the store and writes it whole (HTML, or PDF printed by Chromium) or not at all. */
export async function writeReport(
  store: AlertStore,
  query: ReportQuery,
  file: string,
  options: { chromiumPath?: string } = {},
): Promise<WrittenReport> {
  const format = reportFormatOf(file);
  // A folder, a pipe or a missing folder where it goes is refused before the work.
  outputTarget(file);
  const data = gatherReport(store, query);
  const html = renderReportHtml(data);
  const bytes =
    format === 'html'
      ? Buffer.from(html, 'utf8')
      : await printPdf(html, options.chromiumPath ?? DEFAULT_CHROMIUM);
  writeFileAtomic(file, bytes);
  return { file, format, bytes: bytes.length, pages: format === 'pdf' ? pdfPageCount(bytes) : null, data };
}
