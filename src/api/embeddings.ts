/** `embeddings.create`: pooled, L2-normalized vectors of each input, in OpenAI's list shape. */
import { GgufPagerError } from '../errors.ts';
import type { ApiBackend } from './backend.ts';
import { invalidField } from './params.ts';
import type { EmbeddingParams, EmbeddingResponse } from './types.ts';

export interface Embeddings {
  create(params: EmbeddingParams): Promise<EmbeddingResponse>;
}

function inputsOf(input: EmbeddingParams['input']): Array<string | number[]> {
  if (typeof input === 'string') return [input];
  if (!Array.isArray(input) || input.length === 0) throw invalidField('input', 'must be a string, an array of strings, or token ids');
  if (input.every((x) => typeof x === 'number')) return [[...(input as number[])]];
  return input.map((x, i) => {
    if (typeof x === 'string') return x;
    if (Array.isArray(x) && x.length > 0 && x.every((t) => Number.isInteger(t))) return [...x];
    throw invalidField(`input[${i}]`, 'must be a string or a non-empty array of token ids');
  });
}

export function embeddings(backend: ApiBackend): Embeddings {
  return {
    async create(params: EmbeddingParams): Promise<EmbeddingResponse> {
      if (!params || typeof params !== 'object') throw invalidField('params', 'must be an object');
      const inputs = inputsOf(params.input);
      if (params.encoding_format !== undefined && params.encoding_format !== 'float')
        throw invalidField('encoding_format', `only 'float' is supported, got ${JSON.stringify(params.encoding_format)}`);
      if (params.dimensions !== undefined) throw invalidField('dimensions', 'is not supported (the model gives its own width)');
      const pooling = params.pooling;
      if (pooling !== undefined && pooling !== 'mean' && pooling !== 'cls' && pooling !== 'last')
        throw invalidField('pooling', `must be mean, cls or last, got ${JSON.stringify(pooling)}`);
      if (!backend.embed) throw new GgufPagerError('INVALID_ARGUMENT', `${backend.modelName}: this model cannot compute embeddings`, { field: 'model' });
      const r = await backend.embed(inputs, { pooling, signal: params.signal });
      return {
        object: 'list',
        model: backend.modelName,
        data: r.vectors.map((embedding, index) => ({ object: 'embedding', index, embedding })),
        usage: { prompt_tokens: r.tokens, total_tokens: r.tokens },
      };
    },
  };
}
