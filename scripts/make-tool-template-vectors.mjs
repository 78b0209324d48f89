#!/usr/bin/env node
/**
 * Records the chat templates of tool-calling models that llama.cpp keeps in
 * its models/templates/ (Hermes 3, Qwen 2.5, Llama 3.1, Mistral Nemo) into
 * test/vectors/text/tool-templates.json, for the tests that render tools, tool
 * calls and tool results through them. Rerun with a llama.cpp checkout:
 *
 *   node scripts/make-tool-template-vectors.mjs --llama-src <llama.cpp checkout>
 */
import { readFileSync, writeFileSync } from 'node:fs';

const i = process.argv.indexOf('--llama-src');
if (i < 0) throw new Error('usage: make-tool-template-vectors.mjs --llama-src <llama.cpp checkout>');
const dir = `${process.argv[i + 1]}/models/templates`;
const TEMPLATES = [
  ['hermes-3', 'NousResearch-Hermes-3-Llama-3.1-8B-tool_use.jinja', '<|begin_of_text|>', '<|im_end|>'],
  ['qwen2.5', 'Qwen-Qwen2.5-7B-Instruct.jinja', '', '<|im_end|>'],
  ['llama-3.1', 'meta-llama-Llama-3.1-8B-Instruct.jinja', '<|begin_of_text|>', '<|eot_id|>'],
  ['mistral-nemo', 'mistralai-Mistral-Nemo-Instruct-2407.jinja', '<s>', '</s>'],
];
const templates = TEMPLATES.map(([name, file, bos, eos]) => ({
  name,
  source: `llama.cpp models/templates/${file}`,
  template: readFileSync(`${dir}/${file}`, 'utf8'),
  bos,
  eos,
}));
writeFileSync(
  new URL('../test/vectors/text/tool-templates.json', import.meta.url),
  JSON.stringify({ by: 'scripts/make-tool-template-vectors.mjs', templates }, null, 1) + '\n',
);
console.log(templates.map((t) => `${t.name}: ${t.template.length} chars`).join('\n'));
