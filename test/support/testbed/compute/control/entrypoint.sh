#!/bin/bash
# All-in-one compute cloud: MariaDB, RabbitMQ, Keystone, Placement, Nova (API, conductor,
# scheduler, compute with a fake driver), Glance (file store), Neutron server (ML2, no agents),
# Cinder (API, scheduler, volume with a file driver). Loopback only, ports 16000-16012.
# Members (users, projects, their private networks) are made afterwards by the test bed, through the
# REST APIs: only the admin password comes in, as ADMIN_PASSWORD. `--bake` (build time) makes the
# schemas, fernet keys and the Keystone bootstrap and exits.
set -eu
: "${ADMIN_PASSWORD:=admin}"
KS=http://127.0.0.1:16000/v3
READY=/run/testbed-ready
LOG=/var/log/testbed
rm -f "$READY"; mkdir -p $LOG
t0=$(date +%s)
stamp() { echo "[$(( $(date +%s) - t0 ))s] $*"; }

BAKED=/var/lib/testbed/baked
bake=0; [ "${1:-}" != --bake ] || bake=1

# --- RabbitMQ: loopback, ports 16010 (AMQP) 16011 (dist) 16012 (epmd); guest works on loopback.
export RABBITMQ_NODENAME=rabbit@localhost RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_NODE_PORT=16010 \
    RABBITMQ_DIST_PORT=16011 ERL_EPMD_PORT=16012 ERL_EPMD_ADDRESS=127.0.0.1 \
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1} +sbwt none +sbwtdcpu none +sbwtdio none"
[ $bake = 1 ] || rabbitmq-server > $LOG/rabbitmq.log 2>&1 &

# --- MariaDB (socket only).
service mariadb start >/dev/null
mariadb <<'SQL'
CREATE USER IF NOT EXISTS os@localhost IDENTIFIED BY 'os';
CREATE DATABASE IF NOT EXISTS keystone; CREATE DATABASE IF NOT EXISTS placement;
CREATE DATABASE IF NOT EXISTS nova_api; CREATE DATABASE IF NOT EXISTS nova;
CREATE DATABASE IF NOT EXISTS nova_cell0; CREATE DATABASE IF NOT EXISTS glance;
CREATE DATABASE IF NOT EXISTS neutron; CREATE DATABASE IF NOT EXISTS cinder;
GRANT ALL PRIVILEGES ON *.* TO os@localhost;
SQL
stamp mariadb up

