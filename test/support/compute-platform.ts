/**
 * "OpenStack Powered Platform" on the test beds: the Swift bed registers itself in the compute bed's
 * Keystone (its keystone-register.py needs only the auth URL, the admin password and the `admin`
 * project in `RegionOne`, which the compute bed has), and the operator gives its reseller-admin
 * projects what the compute bed gives its members: a `private` network with a subnet, and the
 * default security group made by the project's first Neutron call.
 */
import { api, login, type StartedCompute } from './compute-testbed.js';
import type { StartedKeystone, TestbedUser } from './testbed.js';

/** The compute bed as the Keystone shape startSwift takes (its Keystone is the compute bed's). */
export function keystoneOfCompute(bed: StartedCompute): StartedKeystone {
  if (bed.release !== '2025.1' && bed.release !== 'zed')
    throw new Error(`no Swift bed for the compute bed's release ${bed.release}`);
  return {
    release: bed.release,
    authUrl: bed.authUrl,
    port: Number(new URL(bed.authUrl).port),
    adminPassword: bed.adminPassword,
    members: bed.members,
    containerId: bed.containerId,
    stop: () => bed.stop(),
  };
}

/** As the compute bed does for its members: a `private` network in each user's project, and its default security group. */
export async function addProjectNetworks(bed: StartedCompute, users: readonly TestbedUser[]): Promise<void> {
  const admin = await login(bed.authUrl, {
    username: 'admin',
    password: bed.adminPassword,
    project: 'admin',
  });
  for (const user of users) {
    const session = await login(bed.authUrl, user);
    const { network } = await api<{ network: { id: string } }>(admin, 'network', 'POST', '/v2.0/networks', {
      network: { name: 'private', project_id: session.projectId },
    });
    await api(admin, 'network', 'POST', '/v2.0/subnets', {
      subnet: {
        name: 'private-subnet',
        network_id: network.id,
        ip_version: 4,
        cidr: '10.1.0.0/24',
        project_id: session.projectId,
      },
    });
    await api(session, 'network', 'GET', '/v2.0/security-groups');
  }
}
