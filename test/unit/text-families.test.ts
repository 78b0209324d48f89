/**
 * Text for the qwen3, gemma2, gemma3 and phi3 families, against llama.cpp (test/vectors/text/families.json, written by
 * scripts/make-family-text-vectors.mjs) and their chat templates (test/vectors/text/chat-families.json):
 * gemma's SentencePiece without a space prefix, the end-of-generation tokens `<end_of_turn>`, `<|im_end|>` and
 * `<|end|>` in an SPM and a qwen2-BPE vocabulary, Gemma's templates without and with a system role of their
 * own, and Qwen3's `enable_thinking` through `templateVars`.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { planBytes } from '../../src/authoring/model-plan.ts';
import { parseGguf } from '../../src/gguf/parse.ts';
import { ggufEntries } from '../../src/authoring/reencode.ts';
import type { MetadataEntry } from '../../src/authoring/write.ts';
import type { Standalone } from '../../src/engine/standalone.ts';
import type { ChatMessage } from '../../src/text/chat.ts';
import { MemorySource } from '../../src/sources/memory.ts';
import { fixturePath, REPO_ROOT } from '../cases/fixtures-dir.ts';
import { openReference, reference, STORIES } from '../cases/gen-models.ts';
import { tokenizerFromBytes } from '../cases/text-vocab.ts';

interface Families {
  spmNoSpacePrefix: { base: string; cases: Array<{ text: string; ids: number[]; decoded: string }> };
  eog: Record<string, { base: string; pre?: string; ids: number[]; texts: string[]; isEog: boolean[]; text: string; parsed: number[] }>;
}
interface Chats {
  templates: Array<{
    name: string;
    template: string;
    bos: string;
    cases: Array<{ messages: ChatMessage[]; expected: string; templateVars?: Record<string, unknown> }>;
  }>;
}
const V = JSON.parse(readFileSync(`${REPO_ROOT}/test/vectors/text/families.json`, 'utf8')) as Families;
const C = JSON.parse(readFileSync(`${REPO_ROOT}/test/vectors/text/chat-families.json`, 'utf8')) as Chats;

/** A vocab fixture with metadata rewritten by `edit` (as the script rewrote it). */
async function rewritten(base: string, edit: (key: string, value: unknown) => unknown) {
  const bytes = new Uint8Array(readFileSync(fixturePath(base)));
  const entries: MetadataEntry[] = (await ggufEntries(bytes)).map(([k, v, t]) => [k, edit(k, v), t] as MetadataEntry);
  // a key the fixture lacks, set as the script sets it (GGUF type 7: BOOL)
  if (!entries.some(([k]) => k === 'tokenizer.ggml.add_space_prefix') && edit('tokenizer.ggml.add_space_prefix', undefined) !== undefined) {
    entries.push(['tokenizer.ggml.add_space_prefix', edit('tokenizer.ggml.add_space_prefix', true), 7] as MetadataEntry);
  }
  const out = planBytes({ metadata: entries, tensors: [] });
  await parseGguf(new MemorySource(out)); // it parses
  return tokenizerFromBytes(out, base);
}

describe('tokenizers of the families, as llama.cpp', () => {
  it("gemma's SentencePiece without a space prefix: every case encodes and decodes as llama.cpp", async () => {
    const tok = await rewritten(V.spmNoSpacePrefix.base, (k, v) => (k === 'tokenizer.ggml.add_space_prefix' ? false : v));
    expect(tok.addSpacePrefix).toBe(false);
    const bad = V.spmNoSpacePrefix.cases.filter(
      (c) => JSON.stringify(tok.encode(c.text, { addSpecial: false })) !== JSON.stringify(c.ids) || tok.decode(c.ids) !== c.decoded,
    );
    expect(bad).toEqual([]);
    expect(V.spmNoSpacePrefix.cases.length).toBeGreaterThan(50);
  });

  for (const name of Object.keys(V.eog)) {
    it(`${name}: <end_of_turn>, <|im_end|> and <|end|> end a generation and tokenize whole, as llama.cpp`, async () => {
      const e = V.eog[name];
      const tok = await rewritten(e.base, (k, v) =>
        k === 'tokenizer.ggml.tokens'
          ? (v as string[]).map((t, i) => (e.ids.includes(i) ? e.texts[e.ids.indexOf(i)] : t))
          : k === 'tokenizer.ggml.pre' && e.pre
            ? e.pre
            : v,
      );
      expect(e.ids.map((id) => tok.isEog(id))).toEqual(e.isEog);
      expect(e.isEog).toEqual([true, true, true]);
      expect(tok.encode(e.text, { addSpecial: false, parseSpecial: true })).toEqual(e.parsed);
    });
  }
});

describe('chat templates of the families', () => {
  const open: Standalone[] = [];
  afterAll(async () => {
    for (const s of open) await s.dispose();
  });
  for (const t of C.templates) {
    it(`${t.name}: renders each case as expected (system folded as llama.cpp or the template does; templateVars reach the template)`, async () => {
      const s = await openReference(reference(STORIES));
      open.push(s);
      for (const c of t.cases) {
        const prompt = s.engine.applyChatTemplate(c.messages, { template: t.template.replaceAll('{{ bos_token }}', t.bos), templateVars: c.templateVars });
        expect(prompt).toBe(c.expected);
      }
    });
  }

  it('chat() passes templateVars to the template: Qwen3 with enable_thinking false prompts an empty think block', async () => {
    const s = await openReference(reference(STORIES));
    open.push(s);
    const qwen3 = C.templates.find((x) => x.name === 'qwen3')!.template;
    const msgs = [{ role: 'user', content: 'Hello' }];
    const plain = await s.engine.chat(msgs, { template: qwen3, maxTokens: 1, temperature: 0 });
    s.engine.reset();
    const off = await s.engine.chat(msgs, { template: qwen3, templateVars: { enable_thinking: false }, maxTokens: 1, temperature: 0 });
    const want = s.engine.applyChatTemplate(msgs, { template: qwen3, templateVars: { enable_thinking: false } });
    expect(want.endsWith('<think>\n\n</think>\n\n')).toBe(true);
    expect(off.promptTokens).toBe(s.engine.tokenize(want, { parseSpecial: true }).length);
    expect(off.promptTokens).toBeGreaterThan(plain.promptTokens);
  });
});