# --- Schemas (parallel; each log in $LOG/sync-*.log).
sync() { name=$1; shift; "$@" > $LOG/sync-$name.log 2>&1 || { echo "sync $name failed"; tail -20 $LOG/sync-$name.log; exit 1; }; }
# On a failure: the last lines of every service's log, into `docker logs`.
tails() { for f in $LOG/*.log; do echo "--- $f"; tail -n "${1:-15}" "$f"; done; }
trap 'rc=$?; [ $rc = 0 ] || { echo "testbed-entrypoint failed ($rc)"; tails; }' EXIT
keystone_sync() {
    keystone-manage db_sync && keystone-manage fernet_setup --keystone-user root --keystone-group root \
    && keystone-manage credential_setup --keystone-user root --keystone-group root \
    && keystone-manage bootstrap --bootstrap-password "$ADMIN_PASSWORD" --bootstrap-username admin \
        --bootstrap-project-name admin --bootstrap-role-name admin --bootstrap-service-name keystone \
        --bootstrap-region-id RegionOne --bootstrap-public-url $KS --bootstrap-internal-url $KS \
        --bootstrap-admin-url $KS
}
nova_sync() {
    nova-manage api_db sync && nova-manage cell_v2 map_cell0 \
        --database_connection 'mysql+pymysql://os:os@localhost/nova_cell0?unix_socket=/run/mysqld/mysqld.sock' \
    && { nova-manage cell_v2 list_cells | grep -q ' cell1 ' || nova-manage cell_v2 create_cell --name cell1; } \
    && nova-manage db sync
}
if [ ! -f $BAKED ]; then
sync keystone keystone_sync & p1=$!
sync nova nova_sync & p2=$!
sync neutron neutron-db-manage --config-file /etc/neutron/neutron.conf \
    --config-file /etc/neutron/plugins/ml2/ml2_conf.ini upgrade heads & p3=$!
( sync placement placement-manage db sync; sync glance glance-manage db_sync; \
  sync cinder cinder-manage db sync ) & p4=$!
for p in $p1 $p2 $p3 $p4; do wait $p || { echo "a schema sync failed"; exit 1; }; done
stamp schemas done
else
    # Baked image: the admin password of this run (bootstrap is idempotent and resets it).
    keystone-manage bootstrap --bootstrap-password "$ADMIN_PASSWORD" --bootstrap-username admin \
        --bootstrap-project-name admin --bootstrap-role-name admin > $LOG/bootstrap.log 2>&1 \
        || { echo "keystone bootstrap failed"; tail -20 $LOG/bootstrap.log; exit 1; }
fi
if [ $bake = 1 ]; then
    # Build time: schemas, fernet keys and the Keystone bootstrap go into the image.
    service mariadb stop >/dev/null; mkdir -p "${BAKED%/*}"; touch $BAKED; exit 0
fi

# --- API servers (uwsgi) and daemons. Everything runs as root (test bed).
uw() {  # name port wsgi-module processes [uwsgi options]
    local name=$1 port=$2 module=$3 processes=$4; shift 4
    uwsgi --plugin python3 --http-socket 127.0.0.1:$port --module $module --need-app --master \
        --die-on-term --lazy-apps --enable-threads --processes $processes --threads 1 \
        --add-header "Connection: close" --buffer-size 65535 --procname-prefix-spaced "$name" "$@" \
        > $LOG/$name.log 2>&1 &
}
uw keystone 16000 keystone.wsgi.api:application 2
uw placement 16001 placement.wsgi.api:application 1
uw nova-api 16002 nova.wsgi.osapi_compute:application 2
uw cinder-api 16005 cinder.wsgi.api:application 1
PY=/usr/lib/python3/dist-packages
# Glance 33 and Neutron 29 (2026.2) have no eventlet servers: their WSGI apps under uwsgi. Neutron's RPC
# server (neutron-rpc-server) only answers agents, and there are none: not started.
if [ -f $PY/glance/wsgi/api.py ]; then
    uw glance-api 16003 glance.wsgi.api:application 1
else
    glance-api --config-file /etc/glance/glance-api.conf > $LOG/glance-api.log 2>&1 &
fi
if command -v neutron-server >/dev/null; then
    neutron-server --config-file /etc/neutron/neutron.conf \
        --config-file /etc/neutron/plugins/ml2/ml2_conf.ini > $LOG/neutron-server.log 2>&1 &
else
    uw neutron-api 16004 neutron.wsgi.api:application 1
fi

wait_url() { until python3 -c "import urllib.request as u, urllib.error as e
try: u.urlopen('$1', timeout=5)
except e.HTTPError: pass" 2>/dev/null; do sleep 0.5; done; }
wait_url $KS
python3 /usr/local/lib/testbed/keystone-register.py $KS "$ADMIN_PASSWORD"
stamp keystone ready
# Daemons only now: they authenticate (placement, neutron) at start and exit on a 401.
for d in nova-conductor nova-scheduler nova-compute cinder-scheduler cinder-volume; do
    $d > $LOG/$d.log 2>&1 &
done
for port in 16001 16002 16003 16004 16005; do wait_url http://127.0.0.1:$port/; done
stamp apis up
python3 /usr/local/lib/testbed/cloud-setup.py $KS "$ADMIN_PASSWORD" > $LOG/cloud-setup.log 2>&1 \
    || { echo "cloud-setup failed"; exit 1; }
stamp cloud ready
touch "$READY"
wait -n || true
echo "a service exited"; exit 1
