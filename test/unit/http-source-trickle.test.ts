import { afterAll, beforeAll, describe } from 'vitest';
import { startRangeServer, type RangeServer } from '../servers/range-server.ts';
import { trickleCases } from '../servers/http-cases/trickle.ts';

let server: RangeServer;
beforeAll(async () => void (server = await startRangeServer()));
afterAll(() => server.stop());

describe('HttpRangeSource in Node', () => trickleCases({ base: () => server.url }));
