# tcup's Tempest image: Debian's Tempest and python-tempestconf, subunit and stestr tools, and
# tcup's run scripts. Built by tcup from this file and container/ only; tagged by a hash of them and
# of the build args. No secret ever enters this build: credentials reach the container through its
# stdin at run time.
#
# Three variants from this one recipe, each with its own content hash (the default below, the newest,
# is in this file's text; the others are passed as a build arg, which is hashed too):
#   DEBIAN=forky     Debian testing: Tempest 47.0.0, python-tempestconf 3.5.3 (OpenStack 2025.1-2026.2)
#   DEBIAN=trixie    Debian 13: Tempest 43.0.0, python-tempestconf 3.5.1 (OpenStack 2023.2-2025.1)
#   DEBIAN=bookworm  Debian 12: Tempest 33.0.0, python-tempestconf 2.5.0 (OpenStack Xena-Zed)
ARG DEBIAN=forky
FROM debian:${DEBIAN}-slim
ARG DEBIAN

# Test beds only; tcup never sets it for a user. apt refuses a Release file past its Valid-Until (what
# stops a replayed old archive; testing's last a week): a test bed on a dated mirror snapshot passes
# TCUP_TESTBED_APT_VALID_UNTIL=ignore, which is hashed into the tag and recorded in a label below.
ARG TCUP_TESTBED_APT_VALID_UNTIL=""

ENV DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8 PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1

# What a test run never reads is left out. Not unpacked at all (dpkg path filters, so the package
# database stays consistent for the plugin layer below): documentation (copyright notices are kept),
# man pages, translations, and the 230 MB of every locale that trixie's heat-tempest-plugin (which its
# python3-tempest depends on) pulls in through python3-os-collect-config: LANG=C.UTF-8 is built into
# the C library (C.utf8). Removed after the install (Python files must exist while their packages compile
# them): the unit tests of the client libraries and the downloaded packages.
RUN printf '%s\n' \
        'path-exclude=/usr/share/doc/*' 'path-include=/usr/share/doc/*/copyright' \
        'path-exclude=/usr/share/man/*' 'path-exclude=/usr/share/info/*' \
        'path-exclude=/usr/share/locale/*' \
        'path-exclude=/usr/lib/locale/*' 'path-include=/usr/lib/locale/C.utf8/*' \
        'path-exclude=/usr/share/python-babel-localedata/locale-data/*' \
        'path-include=/usr/share/python-babel-localedata/locale-data/root.dat' \
        'path-include=/usr/share/python-babel-localedata/locale-data/en*' \
        > /etc/dpkg/dpkg.cfg.d/tcup-slim \
 && if [ "$TCUP_TESTBED_APT_VALID_UNTIL" = ignore ]; then \
        echo 'Acquire::Check-Valid-Until "false";' > /etc/apt/apt.conf.d/99tcup-testbed; fi \
 && apt-get update \
 && apt-get install -y --no-install-recommends \
        tempest python3-tempestconf python3-subunit python3-stestr python3-junitxml ca-certificates patch \
 && cd /usr/lib/python3/dist-packages \
 && rm -rf openstack/tests openstackclient/tests *client/tests keystoneauth1/tests psutil/tests \
        setuptools/tests setuptools/_distutils/tests \
 && apt-get clean && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/log/apt /var/log/dpkg.log

# Tempest plugins for add-on guidelines (dns, orchestration, shared file systems); empty for the
# core image, whose layers above stay cached and shared.
ARG TCUP_PLUGINS=""
RUN if [ -n "$TCUP_PLUGINS" ]; then \
        apt-get update && apt-get install -y --no-install-recommends $TCUP_PLUGINS \
        && apt-get clean && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/log/apt /var/log/dpkg.log; \
    fi

# The installed tests, listed once at build time: tcup matches guideline lists against this file.
RUN mkdir -p /usr/share/tcup && cd /tmp && tempest init tcup-list >/dev/null \
 && cd tcup-list && tempest run --list-tests 2>/dev/null | grep -E "^[a-z_]+\." | sort > /usr/share/tcup/tests.txt \
 && test -s /usr/share/tcup/tests.txt && cd / && rm -rf /tmp/tcup-list /root/.tempest \
 && dpkg-query -W -f '${Version}\n' tempest > /usr/share/tcup/tempest-version

# tcup's backports (container/patches/, each with its upstream commit, bug and Tempest versions):
# applied to the Tempest versions that have the bug; one that does not apply fails the build.
COPY container/apply-patches.sh container/patches/ /usr/share/tcup/patches/
RUN sh /usr/share/tcup/patches/apply-patches.sh /usr/share/tcup/patches

COPY container/ /usr/local/lib/tcup/
# tcup's python-tempestconf wrapper replaces some of its internals: fails here when one is gone.
RUN python3 -c "import sys; sys.path.insert(0, '/usr/local/lib/tcup'); import tempestconf"
LABEL tcup=1 tcup.testbed.apt-valid-until="${TCUP_TESTBED_APT_VALID_UNTIL:-checked}"
WORKDIR /run/tcup
ENTRYPOINT ["python3", "/usr/local/lib/tcup/tcup_run.py"]
