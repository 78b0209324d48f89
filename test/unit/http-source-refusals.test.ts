import { afterAll, beforeAll, describe } from 'vitest';
import { startRangeServer, type RangeServer } from '../servers/range-server.ts';
import { refusalCases } from '../servers/http-cases/refusals.ts';

let server: RangeServer;
beforeAll(async () => void (server = await startRangeServer()));
afterAll(() => server.stop());

describe('HttpRangeSource in Node', () => refusalCases({ base: () => server.url }));
