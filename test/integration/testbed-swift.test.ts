/** The storage test bed: a real Swift beside Keystone, registered in its catalog, used by a member. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeDocker, requireDocker, type TestbedUser } from '../support/testbed.js';
import { type KeystoneTenant, type SwiftTenant, useKeystone, useSwift } from '../support/beds.js';

interface Scoped {
  token: string;
  roles: string[];
  /** The public object-store endpoint of the user's project. */
  storageUrl?: string;
}

async function login(authUrl: string, user: TestbedUser): Promise<Scoped> {
  const response = await fetch(`${authUrl}/auth/tokens`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      auth: {
        identity: {
          methods: ['password'],
          password: { user: { name: user.username, domain: { id: 'default' }, password: user.password } },
        },
        scope: { project: { name: user.project, domain: { id: 'default' } } },
      },
    }),
  });
  expect(response.status).toBe(201);
  const { token } = (await response.json()) as {
    token: {
      roles: { name: string }[];
      catalog: { type: string; endpoints: { interface: string; url: string }[] }[];
    };
  };
  const store = token.catalog.find((s) => s.type === 'object-store');
  return {
    token: response.headers.get('x-subject-token')!,
    roles: token.roles.map((r) => r.name),
    storageUrl: store?.endpoints.find((e) => e.interface === 'public')?.url,
  };
}

describeDocker('Swift test bed', () => {
  let keystone: KeystoneTenant | undefined;
  let swift: SwiftTenant | undefined;

  beforeAll(async () => {
    await requireDocker();
    let t = Date.now();
    keystone = await useKeystone({ swift: true });
    console.log(`Keystone and this file's users ready in ${(Date.now() - t) / 1000} s`);
    t = Date.now();
    swift = await useSwift(keystone);
    console.log(`Swift and this file's reseller admins ready in ${(Date.now() - t) / 1000} s`);
  });

  afterAll(async () => {
    await swift?.dispose();
    await keystone?.dispose();
  });

  it('lets a member write and read back an object in its own account', async () => {
    const member = await login(keystone!.authUrl, keystone!.members[0]!);
    expect(member.roles).toContain('member');
    expect(member.storageUrl).toMatch(new RegExp(`^${swift!.url}/v1/AUTH_[0-9a-f]{32}$`));
    const headers = { 'X-Auth-Token': member.token };
    const container = `${member.storageUrl}/testbed-${Date.now()}`;
    expect((await fetch(container, { method: 'PUT', headers })).status).toBe(201);
    const put = await fetch(`${container}/hello.txt`, {
      method: 'PUT',
      headers: { ...headers, 'Content-Type': 'text/plain' },
      body: 'hello, swift ü',
    });
    expect(put.status).toBe(201);
    const got = await fetch(`${container}/hello.txt`, { headers });
    expect(got.status).toBe(200);
    expect(await got.text()).toBe('hello, swift ü');
    // Without a token the account is closed.
    expect((await fetch(`${container}/hello.txt`)).status).toBe(401);
  });

  it('has reseller users with the ResellerAdmin role', async () => {
    expect(swift!.resellers.map((r) => r.username.replace(/-[0-9a-f]{6}$/, ''))).toEqual([
      'reseller',
      'reseller2',
    ]);
    for (const user of swift!.resellers) {
      const reseller = await login(keystone!.authUrl, user);
      expect(reseller.roles).toEqual(expect.arrayContaining(['member', 'ResellerAdmin']));
    }
  });

  it("is one Swift per Keystone for the whole run: another file's resellers use the same proxy", async () => {
    const other = await useSwift(keystone!, { resellers: ['reseller'] });
    expect(other.containerId).toBe(swift!.containerId);
    expect(other.url).toBe(swift!.url);
    expect(other.resellers[0]!.username).not.toBe(swift!.resellers[0]!.username);
    await other.dispose();
    await other.dispose();
  });
});
