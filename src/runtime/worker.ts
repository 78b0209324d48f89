/** The dedicated worker's entry: the runtime, exposed with comlink. */
import * as Comlink from 'comlink';
import { installErrorTransfer } from './transfer.ts';
import { WorkerRuntime } from './worker-runtime.ts';

installErrorTransfer();
Comlink.expose(new WorkerRuntime());
