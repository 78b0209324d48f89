/**
 * StopMatcher: stop strings found across token boundaries, the stop string
 * itself never emitted, nothing withheld longer than needed.
 */
import { describe, expect, it } from 'vitest';
import { createTokenizer, StopMatcher, StreamingDetokenizer } from '../../src/text/index.ts';
import { vocabTokenizerModel } from '../cases/text-models.ts';

function run(stops: string[], pieces: string[]): { shown: string[]; stopped: boolean; rest: string } {
  const m = new StopMatcher(stops);
  const shown: string[] = [];
  let stopped = false;
  for (const p of pieces) {
    const r = m.push(p);
    shown.push(r.text);
    if (r.stopped) {
      stopped = true;
      break;
    }
  }
  return { shown, stopped, rest: m.flush() };
}

describe('StopMatcher', () => {
  it('finds a stop string split over several pieces and withholds it', () => {
    expect(run(['</answer>'], ['The answer is 4', '</ans', 'wer> and more'])).toEqual({ shown: ['The answer is 4', '', ''], stopped: true, rest: '' });
  });

  it('releases withheld text as soon as it cannot start a stop string', () => {
    expect(run(['STOP'], ['a S', 'T', 'x', 'y'])).toEqual({ shown: ['a ', '', 'STx', 'y'], stopped: false, rest: '' });
  });

  it('keeps the text before a stop in the same piece, and drops what follows it', () => {
    expect(run(['\n\n'], ['one\n', '\ntwo'])).toEqual({ shown: ['one', ''], stopped: true, rest: '' });
    expect(run(['x'], ['abxcd'])).toEqual({ shown: ['ab'], stopped: true, rest: '' });
  });

  it('takes the earliest of several stops, and says which', () => {
    const m = new StopMatcher(['world', 'lo w']);
    expect(m.push('hello world')).toEqual({ text: 'hel', stopped: true, stop: 'lo w' });
    expect(m.push('more')).toEqual({ text: '', stopped: true });
  });

  it('flush gives back a withheld prefix when the stream ends without a stop', () => {
    expect(run(['<|im_end|>'], ['Hi <|im'])).toEqual({ shown: ['Hi '], stopped: false, rest: '<|im' });
  });

  it('with no stop strings passes everything through', () => {
    expect(run([], ['a', 'b'])).toEqual({ shown: ['a', 'b'], stopped: false, rest: '' });
  });

  it('works on real tokens: a stop string that spans tokens of the llama-spm vocab', async () => {
    const tok = createTokenizer(await vocabTokenizerModel('llama-spm'));
    const ids = tok.encode('User: hi\nAssistant: hello\nUser: bye', { addSpecial: false });
    const d = new StreamingDetokenizer(tok);
    const m = new StopMatcher(['\nUser:']);
    let out = '';
    let stopped = false;
    for (const id of ids) {
      const r = m.push(d.push(id));
      out += r.text;
      if ((stopped = r.stopped)) break;
    }
    expect(stopped).toBe(true);
    expect(out).toBe('User: hi\nAssistant: hello');
  });
});
