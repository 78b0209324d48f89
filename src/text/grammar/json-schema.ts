/**
 * JSON Schema → GBNF, as llama.cpp's common/json-schema-to-grammar.cpp (with
 * the schema reading of common/json-schema.cpp): the same rules, names and
 * order, so a schema gives the grammar llama.cpp gives. Supported: `type`
 * (and type lists), `properties` / `required` (kept in the order written) /
 * `additionalProperties`, `enum`, `const`, `items` / `prefixItems`,
 * `minItems` / `maxItems`, `minLength` / `maxLength`, `minimum` / `maximum` /
 * `exclusiveMinimum` / `exclusiveMaximum` on integers, `anyOf` / `oneOf`,
 * `$ref` into `$defs` (or anywhere in the document), `pattern` (llama.cpp's
 * regex subset) and `format` date / time / date-time / uuid. Annotations
 * (`title`, `description`, …) are ignored; any other keyword is
 * INVALID_ARGUMENT naming it.
 */
import { GgufPagerError } from '../../errors.ts';
import { minMaxInt } from './json-schema-int.ts';
import { InvalidPattern, patternToRule, UnsupportedPattern } from './json-schema-pattern.ts';

type Schema = Record<string, unknown>;

const SPACE_RULE = '| " " | "\\n"{1,2} [ \\t]{0,20}';
const PRIMITIVES: Record<string, [string, string[]]> = {
  boolean: ['("true" | "false")', []],
  'decimal-part': ['[0-9]{1,16}', []],
  'integral-part': ['[0] | [1-9] [0-9]{0,15}', []],
  number: ['("-"? integral-part) ("." decimal-part)? ([eE] [-+]? integral-part)?', ['integral-part', 'decimal-part']],
  integer: ['("-"? integral-part)', ['integral-part']],
  value: ['object | array | string | number | boolean | null', ['object', 'array', 'string', 'number', 'boolean', 'null']],
  object: ['"{" space ( string ":" space value ("," space string ":" space value)* )? space "}"', ['string', 'value']],
  array: ['"[" space ( value ("," space value)* )? space "]"', ['value']],
  uuid: [String.raw`"\"" [0-9a-fA-F]{8} "-" [0-9a-fA-F]{4} "-" [0-9a-fA-F]{4} "-" [0-9a-fA-F]{4} "-" [0-9a-fA-F]{12} "\""`, []],
  char: [String.raw`[^"\\\x7F\x00-\x1F] | [\\] (["\\bfnrt] | "u" [0-9a-fA-F]{4})`, []],
  string: [String.raw`"\"" char* "\""`, ['char']],
  null: ['"null"', []],
};
const FORMATS: Record<string, [string, string[]]> = {
  date: ['[0-9]{4} "-" ( "0" [1-9] | "1" [0-2] ) "-" ( "0" [1-9] | [1-2] [0-9] | "3" [0-1] )', []],
  time: ['([01] [0-9] | "2" [0-3]) ":" [0-5] [0-9] ":" [0-5] [0-9] ( "." [0-9]{3} )? ( "Z" | ( "+" | "-" ) ( [01] [0-9] | "2" [0-3] ) ":" [0-5] [0-9] )', []],
  'date-time': ['date "T" time', ['date', 'time']],
  'date-string': [String.raw`"\"" date "\""`, ['date']],
  'time-string': [String.raw`"\"" time "\""`, ['time']],
  'date-time-string': [String.raw`"\"" date-time "\""`, ['date-time']],
};
const RESERVED = new Set(['root', ...Object.keys(PRIMITIVES), ...Object.keys(FORMATS)]);

/** Keywords that change nothing in the grammar. */
const ANNOTATIONS = new Set([
  'title',
  'description',
  '$schema',
  '$id',
  '$comment',
  'default',
  'examples',
  'deprecated',
  'readOnly',
  'writeOnly',
  '$defs',
  'definitions',
  'strict',
]);
const SUPPORTED = new Set([
  'type',
  'properties',
  'required',
  'additionalProperties',
  'enum',
  'const',
  'items',
  'prefixItems',
  'minItems',
  'maxItems',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'anyOf',
  'oneOf',
  '$ref',
  'pattern',
  'format',
]);

