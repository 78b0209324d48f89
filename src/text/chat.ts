/**
 * Chat messages → prompt, with the model's own Jinja template
 * (`tokenizer.chat_template`) rendered by @huggingface/jinja, as Hugging Face's
 * apply_chat_template does. A model without a template gets ChatML.
 */
import { Template } from '@huggingface/jinja';
import { GgufPagerError } from '../errors.ts';
import type { Tokenizer } from './tokenizer.ts';
import type { TokenizerMetadata } from './vocab.ts';

export interface ChatMessage {
  role: string;
  content: string;
}

export interface ChatTemplateOptions {
  /** The Jinja template; ChatML when absent. */
  template?: string;
  /** End the prompt with the opening of the assistant's turn. Default true. */
  addGenerationPrompt?: boolean;
  bosToken?: string;
  eosToken?: string;
  /** Names the model in errors. */
  modelName?: string;
  /** More variables for the template (e.g. `tools`, `date_string`). */
  extra?: Record<string, unknown>;
  /** Variables a caller passes to the template beyond messages (e.g. `{ enable_thinking: false }` for Qwen3's); the engine hands them over as `extra`. */
  templateVars?: Record<string, unknown>;
}

export interface ChatTemplateResult {
  prompt: string;
  /** No template was given: ChatML was used. */
  usedDefault: boolean;
}

/** ChatML (`<|im_start|>role\ncontent<|im_end|>\n`), what a model without a template gets. */
export const CHATML_TEMPLATE =
  "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

const compiled = new Map<string, Template>();

function templateOf(source: string): Template {
  let t = compiled.get(source);
  if (!t) {
    t = new Template(source);
    if (compiled.size >= 16) compiled.clear();
    compiled.set(source, t);
  }
  return t;
}

export function applyChatTemplate(messages: readonly ChatMessage[], opts: ChatTemplateOptions = {}): ChatTemplateResult {
  const model = opts.modelName ?? 'the model';
  if (!Array.isArray(messages) || messages.some((m) => !m || typeof m.role !== 'string' || typeof m.content !== 'string')) {
    throw new GgufPagerError('CHAT_TEMPLATE', `chat template of ${model}: messages must be an array of { role: string, content: string }`, { model });
  }
  const usedDefault = opts.template === undefined || opts.template === '';
  const source = usedDefault ? CHATML_TEMPLATE : opts.template!;
  try {
    const prompt = templateOf(source).render({
      ...opts.extra,
      messages: messages.map((m) => ({ ...m })),
      add_generation_prompt: opts.addGenerationPrompt ?? true,
      bos_token: opts.bosToken ?? '',
      eos_token: opts.eosToken ?? '',
    });
    return { prompt, usedDefault };
  } catch (e) {
    throw new GgufPagerError('CHAT_TEMPLATE', `chat template of ${model} failed: ${(e as Error)?.message ?? String(e)}`, { model });
  }
}

/** The template options a model's metadata gives: its template, BOS/EOS texts and name. */
export function chatTemplateOptions(meta: TokenizerMetadata, tok?: Tokenizer): ChatTemplateOptions {
  const md: ReadonlyMap<string, unknown> = meta instanceof Map ? meta : (meta as { metadata: ReadonlyMap<string, unknown> }).metadata;
  const template = md.get('tokenizer.chat_template');
  const name = md.get('general.name') ?? md.get('general.architecture');
  return {
    template: typeof template === 'string' ? template : undefined,
    bosToken: tok && tok.bos !== null ? tok.tokenText(tok.bos) : undefined,
    eosToken: tok && tok.eos !== null ? tok.tokenText(tok.eos) : undefined,
    modelName: typeof name === 'string' ? name : undefined,
  };
}
