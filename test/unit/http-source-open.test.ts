import { afterAll, beforeAll, describe } from 'vitest';
import { startRangeServer, type RangeServer } from '../servers/range-server.ts';
import { openCases } from '../servers/http-cases/open.ts';

let server: RangeServer;
beforeAll(async () => void (server = await startRangeServer()));
afterAll(() => server.stop());

describe('HttpRangeSource in Node', () => openCases({ base: () => server.url }));
