import { afterAll, beforeAll, describe } from 'vitest';
import { startRangeServer, type RangeServer } from '../servers/range-server.ts';
import { batchingCases } from '../servers/http-cases/batching.ts';

let server: RangeServer;
beforeAll(async () => void (server = await startRangeServer()));
afterAll(() => server.stop());

describe('HttpRangeSource in Node', () => batchingCases({ base: () => server.url }));
