/**
 * OpenAI request fields → the engine's generation options. Absent and null
 * fields take defaults; a value this library does not implement (n > 1,
 * logprobs, a response_format type it does not know, …) is INVALID_ARGUMENT
 * naming the field. Fields it does not know are ignored.
 */
import { GgufPagerError } from '../errors.ts';
import type { GenerateOptions } from '../engine/generation.ts';
import { JSON_GBNF } from '../text/grammar/json-gbnf.ts';
import { jsonSchemaToGrammar } from '../text/grammar/json-schema.ts';
import { parseGbnf } from '../text/grammar/gbnf.ts';
import type { ResponseFormat, SamplingParams } from './types.ts';

export function invalidField(field: string, what: string): GgufPagerError {
  return new GgufPagerError('INVALID_ARGUMENT', `${field}: ${what}`, { field });
}

const present = <T>(v: T | null | undefined): v is T => v !== undefined && v !== null;

function number(p: Record<string, unknown>, field: string, ok: (x: number) => boolean, range: string): number | undefined {
  const v = p[field];
  if (!present(v)) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v)) throw invalidField(field, `must be ${range}, got ${JSON.stringify(v)}`);
  return v;
}

const int = (x: number) => Number.isInteger(x);

/** The grammar response_format asks for, or undefined. */
export function responseFormatGrammar(rf: ResponseFormat | null | undefined): string | undefined {
  if (!present(rf)) return undefined;
  if (typeof rf !== 'object' || typeof rf.type !== 'string') throw invalidField('response_format', 'must be an object with a type');
  if (rf.type === 'text') return undefined;
  if (rf.type === 'json_object') return JSON_GBNF;
  if (rf.type === 'json_schema') {
    const js = (rf as { json_schema?: { schema?: unknown } }).json_schema;
    if (!js || typeof js !== 'object') throw invalidField('response_format.json_schema', 'is required for type json_schema');
    // no schema: any JSON value
    return jsonSchemaToGrammar(js.schema ?? {}).grammar;
  }
  throw invalidField('response_format.type', `'${rf.type}' is not supported (text, json_object, json_schema)`);
}

/** Sampling, stop and length options from the request's fields. */
export function generateOptions(p: SamplingParams, grammar: string | undefined): GenerateOptions {
  const r = p as Record<string, unknown>;
  const n = number(r, 'n', int, 'an integer');
  if (n !== undefined && n !== 1) throw invalidField('n', `only n = 1 is supported, got ${n}`);
  if (present(p.logprobs) && p.logprobs !== false && p.logprobs !== 0) throw invalidField('logprobs', 'log probabilities are not supported');
  const topLogprobs = number(r, 'top_logprobs', int, 'an integer');
  if (topLogprobs !== undefined && topLogprobs !== 0) throw invalidField('top_logprobs', 'log probabilities are not supported');
  const maxTokens =
    number(r, 'max_completion_tokens', (x) => int(x) && x >= 1, 'an integer ≥ 1') ?? number(r, 'max_tokens', (x) => int(x) && x >= 1, 'an integer ≥ 1');
  const o: GenerateOptions = {
    maxTokens: maxTokens ?? Number.MAX_SAFE_INTEGER,
    temperature: number(r, 'temperature', (x) => x >= 0 && x <= 2, 'a number in [0, 2]') ?? 1,
    topP: number(r, 'top_p', (x) => x > 0 && x <= 1, 'a number in (0, 1]') ?? 1,
    topK: number(r, 'top_k', (x) => int(x) && x >= 0, 'an integer ≥ 0'),
    minP: number(r, 'min_p', (x) => x >= 0 && x <= 1, 'a number in [0, 1]'),
    repeatPenalty: number(r, 'repeat_penalty', (x) => x > 0, 'a number > 0'),
    presencePenalty: number(r, 'presence_penalty', (x) => x >= -2 && x <= 2, 'a number in [-2, 2]'),
    frequencyPenalty: number(r, 'frequency_penalty', (x) => x >= -2 && x <= 2, 'a number in [-2, 2]'),
    seed: number(r, 'seed', int, 'an integer'),
  };
  if (present(p.stop)) {
    const stop = typeof p.stop === 'string' ? [p.stop] : p.stop;
    if (!Array.isArray(stop) || stop.some((s) => typeof s !== 'string')) throw invalidField('stop', 'must be a string or an array of strings');
    o.stop = stop.filter((s) => s !== '');
  }
  if (present(p.logit_bias)) {
    if (typeof p.logit_bias !== 'object') throw invalidField('logit_bias', 'must map token ids to numbers');
    const bias: Record<number, number> = {};
    for (const [k, v] of Object.entries(p.logit_bias)) {
      if (!/^\d+$/.test(k) || typeof v !== 'number' || !Number.isFinite(v)) throw invalidField(`logit_bias.${k}`, 'must map a token id to a finite number');
      bias[Number(k)] = v <= -100 ? -Infinity : v;
    }
    o.logitBias = bias;
  }
  if (present(p.grammar)) {
    if (typeof p.grammar !== 'string') throw invalidField('grammar', 'must be GBNF text');
    if (grammar !== undefined) throw invalidField('grammar', 'cannot be combined with response_format or a forced tool call');
    grammar = p.grammar;
  }
  if (grammar !== undefined) {
    parseGbnf(grammar); // a syntax error is reported now, naming the place, not from inside the worker
    o.grammar = grammar;
  }
  if (present(p.signal)) o.signal = p.signal;
  for (const k of Object.keys(o) as Array<keyof GenerateOptions>) if (o[k] === undefined) delete o[k];
  return o;
}
