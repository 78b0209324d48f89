import { afterAll, beforeAll, describe } from 'vitest';
import { startRangeServer, type RangeServer } from '../servers/range-server.ts';
import { coveringCases } from '../servers/http-cases/covering.ts';

let server: RangeServer;
beforeAll(async () => void (server = await startRangeServer()));
afterAll(() => server.stop());

describe('HttpRangeSource in Node', () => coveringCases({ base: () => server.url }));
