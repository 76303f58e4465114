# tcup's Tempest image: Debian's Tempest and python-tempestconf, subunit and stestr tools, and
# tcup's run scripts. Built by tcup from this file and container/ only; tagged by a hash of them.
# No secret ever enters this build: credentials reach the container through its stdin at run time.
FROM debian:bookworm-slim

ENV DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8 PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
        tempest python3-tempestconf python3-subunit python3-stestr python3-junitxml ca-certificates \
 && rm -rf /var/lib/apt/lists/*

# Tempest plugins for add-on guidelines (dns, orchestration, shared file systems); empty for the
# core image, whose layers above stay cached and shared.
ARG TCUP_PLUGINS=""
RUN if [ -n "$TCUP_PLUGINS" ]; then \
        apt-get update && apt-get install -y --no-install-recommends $TCUP_PLUGINS \
        && rm -rf /var/lib/apt/lists/*; \
    fi

# The installed tests, listed once at build time: tcup matches guideline lists against this file.
RUN mkdir -p /usr/share/tcup && cd /tmp && tempest init tcup-list >/dev/null \
 && cd tcup-list && tempest run --list-tests 2>/dev/null | grep -E "^[a-z_]+\." | sort > /usr/share/tcup/tests.txt \
 && test -s /usr/share/tcup/tests.txt && cd / && rm -rf /tmp/tcup-list /root/.tempest

COPY container/ /usr/local/lib/tcup/
LABEL tcup=1
WORKDIR /run/tcup
ENTRYPOINT ["python3", "/usr/local/lib/tcup/tcup_run.py"]
