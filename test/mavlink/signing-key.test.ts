import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { loadSigningKey } from '../../src/mavlink/index.js';

const HEX = '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f';
let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dustpatrol-key-'));
});

function keyFile(name: string, content: string | Buffer, mode = 0o600): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, content, { mode });
  fs.chmodSync(file, mode);
  return file;
}

function refusal(file: string): string {
  try {
    loadSigningKey(file);
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    const message = (err as Error).message;
    expect(message.split('\n')).toHaveLength(1);
    return message;
  }
  throw new Error(`${file} was accepted`);
}

describe('a signing key file', () => {
  it('holds 64 hex digits, whitespace around them ignored', () => {
    const { key, warning } = loadSigningKey(keyFile('hex.key', `  ${HEX.toUpperCase()}\n\n`));
    expect(key.toString('hex')).toBe(HEX);
    expect(warning).toBeNull();
  });

  it('or the 32 raw bytes', () => {
    const raw = Buffer.from(Array.from({ length: 32 }, (_, i) => 255 - i * 3));
    expect(loadSigningKey(keyFile('raw.key', raw)).key.equals(raw)).toBe(true);
  });

  it("or 'passphrase: TEXT', whose key is SHA-256 of TEXT as MAVProxy and Mission Planner make it", () => {
    const { key } = loadSigningKey(keyFile('phrase.key', 'passphrase:  dust-over-erqi \n'));
    expect(key.equals(createHash('sha256').update('dust-over-erqi').digest())).toBe(true);
  });

  it('is refused in one line naming the file and what is wrong', () => {
    const cases: [string, string | Buffer, RegExp][] = [
      ['empty.key', '', /empty/],
      ['short-hex.key', `${HEX.slice(1)}\n`, /a hex signing key has 64 digits, this one 63/],
      ['half-hex.key', HEX.slice(0, 32), /a hex signing key has 64 digits, this one 32/],
      ['long-hex.key', `${HEX}0\n`, /64 digits, this one 65/],
      [
        'text.key',
        'my secret\n',
        /not a signing key: expected 64 hex digits, 32 raw bytes or 'passphrase: TEXT'/,
      ],
      ['raw31.key', Buffer.alloc(31, 7), /not a signing key/],
      ['zero.key', Buffer.alloc(32), /all zeros/],
      ['no-phrase.key', 'passphrase:   \n', /passphrase after 'passphrase:' is empty/],
      ['two-lines.key', 'passphrase: one\ntwo\n', /one line of printable ASCII/],
      ['big.key', Buffer.alloc(10_000, 0x41), /10000 bytes/],
    ];
    for (const [name, content, problem] of cases) {
      const file = keyFile(name, content);
      const message = refusal(file);
      expect(message, name).toContain(file);
      expect(message, name).toMatch(problem);
    }
    expect(refusal(path.join(dir, 'missing.key'))).toMatch(
      /missing\.key: cannot read the signing key \(ENOENT\)/,
    );
    expect(refusal(dir)).toMatch(/cannot read the signing key \(EISDIR\)/);
  });

  it('readable by group or others is used, with a one-line warning', () => {
    const { key, warning } = loadSigningKey(keyFile('open.key', HEX, 0o644));
    expect(key.toString('hex')).toBe(HEX);
    expect(warning).toMatch(
      /open\.key: the signing key is readable by group or others \(mode 644\); chmod 600 it/,
    );
    expect(loadSigningKey(keyFile('group.key', HEX, 0o640)).warning).toMatch(/mode 640/);
  });
});
