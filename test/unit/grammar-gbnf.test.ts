/** GBNF grammars (llama.cpp's syntax) accept and reject whole strings as llama.cpp's matcher does. */
import { describe, expect, it } from 'vitest';
import { isGgufPagerError } from '../../src/errors.ts';
import { GrammarAutomaton, parseGbnf } from '../../src/text/grammar/index.ts';
import { DEAD, grammarAccepts } from '../../src/text/grammar/automaton.ts';
import { JSON_GBNF } from '../../src/text/grammar/json-gbnf.ts';

const accepts = (g: string, s: string) => grammarAccepts(new GrammarAutomaton(parseGbnf(g)), s);

function check(g: string, yes: string[], no: string[]): void {
  const a = new GrammarAutomaton(parseGbnf(g));
  for (const s of yes) expect(grammarAccepts(a, s), `accepts ${JSON.stringify(s)}`).toBe(true);
  for (const s of no) expect(grammarAccepts(a, s), `rejects ${JSON.stringify(s)}`).toBe(false);
}

describe('GBNF syntax', () => {
  it('matches literals, alternation and groups', () => {
    check('root ::= "ab" | "c" ( "d" | "e" )', ['ab', 'cd', 'ce'], ['', 'a', 'c', 'abc', 'cde', 'x']);
  });

  it('matches character classes with ranges, negation and escapes', () => {
    check('root ::= [a-cx] [^0-9\\n] [\\x41-\\x43]', ['axA', 'b-C', 'xxB'], ['dxA', 'a5A', 'a\nA', 'axD']);
    check('root ::= "\\t\\"\\\\\\u00e9\\U0001F600"', ['\t"\\é😀'], ['\t"\\e😀']);
    check('root ::= [\\]\\[\\-]+', ['[]-', '-'], ['a', '']);
  });

  it('repeats with * + ? and {m}, {m,}, {m,n}', () => {
    check('root ::= "a"* "b"+ "c"?', ['b', 'aabbc', 'bbb'], ['', 'a', 'cc', 'abcc']);
    check('root ::= [0-9]{3}', ['123'], ['12', '1234']);
    check('root ::= [0-9]{2,}', ['12', '12345'], ['1']);
    check('root ::= [0-9]{1,3} "x"', ['1x', '123x'], ['x', '1234x']);
    check('root ::= ("ab" | "c"){0,2}', ['', 'ab', 'cab', 'cc'], ['abcab', 'a']);
  });

  it('matches any character with . and multi-byte UTF-8 characters', () => {
    check('root ::= . "!"', ['a!', 'é!', '😀!', '中!'], ['!', 'ab!']);
    check('root ::= [α-ω]+', ['αβγ', 'ω'], ['a', 'αA']);
  });

  it('reads comments, rule references and newlines inside groups', () => {
    const g = `# a comment
root ::= greeting " " name # trailing comment
greeting ::= ( "hi"
  | "hello" )
name ::= [A-Z] [a-z]*`;
    check(g, ['hi Bob', 'hello X'], ['hi bob', 'hey Bob']);
  });

  it('accepts JSON documents with the JSON grammar and rejects broken ones', () => {
    check(
      JSON_GBNF,
      ['{}', '{"a": [1, 2.5, -3e5, true, null, "x\\n\\u00e9"]}', '{ "k" : { "n": {} } }'],
      ['', '{', '{"a" 1}', '[1]', '{"a": 01}', '{"a": "\x01"}', '{"a": tru}'],
    );
  });
});

describe('GBNF errors', () => {
  const bad: Array<[string, RegExp]> = [
    ['root ::= foo', /undefined rule identifier 'foo'/],
    ['main ::= "a"', /no 'root' rule/],
    ['root ::= "a', /unexpected end of input/],
    ['root ::= [a-', /unexpected end of input/],
    ['root ::= "\\q"', /unknown escape/],
    ['root ::= * "a"', /expecting preceding item/],
    ['root ::= "a"{2,1}', /max < min/],
    ['root ::= "a"{3000}', /more than 2000 repetitions/],
    ['root ::= root "a" | "b"', /left recursion in rule 'root'/],
    ['root ::= <[12]>', /token elements/],
    ['root ::= ( "a" ', /expecting '\)'/],
    ['root : "a"', /expecting ::=/],
    ['root ::= ' + '('.repeat(20000) + '"a"' + ')'.repeat(20000), /groups nested deeper than 256/],
  ];
  for (const [g, msg] of bad) {
    it(`refuses ${JSON.stringify(g)} with INVALID_ARGUMENT`, () => {
      let err: unknown;
      try {
        parseGbnf(g);
      } catch (e) {
        err = e;
      }
      expect(isGgufPagerError(err, 'INVALID_ARGUMENT'), String(err)).toBe(true);
      expect((err as Error).message).toMatch(msg);
    });
  }
});

describe('the byte automaton', () => {
  it('follows a character split across steps (partial UTF-8) and refuses impossible prefixes early', () => {
    const a = new GrammarAutomaton(parseGbnf('root ::= "é" | [\\u4e00-\\u9fff]'));
    const e = new TextEncoder().encode('é');
    const s1 = a.step(a.start, e[0]);
    expect(s1).not.toBe(DEAD);
    expect(a.accepting(s1)).toBe(false);
    expect(a.complete(a.step(s1, e[1]))).toBe(true);
    // 0xC3 0xA8 is 'è': the first byte is a possible prefix, the second is not
    expect(a.step(s1, 0xa8)).toBe(DEAD);
    // a 4-byte lead can never become a character in U+4E00..U+9FFF
    expect(a.step(a.start, 0xf0)).toBe(DEAD);
    // a continuation byte can't start a character
    expect(a.step(a.start, 0x80)).toBe(DEAD);
    expect(accepts('root ::= "ab"', 'ab')).toBe(true);
  });

  it('lets only well-formed UTF-8 through: no overlong forms, surrogates or code points past U+10FFFF', () => {
    const a = new GrammarAutomaton(parseGbnf('root ::= .+'));
    const ok = (bytes: number[]) => {
      const s = a.walk(a.start, Uint8Array.from(bytes));
      return s !== DEAD && a.accepting(s);
    };
    expect(ok([0xc3, 0xa9])).toBe(true);
    expect(ok([0xf4, 0x8f, 0xbf, 0xbf])).toBe(true);
    expect(ok([0xed, 0x9f, 0xbf])).toBe(true);
    for (const bad of [
      [0xc0, 0x80],
      [0xc1, 0xbf],
      [0xe0, 0x80, 0x80],
      [0xed, 0xa0, 0x80],
      [0xf0, 0x80, 0x80, 0x80],
      [0xf4, 0x90, 0x80, 0x80],
      [0xf5, 0x80, 0x80, 0x80],
      [0x80],
    ]) {
      expect(ok(bad), bad.map((b) => b.toString(16)).join(' ')).toBe(false);
    }
  });

  it('reuses states: a long string inside a JSON value does not grow the automaton', () => {
    const a = new GrammarAutomaton(parseGbnf(JSON_GBNF));
    const s = a.walk(a.start, new TextEncoder().encode('{"k": "' + 'abc def '.repeat(50)));
    expect(s).not.toBe(DEAD);
    const n = a.stateCount;
    a.walk(s, new TextEncoder().encode('more text of the same kind'));
    expect(a.stateCount).toBe(n);
  });
});
