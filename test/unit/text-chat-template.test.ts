/**
 * applyChatTemplate renders real chat templates (llama 2, llama 3, ChatML,
 * Qwen 2, Phi-3, Gemma, Mistral; each with its source in the JSON) to the
 * expected prompts; a template that raises or does not parse is a CHAT_TEMPLATE
 * error naming the model; no template means ChatML.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isGgufPagerError } from '../../src/errors.ts';
import { applyChatTemplate, chatTemplateOptions, createTokenizer } from '../../src/text/index.ts';
import { REPO_ROOT } from '../cases/fixtures-dir.ts';
import { vocabTokenizerModel } from '../cases/text-models.ts';

interface TemplateCase {
  messages: { role: string; content: string }[];
  expected?: string;
  error?: string;
  addGenerationPrompt?: boolean;
}
interface StoredTemplate {
  name: string;
  model: string;
  source: string;
  template: string;
  bos: string;
  eos: string;
  cases: TemplateCase[];
}
const stored = JSON.parse(readFileSync(`${REPO_ROOT}/test/vectors/text/chat-templates.json`, 'utf8')) as { templates: StoredTemplate[] };

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return isGgufPagerError(e) ? `${e.code}: ${e.message}` : `not typed: ${String(e)}`;
  }
  return 'no error';
}

describe('real chat templates', () => {
  it('covers llama 2, llama 3, ChatML, Qwen 2, Phi-3, Gemma and Mistral, each with a named source', () => {
    expect(stored.templates.map((t) => t.name)).toEqual(['llama-2', 'llama-3', 'chatml', 'qwen2', 'phi-3', 'gemma', 'mistral']);
    for (const t of stored.templates) expect(t.source.length).toBeGreaterThan(20);
  });
  for (const t of stored.templates) {
    t.cases.forEach((c, i) => {
      const opts = { template: t.template, bosToken: t.bos, eosToken: t.eos, modelName: t.model, addGenerationPrompt: c.addGenerationPrompt ?? true };
      if (c.expected !== undefined) {
        it(`${t.name} (${t.model}) case ${i}: renders the expected prompt`, () => {
          expect(applyChatTemplate(c.messages, opts)).toEqual({ prompt: c.expected, usedDefault: false });
        });
      } else {
        it(`${t.name} (${t.model}) case ${i}: the template's own exception is a CHAT_TEMPLATE error naming the model`, () => {
          const err = codeOf(() => applyChatTemplate(c.messages, opts));
          expect(err).toMatch(/^CHAT_TEMPLATE: /);
          expect(err).toContain(t.model);
          expect(err).toContain(c.error!);
        });
      }
    });
  }
});

describe('applyChatTemplate', () => {
  it('uses ChatML when the model has no template, and says so', () => {
    const r = applyChatTemplate([{ role: 'user', content: 'Hi' }], {});
    expect(r).toEqual({ prompt: '<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n', usedDefault: true });
    expect(applyChatTemplate([{ role: 'user', content: 'Hi' }], { addGenerationPrompt: false }).prompt).toBe('<|im_start|>user\nHi<|im_end|>\n');
  });

  it('a template that does not parse is a CHAT_TEMPLATE error naming the model', () => {
    expect(
      codeOf(() => applyChatTemplate([{ role: 'user', content: 'x' }], { template: '{% for m in messages %}{{ m.content }', modelName: 'Broken-7B' })),
    ).toMatch(/^CHAT_TEMPLATE: chat template of Broken-7B failed/);
  });

  it('refuses messages that are not { role, content } strings with a CHAT_TEMPLATE error', () => {
    expect(codeOf(() => applyChatTemplate([{ role: 'user', content: 3 as unknown as string }], { modelName: 'M' }))).toMatch(/^CHAT_TEMPLATE: .*M/);
  });

  it("takes a model's template, BOS and EOS texts from its GGUF metadata (phi-3 vocab fixture)", async () => {
    const model = await vocabTokenizerModel('phi-3');
    const tok = createTokenizer(model);
    const opts = chatTemplateOptions(model, tok);
    expect(opts.template).toContain('<|user|>');
    expect([opts.bosToken, opts.eosToken]).toEqual(['<s>', '<|endoftext|>']);
    const { prompt, usedDefault } = applyChatTemplate([{ role: 'user', content: 'Hello' }], opts);
    expect(usedDefault).toBe(false);
    expect(prompt).toContain('<|user|>\nHello<|end|>\n<|assistant|>\n');
    // the rendered prompt's control tokens become single tokens with parseSpecial
    const ids = tok.encode(prompt, { addSpecial: false, parseSpecial: true });
    expect(ids).toContain(tok.tokenId('<|user|>'));
    expect(ids).toContain(tok.tokenId('<|assistant|>'));
  });
});
