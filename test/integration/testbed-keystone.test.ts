/** The identity test bed: a real Keystone, built and started here, answers a non-admin member over HTTP. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  buildTestbedImages,
  describeDocker,
  leftoverContainers,
  openrcEnv,
  requireDocker,
  startKeystone,
  type StartedKeystone,
} from '../support/testbed.js';

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
  let keystone: StartedKeystone | undefined;

  beforeAll(async () => {
    await requireDocker();
    let t = Date.now();
    await buildTestbedImages();
    console.log(`test bed images ready in ${(Date.now() - t) / 1000} s`);
    t = Date.now();
    keystone = await startKeystone({ members: ['demo', 'alt_demo'], memberPassword: NASTY_PASSWORD });
    console.log(`Keystone healthy ${(Date.now() - t) / 1000} s after start`);
  });

  afterAll(async () => {
    await keystone?.stop();
  });

  it('gives a non-admin member with a nasty password a project token with role member', async () => {
    const ks = keystone!;
    expect(ks.authUrl).toBe(`http://127.0.0.1:${ks.port}/v3`);
    expect(ks.members.map((m) => m.username)).toEqual(['demo', 'alt_demo']);
    const member = ks.members[0]!;
    expect(member.password).toBe(NASTY_PASSWORD);
    const env = openrcEnv(ks, member);
    expect(env).toMatchObject({
      OS_AUTH_URL: ks.authUrl,
      OS_PROJECT_NAME: 'demo',
      OS_IDENTITY_API_VERSION: '3',
    });

    const { status, token } = await memberToken(env);
    expect(status).toBe(201);
    expect(token!.user.name).toBe('demo');
    expect(token!.project.name).toBe('demo');
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

  it('leaves no container behind once stopped', async () => {
    const ks = keystone!;
    expect(await leftoverContainers()).toEqual([ks.containerId]);
    await ks.stop();
    await ks.stop(); // twice is fine
    expect(await leftoverContainers()).toEqual([]);
    keystone = undefined;
  });
});
