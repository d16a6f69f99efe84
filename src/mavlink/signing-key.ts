import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { UserError } from '../errors.js';
import { SIGNING_KEY_BYTES } from './signing.js';

/** The marker of a passphrase key file: `passphrase: TEXT`. */
const PASSPHRASE_PREFIX = 'passphrase:';
/** A key file is tiny; more than this is some other file given by mistake. */
const MAX_KEY_FILE_BYTES = 4096;
const HEX_KEY = /^[0-9a-fA-F]{64}$/;
const HEX_DIGITS = /^[0-9a-fA-F]+$/;
const PRINTABLE_ASCII = /^[\x20-\x7e]+$/;

export interface SigningKeyFile {
  key: Buffer;
  /** One line for the pilot when the file is readable by group or others; null when it is not. */
  warning: string | null;
}

/**
 * Reads a MAVLink signing key file. Three forms, tried in this order:
 * - 64 hexadecimal digits (surrounding whitespace ignored), what `openssl rand -hex 32` writes;
 * - exactly 32 bytes, the raw key (`head -c 32 /dev/urandom`);
 * - `passphrase: TEXT`: the key is SHA-256 of TEXT (ASCII, surrounding whitespace trimmed), as
 *   MAVProxy's `signing setup TEXT` makes it.
 * Anything else is refused with one line naming the file and what is wrong, never guessed at: a hex
 * key with a digit missing is not quietly taken for a passphrase.
 */
export function loadSigningKey(file: string): SigningKeyFile {
  let bytes: Buffer;
  let mode: number;
  try {
    const stat = fs.statSync(file);
    if (stat.isDirectory()) throw Object.assign(new Error('is a folder'), { code: 'EISDIR' });
    if (stat.size > MAX_KEY_FILE_BYTES)
      throw new UserError(`${file}: not a signing key: ${stat.size} bytes, a key file holds 32 to 64`);
    mode = stat.mode;
    bytes = fs.readFileSync(file);
  } catch (err) {
    if (err instanceof UserError) throw err;
    const e = err as NodeJS.ErrnoException;
    throw new UserError(`${file}: cannot read the signing key (${e.code ?? e.message})`);
  }
  const key = parseSigningKey(bytes, file);
  if (key.every((b) => b === 0))
    throw new UserError(`${file}: the signing key is all zeros, which is no secret`);
  const readableByOthers = (mode & 0o044) !== 0;
  const warning = readableByOthers
    ? `${file}: the signing key is readable by group or others (mode ${(mode & 0o777).toString(8)}); chmod 600 it`
    : null;
  return { key, warning };
}

function parseSigningKey(bytes: Buffer, file: string): Buffer {
  const text = bytes.toString('latin1');
  const trimmed = text.trim();
  if (HEX_KEY.test(trimmed)) return Buffer.from(trimmed, 'hex');
  if (trimmed.toLowerCase().startsWith(PASSPHRASE_PREFIX)) return passphraseKey(trimmed, file);
  if (bytes.length === SIGNING_KEY_BYTES) {
    // 32 hex digits are half a hex key far more likely than a random key made of hex digits only.
    if (HEX_DIGITS.test(text)) throw new UserError(`${file}: ${hexProblem(trimmed)}`);
    return Buffer.from(bytes);
  }
  if (trimmed === '') throw new UserError(`${file}: the signing key file is empty`);
  if (HEX_DIGITS.test(trimmed)) throw new UserError(`${file}: ${hexProblem(trimmed)}`);
  throw new UserError(
    `${file}: not a signing key: expected 64 hex digits, 32 raw bytes or 'passphrase: TEXT' (${bytes.length} bytes)`,
  );
}

function hexProblem(hex: string): string {
  return `a hex signing key has 64 digits, this one ${hex.length}`;
}

function passphraseKey(line: string, file: string): Buffer {
  const passphrase = line.slice(PASSPHRASE_PREFIX.length).trim();
  if (passphrase === '') throw new UserError(`${file}: the passphrase after '${PASSPHRASE_PREFIX}' is empty`);
  if (!PRINTABLE_ASCII.test(passphrase))
    throw new UserError(`${file}: the passphrase must be one line of printable ASCII, as MAVProxy takes it`);
  return createHash('sha256').update(passphrase, 'ascii').digest();
}