function schemaError(path: string, what: string, keyword?: string): GgufPagerError {
  return new GgufPagerError('INVALID_ARGUMENT', `JSON schema at ${path}: ${what}`, keyword ? { keyword, path } : { path });
}

const isObject = (v: unknown): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v);

/** format_literal: a GBNF string literal. */
export function gbnfLiteral(s: string): string {
  return '"' + s.replace(/[\r\n"\\]/g, (c) => ({ '\r': '\\r', '\n': '\\n', '"': '\\"', '\\': '\\\\' })[c]!) + '"';
}

export function buildRepetition(item: string, min: number, max: number, sep = ''): string {
  const hasMax = max !== Infinity;
  if (max === 0) return '';
  if (min === 0 && max === 1) return `${item}?`;
  if (!sep) {
    if (min === 1 && !hasMax) return `${item}+`;
    if (min === 0 && !hasMax) return `${item}*`;
    return `${item}{${min},${hasMax ? max : ''}}`;
  }
  const r = `${item} ${buildRepetition(`(${sep} ${item})`, min === 0 ? 0 : min - 1, hasMax ? max - 1 : max)}`;
  return min === 0 ? `(${r})?` : r;
}

/** Schemas nested deeper than this are refused (the converter recurses into each). */
export const MAX_SCHEMA_DEPTH = 128;

class Converter {
  rules = new Map<string, string>([['space', SPACE_RULE]]);
  private depth = 0;
  private readonly resolving = new Set<string>();
  readonly warnings: string[] = [];

  constructor(private readonly root: unknown) {}

  addRule(name: string, rule: string): string {
    const esc = name.replace(/[^a-zA-Z0-9-]+/g, '-');
    if (!this.rules.has(esc) || this.rules.get(esc) === rule) {
      this.rules.set(esc, rule);
      return esc;
    }
    let i = 0;
    while (this.rules.has(esc + i) && this.rules.get(esc + i) !== rule) i++;
    this.rules.set(esc + i, rule);
    return esc + i;
  }

  addPrimitive(name: string, [content, deps]: [string, string[]]): string {
    const n = this.addRule(name, content);
    for (const d of deps) if (!this.rules.has(d)) this.addPrimitive(d, PRIMITIVES[d] ?? FORMATS[d]);
    return n;
  }

  private primitive(ruleName: string, type: string): string {
    return this.addPrimitive(ruleName === 'root' ? 'root' : type, PRIMITIVES[type]);
  }

  private count(s: Schema, key: string, path: string, dflt: number): number {
    if (!(key in s)) return dflt;
    const v = s[key];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw schemaError(path, `${key} must be a non-negative integer`, key);
    return v;
  }

  private bound(s: Schema, key: string, path: string, roundUp: boolean): bigint {
    const v = s[key];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw schemaError(path, `${key} must be a number`, key);
    return BigInt(roundUp ? Math.ceil(v) : Math.floor(v));
  }

  private checkKeywords(s: Schema, path: string): void {
    for (const k of Object.keys(s)) {
      if (!SUPPORTED.has(k) && !ANNOTATIONS.has(k)) throw schemaError(path, `keyword '${k}' is not supported`, k);
    }
  }

  private resolve(ref: string, path: string): unknown {
    if (!ref.startsWith('#/')) throw schemaError(path, `unsupported $ref ${ref}, only references into the same document are supported`, '$ref');
    let t: unknown = this.root;
    for (const raw of ref.slice(2).split('/')) {
      const sel = raw.replace(/~1/g, '/').replace(/~0/g, '~');
      if (isObject(t) && sel in t) t = t[sel];
      else if (Array.isArray(t) && /^\d+$/.test(sel) && Number(sel) < t.length) t = t[Number(sel)];
      else throw schemaError(path, `cannot resolve $ref ${ref}, ${sel} not found`, '$ref');
    }
    return t;
  }

  private ref(ref: unknown, path: string): string {
    if (typeof ref !== 'string') throw schemaError(path, '$ref must be a string', '$ref');
    const target = this.resolve(ref, path);
    const h = ref.indexOf('#');
    let name = 'ref' + (h >= 0 ? ref.slice(h + 1) : ref).replace(/[^a-zA-Z0-9-]+/g, '-');
    if (!this.rules.has(name) && !this.resolving.has(ref)) {
      this.resolving.add(ref);
      name = this.visit(target, name, ref);
      this.resolving.delete(ref);
    }
    return name;
  }

  private union(name: string, alts: unknown[], path: string): string {
    return alts.map((a, i) => this.visit(a, name + (name === '' ? 'alternative-' : '-') + i, `${path}/${i}`)).join(' | ');
  }

  visit(schema: unknown, name: string, path: string): string {
    if (++this.depth > MAX_SCHEMA_DEPTH) throw schemaError(path.slice(0, 120) + '…', `nested deeper than ${MAX_SCHEMA_DEPTH} schemas`);
    try {
      return this.visitNode(schema, name, path);
    } finally {
      this.depth--;
    }
  }

  private visitNode(schema: unknown, name: string, path: string): string {
    const ruleName = RESERVED.has(name) ? name + '-' : name === '' ? 'root' : name;
    if (schema === true || (isObject(schema) && Object.keys(schema).every((k) => ANNOTATIONS.has(k))))
      return this.addRule(ruleName, this.addPrimitive('value', PRIMITIVES.value));
    if (!isObject(schema)) throw schemaError(path, 'schema must be an object');
    this.checkKeywords(schema, path);
    const s = schema;
    if ('$ref' in s) return this.addRule(ruleName, this.ref(s.$ref, path));
    if ('oneOf' in s || 'anyOf' in s) {
      const key = 'oneOf' in s ? 'oneOf' : 'anyOf';
      const alts = s[key];
      if (!Array.isArray(alts) || alts.length === 0) throw schemaError(`${path}/${key}`, 'must be a non-empty array of schemas', key);
      return this.addRule(ruleName, this.union(name, alts, `${path}/${key}`));
    }
    const type = s.type;
    if (Array.isArray(type)) {
      if (type.length === 0) throw schemaError(path, 'type must not be empty', 'type');
      return this.addRule(
        ruleName,
        this.union(
          name,
          type.map((t) => ({ ...s, type: t })),
          `${path}/type`,
        ),
      );
    }
    if ('const' in s) return this.addRule(ruleName, gbnfLiteral(JSON.stringify(s.const)));
    if ('enum' in s) {
      if (!Array.isArray(s.enum) || s.enum.length === 0) throw schemaError(path, 'enum must be a non-empty array', 'enum');
      return this.addRule(ruleName, '(' + s.enum.map((v) => gbnfLiteral(JSON.stringify(v))).join(' | ') + ')');
    }
    if (type !== undefined && typeof type !== 'string') throw schemaError(path, 'type must be a string or an array of strings', 'type');
    const hasProps = 'properties' in s || ('additionalProperties' in s && s.additionalProperties !== true);
    const t =
      type ??
      (hasProps
        ? 'object'
        : 'items' in s || 'prefixItems' in s
          ? 'array'
          : 'pattern' in s || 'minLength' in s || 'maxLength' in s || 'format' in s
            ? 'string'
            : 'any');
    switch (t) {
      case 'object':
        return this.object(s, name, ruleName, path);
      case 'array':
        return this.array(s, name, ruleName, path);
      case 'string':
        return this.string(s, ruleName, path);
      case 'integer':
        return this.integer(s, ruleName, path);
      case 'number':
      case 'boolean':
      case 'null':
        for (const k of ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum'])
          if (k in s) throw schemaError(path, `keyword '${k}' is supported on integers only`, k);
        return this.primitive(ruleName, t);
      case 'any':
        return this.addRule(ruleName, this.addPrimitive('value', PRIMITIVES.value));
      default:
        throw schemaError(path, `unrecognized type ${t}`, 'type');
    }
  }

  private array(s: Schema, name: string, ruleName: string, path: string): string {
    const sub = name + (name ? '-' : '');
    const key = 'items' in s ? 'items' : 'prefixItems' in s ? 'prefixItems' : null;
    const items = key ? s[key] : undefined;
    if (Array.isArray(items)) {
      const parts = items.map((it, i) => this.visit(it, `${sub}tuple-${i}`, `${path}/${key}/${i}`));
      return this.addRule(ruleName, `"[" space ${parts.join(' "," space ')} space "]"`);
    }
    const min = this.count(s, 'minItems', path, 0);
    const max = this.count(s, 'maxItems', path, -1);
    const anyItems = items === undefined || items === true || (isObject(items) && Object.keys(items).every((k) => ANNOTATIONS.has(k)));
    if (anyItems && min === 0 && max < 0) return this.primitive(ruleName, 'array');
    const item = this.visit(items ?? {}, `${sub}item`, `${path}/${key ?? 'items'}`);
    return this.addRule(ruleName, `"[" space ${buildRepetition(item, min, max < 0 ? Infinity : max, '"," space')} space "]"`);
  }

  private string(s: Schema, ruleName: string, path: string): string {
    if ('pattern' in s) {
      if (typeof s.pattern !== 'string') throw schemaError(path, 'pattern must be a string', 'pattern');
      const snapshot = new Map(this.rules);
      try {
        return patternToRule(s.pattern, ruleName, { addRule: (n, r) => this.addRule(n, r), buildRepetition });
      } catch (e) {
        this.rules = snapshot;
        if (e instanceof UnsupportedPattern) {
          this.warnings.push(`pattern ${s.pattern} is not supported (${e.message}), accepting any string`);
          return this.addRule(ruleName, this.addPrimitive('string', PRIMITIVES.string));
        }
        if (e instanceof InvalidPattern) throw schemaError(path, `invalid pattern ${s.pattern}: ${e.message}`, 'pattern');
        throw e;
      }
    }
    const f = typeof s.format === 'string' ? s.format : '';
    if (f === 'uuid' || /^uuid[1-5]$/.test(f)) return this.primitive(ruleName, 'uuid');
    if (f === 'date' || f === 'time' || f === 'date-time') return this.addRule(ruleName, this.addPrimitive(`${f}-string`, FORMATS[`${f}-string`]));
    const min = this.count(s, 'minLength', path, 0);
    const max = this.count(s, 'maxLength', path, -1);
    if (min > 0 || max >= 0) {
      const char = this.addPrimitive('char', PRIMITIVES.char);
      return this.addRule(ruleName, `"\\"" ${buildRepetition(char, min, max < 0 ? Infinity : max)} "\\""`);
    }
    return this.primitive(ruleName, 'string');
  }

  private integer(s: Schema, ruleName: string, path: string): string {
    const min = 'minimum' in s ? this.bound(s, 'minimum', path, true) : 'exclusiveMinimum' in s ? this.bound(s, 'exclusiveMinimum', path, false) + 1n : null;
    const max = 'maximum' in s ? this.bound(s, 'maximum', path, false) : 'exclusiveMaximum' in s ? this.bound(s, 'exclusiveMaximum', path, true) - 1n : null;
    if (min === null && max === null) return this.primitive(ruleName, 'integer');
    if (min !== null && max !== null && min > max) throw schemaError(path, `no integer lies in [${min}, ${max}]`, 'minimum');
    return this.addRule(ruleName, `(${minMaxInt(min, max)})`);
  }

  private object(s: Schema, name: string, ruleName: string, path: string): string {
    if ('properties' in s && !isObject(s.properties)) throw schemaError(path, 'properties must be an object', 'properties');
    const props = Object.entries((s.properties as Schema | undefined) ?? {});
    const required = new Set(Array.isArray(s.required) ? s.required.filter((r): r is string => typeof r === 'string') : []);
    let additional: unknown = null;
    if ('additionalProperties' in s) {
      const a = s.additionalProperties;
      if (a === true) additional = {};
      else if (isObject(a)) additional = a;
      else if (a !== false) throw schemaError(path, 'additionalProperties must be a boolean or a schema', 'additionalProperties');
    } else if (!('properties' in s)) additional = {};
    const anyAdditional = isObject(additional) && Object.keys(additional).every((k) => ANNOTATIONS.has(k));
    if (props.length === 0 && anyAdditional) return this.addRule(ruleName, this.addPrimitive('object', PRIMITIVES.object));
    return this.addRule(ruleName, buildObjectRule(this, props, required, name, additional, anyAdditional, path));
  }
}

function buildObjectRule(
  c: Converter,
  props: Array<[string, unknown]>,
  required: Set<string>,
  name: string,
  additional: unknown,
  anyAdditional: boolean,
  path: string,
): string {
  const pre = name + (name ? '-' : '');
  const req: string[] = [];
  const opt: string[] = [];
  const kv = new Map<string, string>();
  for (const [p, ps] of props) {
    const r = c.visit(ps, pre + p, `${path}/properties/${p}`);
    kv.set(p, c.addRule(`${pre}${p}-kv`, `${gbnfLiteral(JSON.stringify(p))} space ":" space ${r}`));
    (required.has(p) ? req : opt).push(p);
  }
  if (additional !== null) {
    const sub = `${pre}additional`;
    const value = anyAdditional ? c.addPrimitive('value', PRIMITIVES.value) : c.visit(additional, `${sub}-value`, `${path}/additionalProperties`);
    const key =
      props.length === 0
        ? c.addPrimitive('string', PRIMITIVES.string)
        : c.addRule(
            `${sub}-k`,
            notStrings(
              c,
              props.map(([p]) => p),
            ),
          );
    kv.set('*', c.addRule(`${sub}-kv`, `${key} ":" space ${value}`));
    opt.push('*');
  }
  if (req.length === 0 && opt.length === 0) return '"{" space "}"';
  let rule = '"{" space ' + req.map((p) => kv.get(p)!).join(' "," space ');
  if (opt.length > 0) {
    rule += ' (';
    if (req.length > 0) rule += ' "," space ( ';
    const rec = (ks: string[], firstOptional: boolean): string => {
      if (ks.length === 0) return '';
      const k = ks[0];
      const comma = `( "," space ${kv.get(k)!} )`;
      let res = firstOptional ? comma + (k === '*' ? '*' : '?') : kv.get(k)! + (k === '*' ? ` ${comma}*` : '');
      if (ks.length > 1) res += ' ' + c.addRule(`${pre}${k}-rest`, rec(ks.slice(1), true));
      return res;
    };
    rule += opt.map((_, i) => rec(opt.slice(i), false)).join(' | ');
    if (req.length > 0) rule += ' )';
    rule += ' )?';
  }
  return rule + ' space "}"';
}

/** _not_strings: a JSON string that is none of `strings`, through a trie of their code points. */
function notStrings(c: Converter, strings: string[]): string {
  type Node = { kids: Map<number, Node>; end: boolean };
  const root: Node = { kids: new Map(), end: false };
  for (const s of strings) {
    let n = root;
    for (const ch of s) {
      const cp = ch.codePointAt(0)!;
      let k = n.kids.get(cp);
      if (!k) n.kids.set(cp, (k = { kids: new Map(), end: false }));
      n = k;
    }
    n.end = true;
  }
  const char = c.addPrimitive('char', PRIMITIVES.char);
  let out = '["] ( ';
  const visit = (n: Node): void => {
    let rejects = '';
    let first = true;
    for (const [cp, k] of [...n.kids].sort((a, b) => a[0] - b[0])) {
      const ch = String.fromCodePoint(cp);
      rejects += ch;
      if (!first) out += ' | ';
      first = false;
      out += `[${ch}]`;
      if (k.kids.size > 0) {
        out += ' (';
        visit(k);
        out += ')';
      } else out += ` ${char}+`;
    }
    if (n.kids.size > 0) out += ` | [^"${rejects}] ${char}*`;
  };
  visit(root);
  out += ' )';
  if (!root.end) out += '?';
  return out + ' ["]';
}

export interface SchemaGrammar {
  grammar: string;
  /** Parts of the schema the grammar does not enforce (patterns outside the supported regex subset). */
  warnings: string[];
}

/** The GBNF grammar of a JSON Schema (rules sorted by name, as llama.cpp prints them). */
export function jsonSchemaToGrammar(schema: unknown): SchemaGrammar {
  const c = new Converter(schema);
  c.visit(schema, '', '#');
  const grammar = [...c.rules]
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([k, v]) => `${k} ::= ${v}\n`)
    .join('');
  return { grammar, warnings: c.warnings };
}
