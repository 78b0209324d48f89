import * as Comlink from 'comlink';
import { GgufPagerError } from '../../../src/errors.ts';
import { installErrorTransfer } from '../../../src/runtime/transfer.ts';

installErrorTransfer();

const api = {
  async failWith(code: 'HTTP_STATUS' | 'PAGER_NO_SPACE', url: string): Promise<void> {
    throw new GgufPagerError(code, `${url}: answered 404`, { url, status: 404, when: new Date(0), fn: () => 1 });
  },
  async failPlain(): Promise<void> {
    throw new TypeError('plain failure');
  },
};
export type ThrowingApi = typeof api;
Comlink.expose(api);
