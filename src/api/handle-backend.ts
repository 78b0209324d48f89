/**
 * The API on the page: a backend over a ModelHandle (generation runs in the
 * worker and streams its pieces back), and the handle's `chat.completions`,
 * `completions` and `embeddings` namespaces.
 */
import type { ChatFunction, ModelHandle } from '../runtime/model-handle.ts';
import type { ApiBackend } from './backend.ts';
import { createOpenAiApi } from './index.ts';

/** A handle before the API namespaces are attached. */
export type BareHandle = Omit<ModelHandle, 'chat' | 'completions' | 'embeddings'> & { chat: ChatFunction };

export function handleBackend(h: BareHandle): ApiBackend {
  const meta = new Map(h.info.metadata);
  const name = meta.get('general.name');
  const modelName = typeof name === 'string' ? name : h.info.source;
  const tokenText = async (key: string): Promise<string | undefined> => {
    const id = meta.get(key);
    const n = typeof id === 'bigint' ? Number(id) : id;
    return typeof n === 'number' ? h.detokenize([n], { renderSpecial: true }) : undefined;
  };
  let template: Promise<Awaited<ReturnType<ApiBackend['templateOptions']>>> | null = null;
  return {
    modelName,
    templateOptions: () =>
      (template ??= (async () => {
        const t = meta.get('tokenizer.chat_template');
        return {
          template: typeof t === 'string' ? t : undefined,
          bosToken: await tokenText('tokenizer.ggml.bos_token_id'),
          eosToken: await tokenText('tokenizer.ggml.eos_token_id'),
          modelName,
        };
      })()),
    generate: (prompt, opts) => h.generate(prompt, opts),
    embed: (inputs, opts) => h.embed(inputs, opts),
  };
}

/** The handle with its OpenAI-style namespaces: `model.chat.completions.create(…)` and the others. */
export function withOpenAiApi(h: BareHandle): ModelHandle {
  const api = createOpenAiApi(handleBackend(h));
  const chat = Object.assign(h.chat, { completions: api.chat.completions });
  return Object.assign(h, { chat, completions: api.completions, embeddings: api.embeddings });
}
