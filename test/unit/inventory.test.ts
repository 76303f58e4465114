import { describe, expect, it } from 'vitest';
import {
  countOf,
  deleteLeftovers,
  describeInventory,
  leftovers,
  type Inventory,
} from '../../src/cloud/inventory.js';
import type { ProjectSession } from '../../src/cloud/rest.js';

describe('leftovers', () => {
  it.each<{ name: string; before: Inventory; after: Inventory; ignore?: string[]; left: Inventory }>([
    { name: 'nothing new', before: { servers: ['a'] }, after: { servers: ['a'] }, left: {} },
    {
      name: 'only what is new, by type',
      before: { networks: ['private'], 'security groups': ['default'] },
      after: { networks: ['private', 'n2'], 'security groups': ['default'], servers: ['s1'] },
      left: { servers: ['s1'], networks: ['n2'] },
    },
    { name: 'what was there and is gone is no leftover', before: { volumes: ['v'] }, after: {}, left: {} },
    {
      name: 'the image tcup removes itself is ignored',
      before: {},
      after: { images: ['up'] },
      ignore: ['up'],
      left: {},
    },
  ])('$name', ({ before, after, ignore, left }) => {
    expect(leftovers(before, after, ignore)).toEqual(left);
  });
  it('counts and describes', () => {
    const inv: Inventory = { servers: ['s1'], ports: ['p1', 'p2'] };
    expect(countOf(inv)).toBe(3);
    expect(describeInventory(inv)).toBe('servers: s1; ports: p1, p2');
  });
});

describe('deleteLeftovers', () => {
  it('deletes exactly the leftovers, servers first, router interfaces before subnets', async () => {
    const calls: string[] = [];
    const session: ProjectSession = {
      who: 'demo',
      projectId: 'p1',
      has: () => true,
      get: (_kind, path) => {
        if (path.startsWith('/ports?device_id=r1'))
          return Promise.resolve({ ports: [{ id: 'rp', device_owner: 'network:router_interface' }] });
        return Promise.resolve(undefined); // gone
      },
      send: (_kind, method, path) => {
        calls.push(`${method} ${path}`);
        return Promise.resolve({ status: path.includes('bad') ? 409 : 204 });
      },
      upload: () => Promise.resolve(204),
      withSignal: () => session,
    };
    const out = await deleteLeftovers(
      session,
      { servers: ['s1'], routers: ['r1'], subnets: ['sub'], networks: ['bad'], keypairs: ['k'] },
      { sleep: () => Promise.resolve() },
    );
    expect(calls).toEqual([
      'DELETE /servers/s1',
      'PUT /routers/r1/remove_router_interface',
      'PUT /routers/r1',
      'DELETE /routers/r1',
      'DELETE /subnets/sub',
      'DELETE /networks/bad',
      'DELETE /os-keypairs/k',
    ]);
    expect(out.deleted).toEqual({ servers: ['s1'], routers: ['r1'], subnets: ['sub'], keypairs: ['k'] });
    expect(out.failed).toEqual([{ type: 'networks', id: 'bad', status: 409 }]);
  });
});
