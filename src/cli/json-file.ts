/** A JSON file a CLI command reads (messages, tools, a schema): SOURCE_OPEN or INVALID_ARGUMENT naming it. */
import { readFileSync } from 'node:fs';
import { GgufPagerError } from '../errors.ts';

export function readJson(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new GgufPagerError('SOURCE_OPEN', `${what} ${path} could not be read: ${(e as Error).message}`, { path });
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new GgufPagerError('INVALID_ARGUMENT', `${what} ${path} is not JSON: ${(e as Error).message}`, { path });
  }
}
