/** The identity test bed: a real Keystone, built and started here, answers a non-admin member over HTTP. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeDocker, openrcEnv, requireDocker } from '../support/testbed.js';
import { type KeystoneTenant, useKeystone } from '../support/beds.js';

/** Quotes, spaces, a shell variable, a backslash, a backtick and non-ASCII: any password must work. */
const NASTY_PASSWORD = `p'a"s s$HOME\\x\`id\` ü€🔑`;

interface Token {
  roles: { name: string }[];
  catalog: { type: string; endpoints: { interface: string; url: string }[] }[];
  project: { name: string };
  user: { name: string };
}

async function memberToken(env: Record<string, string>): Promise<{ status: number; token?: Token }> {
  const body = {
    auth: {
      identity: {
        methods: ['password'],
        password: {
          user: {
            name: env.OS_USERNAME,
            domain: { name: env.OS_USER_DOMAIN_NAME },
            password: env.OS_PASSWORD,
          },
        },
      },
      scope: { project: { name: env.OS_PROJECT_NAME, domain: { name: env.OS_PROJECT_DOMAIN_NAME } } },
    },
  };
  const response = await fetch(`${env.OS_AUTH_URL}/auth/tokens`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (response.status !== 201) return { status: response.status };
  return { status: 201, token: ((await response.json()) as { token: Token }).token };
}

describeDocker('Keystone test bed', () => {
  let keystone: KeystoneTenant | undefined;

  beforeAll(async () => {
    await requireDocker();
    const t = Date.now();
    keystone = await useKeystone({ members: ['demo', 'alt_demo'], memberPassword: NASTY_PASSWORD });
    console.log(`Keystone and this file's users ready in ${(Date.now() - t) / 1000} s`);
  });

  afterAll(async () => {
    await keystone?.dispose();
  });

  it('gives a non-admin member with a nasty password a project token with role member', async () => {
    const ks = keystone!;
    expect(ks.authUrl).toBe(`http://127.0.0.1:${ks.port}/v3`);
    const [demo, altDemo] = ks.members.map((m) => m.username);
    expect(demo).toMatch(/^demo-[0-9a-f]{6}$/);
    expect(altDemo).toBe(demo!.replace('demo-', 'alt_demo-'));
    const member = ks.members[0]!;
    expect(member.password).toBe(NASTY_PASSWORD);
    const env = openrcEnv(ks, member);
    expect(env).toMatchObject({
      OS_AUTH_URL: ks.authUrl,
      OS_PROJECT_NAME: demo,
      OS_IDENTITY_API_VERSION: '3',
    });

    const { status, token } = await memberToken(env);
    expect(status).toBe(201);
    expect(token!.user.name).toBe(demo);
    expect(token!.project.name).toBe(demo);
    const roles = token!.roles.map((r) => r.name);
    expect(roles).toContain('member');
    expect(roles).not.toContain('admin');
    const identity = token!.catalog.find((s) => s.type === 'identity');
    expect(identity?.endpoints).toContainEqual(
      expect.objectContaining({ interface: 'public', url: ks.authUrl }),
    );
  });

  it('refuses a wrong password', async () => {
    const ks = keystone!;
    const env = openrcEnv(ks, { ...ks.members[1]!, password: 'not-the-password' });
    expect((await memberToken(env)).status).toBe(401);
  });

  it("gives another file other users on the same Keystone; dispose deletes a file's users (twice is fine)", async () => {
    const ks = keystone!;
    const other = await useKeystone({ members: ['demo'], memberPassword: NASTY_PASSWORD });
    expect(other.containerId).toBe(ks.containerId);
    expect(other.authUrl).toBe(ks.authUrl);
    expect(other.members[0]!.username).not.toBe(ks.members[0]!.username);
    const env = openrcEnv(other, other.members[0]!);
    expect((await memberToken(env)).status).toBe(201);
    await other.dispose();
    await other.dispose();
    expect((await memberToken(env)).status).toBe(401);
    expect((await memberToken(openrcEnv(ks, ks.members[0]!))).status).toBe(201);
  });
});
