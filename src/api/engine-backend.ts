/** The API's backend over a ModelEngine in the calling thread (Node, or code that runs its own worker). */
import type { ModelEngine } from '../engine/engine.ts';
import { PieceStream } from '../runtime/generation-run.ts';
import { chatTemplateOptions } from '../text/chat.ts';
import type { ApiBackend } from './backend.ts';

export function engineBackend(engine: ModelEngine): ApiBackend {
  const name = engine.model.metadata.get('general.name');
  const modelName = typeof name === 'string' ? name : engine.label;
  return {
    modelName,
    templateOptions: async () => ({ ...chatTemplateOptions(engine.model.metadata, engine.tokenizer), modelName }),
    generate: (prompt, opts) => new PieceStream((push) => engine.generate(prompt, opts, (p) => push([p]))),
    embed: (inputs, opts) => engine.embed(inputs, opts),
  };
}
