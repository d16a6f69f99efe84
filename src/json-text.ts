import { UserError } from './errors.js';

export type Json = null | boolean | number | string | Json[] | JsonObject;
export interface JsonObject {
  [key: string]: Json;
}

/** Parses JSON text; a syntax error names the line and column (1-based) and what was expected there. */
export function parseJsonText(text: string, source: string): Json {
  try {
    return JSON.parse(text) as Json;
  } catch {
    // JSON.parse's messages do not always say where; find the spot ourselves.
    const { offset, problem } = locateJsonError(text);
    const before = text.slice(0, offset).split('\n');
    const line = before.length;
    const column = before[before.length - 1].length + 1;
    throw new UserError(`${source}: invalid JSON at line ${line}, column ${column}: ${problem}`);
  }
}

/** Where the first syntax error in (invalid) JSON text is, by a small RFC 8259 scanner. */
function locateJsonError(text: string): { offset: number; problem: string } {
  let i = 0;
  const fail = (problem: string): never => {
    throw { offset: i, problem };
  };
  const describe = (): string => (i >= text.length ? 'end of file' : `'${text[i]}'`);
  const space = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) i++;
  };
  const expect = (char: string, what: string) => {
    space();
    if (text[i] !== char) fail(`expected ${what}, found ${describe()}`);
    i++;
  };
  const string = () => {
    i++;
    while (i < text.length && text[i] !== '"') {
      const c = text.charCodeAt(i);
      if (c < 0x20) fail('control character in a string');
      if (text[i] === '\\') {
        i++;
        if (text[i] === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail('bad \\u escape');
          i += 4;
        } else if (!'"\\/bfnrt'.includes(text[i] ?? '')) fail('bad escape in a string');
      }
      i++;
    }
    if (i >= text.length) fail('unterminated string');
    i++;
  };
  const value = (): void => {
    space();
    const c = text[i];
    if (c === '{') {
      i++;
      space();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        space();
        if (text[i] !== '"') fail(`expected a double-quoted property name, found ${describe()}`);
        string();
        expect(':', "':' after a property name");
        value();
        space();
        if (text[i] === ',') {
          i++;
          continue;
        }
        expect('}', "',' or '}' after a property value");
        return;
      }
    }
    if (c === '[') {
      i++;
      space();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value();
        space();
        if (text[i] === ',') {
          i++;
          continue;
        }
        expect(']', "',' or ']' after an array element");
        return;
      }
    }
    if (c === '"') {
      string();
      return;
    }
    const literal = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(
      text.slice(i, i + 400),
    );
    if (!literal) fail(`expected a value, found ${describe()}`);
    i += (literal as RegExpExecArray)[0].length;
  };
  try {
    value();
    space();
    if (i < text.length) fail(`unexpected ${describe()} after the end of the document`);
    return { offset: text.length, problem: 'unexpected end of file' };
  } catch (err) {
    return err as { offset: number; problem: string };
  }
}
