#!/bin/sh
# tcup's backports, applied to the installed Tempest at image build: apply-patches.sh DIR.
#
# Each DIR/*.patch fixes a known Tempest bug that fails a healthy cloud. Its header names the upstream
# commit (Upstream:, or none for tcup's own), the bug (Bug:) and the Tempest versions that have the bug:
# from Tempest-From up to, not including, Tempest-Fixed (the first upstream release with the fix; none:
# no release has one yet, every Tempest from Tempest-From on gets it). A patch whose range holds
# the installed Tempest must apply exactly (no fuzz, no offset guessing), or the build fails naming
# it: a new Debian Tempest cannot silently drop a fix. The applied ones are listed, one a line, in
# /usr/share/tcup/patches.txt (what the run reports).
set -eu
dir=$1
site=/usr/lib/python3/dist-packages
list=/usr/share/tcup/patches.txt
# 1:43.0.0-3 -> 43.0.0
version=$(dpkg-query -W -f '${Version}' python3-tempest | sed -e 's/^[0-9]*://' -e 's/-[^-]*$//')
: >"$list"
for p in "$dir"/*.patch; do
    [ -e "$p" ] || continue
    name=$(basename "$p" .patch)
    from=$(sed -n 's/^Tempest-From: *//p' "$p" | head -1)
    fixed=$(sed -n 's/^Tempest-Fixed: *//p' "$p" | head -1)
    upstream=$(sed -n 's/^Upstream: *//p' "$p" | head -1)
    bug=$(sed -n 's/^Bug: *//p' "$p" | head -1)
    if [ -z "$from" ] || [ -z "$fixed" ] || [ -z "$upstream" ] || [ -z "$bug" ]; then
        echo "tcup patch $name: its header lacks Tempest-From, Tempest-Fixed, Upstream or Bug" >&2
        exit 1
    fi
    if dpkg --compare-versions "$version" lt "$from" ||
        { [ "$fixed" != none ] && dpkg --compare-versions "$version" ge "$fixed"; }; then
        echo "tcup patch $name: not for Tempest $version (the bug is in $from up to $fixed)"
        continue
    fi
    if ! out=$(patch -p1 -d "$site" --forward --batch --fuzz=0 --dry-run -i "$p" 2>&1); then
        printf 'tcup patch %s does not apply to Tempest %s (%s; %s):\n%s\n' \
            "$name" "$version" "$upstream" "$bug" "$out" >&2
        exit 1
    fi
    patch -p1 -d "$site" --forward --batch --fuzz=0 --no-backup-if-mismatch -i "$p" >/dev/null
    # The byte code Debian compiled from the unpatched files would be stale: Python recompiles.
    sed -n 's#^+++ b/\([^	]*\).*#\1#p' "$p" | while read -r file; do
        base=$(basename "$file" .py)
        rm -f "$site/$(dirname "$file")/__pycache__/$base".cpython-*.pyc
    done
    echo "$name" >>"$list"
    echo "tcup patch $name: applied to Tempest $version ($upstream; $bug)"
done
