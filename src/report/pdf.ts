import fs from 'node:fs';
import { UserError } from '../errors.js';

/** Debian's `chromium` package, the browser the tests drive too. */
export const DEFAULT_CHROMIUM = '/usr/bin/chromium';
/** Headless, no sandbox (it runs as whoever runs the CLI, often root in CI), nothing fetched in the background. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const PAGE_TIMEOUT_MS = 60_000;

/**
 * The page printed to PDF (A4, its own @page margins, backgrounds kept) by headless Chromium through
 * playwright-core, which never downloads a browser. Scripts are off and every request is refused: the
 * page holds all it shows.
 */
export async function printPdf(html: string, chromiumPath: string = DEFAULT_CHROMIUM): Promise<Buffer> {
  if (!fs.existsSync(chromiumPath)) {
    throw new UserError(
      `${chromiumPath}: no Chromium there to print the PDF (install Debian's chromium package, give ` +
        '--chromium PATH, or write .html)',
    );
  }
  const { chromium } = await import('playwright-core');
  let browser: Awaited<ReturnType<typeof chromium.launch>>;
  try {
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: CHROMIUM_ARGS,
      timeout: PAGE_TIMEOUT_MS,
    });
  } catch (err) {
    throw new UserError(`${chromiumPath}: could not start Chromium to print the PDF: ${firstLine(err)}`);
  }
  try {
    const context = await browser.newContext({ javaScriptEnabled: false });
    await context.route('**/*', (route) => route.abort());
    const page = await context.newPage();
    await page.setContent(html, { waitUntil: 'load', timeout: PAGE_TIMEOUT_MS });
    return await page.pdf({ preferCSSPageSize: true, printBackground: true });
  } finally {
    await browser.close();
  }
}

/** Pages in a PDF: its page objects (Chromium writes each as `/Type /Page`, no object streams). */
export function pdfPageCount(pdf: Buffer): number {
  return (pdf.toString('latin1').match(/\/Type\s*\/Page(?![a-zA-Z])/g) ?? []).length;
}

function firstLine(err: unknown): string {
  return String((err as Error)?.message ?? err).split('\n')[0] as string;
}
