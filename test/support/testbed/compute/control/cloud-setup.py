"""Admin set-up after the APIs are up: wait for nova-compute and cinder-volume, map the compute
host, create the flavors and the external network `public` (the members' projects and private networks
are made later, by the test bed).

Args: KEYSTONE_URL ADMIN_PASSWORD
"""
import subprocess
import sys
import time

import openstack

url, admin_pw = sys.argv[1], sys.argv[2]
conn = openstack.connect(auth_url=url, username="admin", password=admin_pw, project_name="admin",
                         user_domain_name="Default", project_domain_name="Default",
                         region_name="RegionOne", identity_api_version="3")


def log(*a):
    print("cloud-setup:", *a, flush=True)


def wait(what, check, timeout=300):
    end = time.monotonic() + timeout
    while True:
        try:
            if check():
                return
        except Exception as e:  # service still starting
            last = e
        if time.monotonic() > end:
            sys.exit("cloud-setup: timed out waiting for %s" % what)
        time.sleep(1)


wait("nova-compute", lambda: any(s.binary == "nova-compute" and s.state == "up"
                                 for s in conn.compute.services()))
wait("compute host mapping", lambda: subprocess.run(
    ["nova-manage", "cell_v2", "discover_hosts"], check=True, capture_output=True) and
    list(conn.compute.hypervisors()))
wait("cinder-volume", lambda: any(s["binary"] == "cinder-volume" and s["state"] == "up"
                                  for s in conn.block_storage.get("/os-services").json()["services"]))
# "up" is the service's heartbeat; the scheduler places a volume only once cinder-volume has sent it
# its backend's capabilities (on start, then periodically). Before that a volume create ends in
# "No valid backend was found" (seen in CI when the bed started on a loaded machine).
wait("the volume backend in cinder-scheduler's pools",
     lambda: conn.block_storage.get("/scheduler-stats/get_pools").json()["pools"])
log("compute and volume services up")

for name, ram, disk in (("m1.nano", 64, 1), ("m1.micro", 128, 1), ("m1.small", 512, 1)):
    if not conn.compute.find_flavor(name, ignore_missing=True):
        conn.compute.create_flavor(name=name, ram=ram, vcpus=1, disk=disk)

if not conn.network.find_network("public"):
    net = conn.network.create_network(name="public", is_router_external=True,
                                      provider_network_type="flat",
                                      provider_physical_network="public")
    # Documentation range (TEST-NET-3): nothing is ever plumbed, these are database rows.
    conn.network.create_subnet(network_id=net.id, name="public-subnet", ip_version=4,
                               cidr="203.0.113.0/24", gateway_ip="203.0.113.1",
                               allocation_pools=[{"start": "203.0.113.10", "end": "203.0.113.250"}],
                               is_dhcp_enabled=False)
log("flavors, public network")
