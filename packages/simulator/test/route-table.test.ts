import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OxenSimulator, startOxenSimulator } from '../src/index.ts';
import { RouteTable } from '../src/shared/route-table.ts';

const answer = (status: number) => () => ({ status, json: {} });

describe('RouteTable', () => {
  const table = new RouteTable([
    { 'GET /api/ai/queue': answer(200), 'GET /api/ai/queue/:id': answer(201) },
    { 'DELETE /api/ai/queue/:id': { public: true, handle: answer(202) } },
  ]);

  it('matches method and pattern, and decodes the parameters', () => {
    const matched = table.match({ method: 'GET', path: '/api/ai/queue/a%20b' });
    expect(matched?.key).toBe('GET /api/ai/queue/:id');
    expect(matched?.params).toEqual({ id: 'a b' });
    expect(table.match({ method: 'DELETE', path: '/api/ai/queue/x' })?.route.public).toBe(true);
    expect(table.match({ method: 'GET', path: '/api/ai/queue' })?.params).toEqual({});
  });

  it('matches nothing for another method, an empty or undecodable segment, or another depth', () => {
    expect(table.match({ method: 'POST', path: '/api/ai/queue' })).toBeUndefined();
    expect(table.match({ method: 'GET', path: '/api/ai/queue/' })).toBeUndefined();
    expect(table.match({ method: 'GET', path: '/api/ai/queue/%E0%A4%A' })).toBeUndefined();
    expect(table.match({ method: 'GET', path: '/api/ai/queue/a/b' })).toBeUndefined();
  });

  it('refuses a route named twice and a name that is not a method and a path', () => {
    expect(() => new RouteTable([{ 'GET /a': answer(200) }, { 'GET /a': answer(200) }])).toThrow(
      'Route "GET /a" is defined twice',
    );
    const misnamed = { 'GET  /a': answer(200) } as unknown as ConstructorParameters<typeof RouteTable>[0][0];
    expect(() => new RouteTable([misnamed])).toThrow('must be a method and a path');
  });
});

describe('requests no route matches', () => {
  let oxen: OxenSimulator;
  beforeAll(async () => {
    oxen = await startOxenSimulator();
  });
  afterAll(async () => {
    await oxen.close();
  });

  it('a known path under another method gets the provider 404, recorded without a route', async () => {
    oxen.clearRequests();
    const response = await fetch(`${oxen.url}/api/ai/images/edit`, {
      method: 'DELETE',
      headers: { Authorization: `Bearer ${oxen.apiKey}` },
    });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({
      error: { detail: 'No route for /api/ai/images/edit' },
      status_message: 'resource_not_found',
    });
    expect(oxen.requests[0]).toMatchObject({ route: undefined, status: 404, billable: false });
  });
});
