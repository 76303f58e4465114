#!/bin/bash
# apt-install.sh PACKAGE...: apt-get update and install (no recommends) for the test bed's package layer.
# Debian unstable moves under the recipe, so when a package will not install the last line of the build
# says which one and why, e.g.
#   apt-install: nova-api will not install from sid: nova-api -> python3-nova: Depends: python3-foo (>= 2) but it is not installable
# TCUP_TESTBED_APT_VALID_UNTIL=ignore (environment, the project's test-bed build arg): apt accepts a
# Release file past its Valid-Until (a dated mirror snapshot; unstable's expire within a week).
set -uo pipefail
export DEBIAN_FRONTEND=noninteractive LC_ALL=C
opts=()
[ "${TCUP_TESTBED_APT_VALID_UNTIL:-}" != ignore ] || opts=(-o Acquire::Check-Valid-Until=false)
# The suite apt reads (os-release says "forky" on sid): the first of sources.list's deb lines or Suites: fields.
suite=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null \
    | awk '$1 == "deb" { sub(/\[[^]]*\] /, ""); print $3; exit } $1 == "Suites:" { print $2; exit }')
log=$(mktemp)
say() { echo "apt-install: $*"; rm -f "$log"; exit 1; }

apt-get "${opts[@]}" update 2>&1 | tee "$log"
if [ "${PIPESTATUS[0]}" != 0 ] || grep -q '^E: ' "$log"; then
    line=$(grep -m1 '^E: ' "$log" | cut -c4-)
    case $line in
        *expired*|*"not valid yet"*)
            say "apt-get update failed: $line (a dated mirror snapshot? test beds build with TCUP_TESTBED_APT_VALID_UNTIL=ignore)" ;;
    esac
    say "apt-get update failed: ${line:-see above}"
fi

# Why PKG will not install on its own: follows "but it is not going to be installed" down the chain to the
# first dependency that cannot be met (missing, wrong version, conflict). Prints nothing if PKG installs.
why() {  # pkg chain depth
    local pkg=$1 chain=$2 depth=$3 out unmet line dep cand
    out=$(apt-get "${opts[@]}" install -s --no-install-recommends "$pkg" 2>&1) && return 0
    line=$(grep -m1 -e 'Unable to locate package' -e 'has no installation candidate' <<< "$out")
    if [ -n "$line" ]; then
        echo "$chain: ${line#E: } (not in $suite's archive)"; return
    fi
    # "The following packages have unmet dependencies:" then " owner : Depends: dep (op v) but REASON"
    # and continuation lines "         Depends: ...".
    unmet=$(sed -n '/have unmet dependencies:/,/^E: /p' <<< "$out" | sed '1d;/^E: /d' | awk '
        /^ [^ ].* : / { owner = $1; sub(/^ [^:]*: /, ""); print owner "\t" $0; next }
        /^ +[A-Z][A-Za-z-]*: / { sub(/^ +/, ""); print owner "\t" $0 }')
    # A root cause first: anything but "not going to be installed" (that one only passes the blame on).
    line=$(grep -v -m1 'but it is not going to be installed' <<< "$unmet")
    if [ -n "$line" ]; then
        echo "$chain$( [ "${line%%	*}" = "$pkg" ] || echo " -> ${line%%	*}"): ${line#*	}"; return
    fi
    line=$(head -1 <<< "$unmet")
    dep=$(sed -E 's/^[^	]*	[A-Za-z-]+: ([^ ]+).*/\1/' <<< "$line")
    if [ -z "$line" ] || [ "$depth" -ge 8 ]; then
        echo "$chain: $(grep -m1 -e '^E: ' -e 'Depends' -e 'Conflicts' -e 'Breaks' <<< "$out" | sed 's/^E: //')"; return
    fi
    [ "${line%%	*}" = "$pkg" ] || chain="$chain -> ${line%%	*}"
    if apt-get "${opts[@]}" install -s --no-install-recommends "$dep" >/dev/null 2>&1; then
        # The dependency installs alone: its version does not match.
        cand=$(apt-cache policy "$dep" | awk '/Candidate:/ { print $2 }')
        line=${line#*	}; echo "$chain: ${line% but it is not going to be installed}, $suite has $cand"; return
    fi
    why "$dep" "$chain -> $dep" $((depth + 1))
}

apt-get "${opts[@]}" install -y --no-install-recommends "$@" 2>&1 | tee "$log"
[ "${PIPESTATUS[0]}" = 0 ] && { rm -f "$log"; exit 0; }
# The archive could not be read (a mirror's answer), or a package's own script failed.
line=$(grep -m1 -e '^E: Failed to fetch' -e '^E: Unable to fetch' "$log")
[ -z "$line" ] || say "download failed: ${line#E: }"
line=$(grep -m1 -A1 '^dpkg: error processing' "$log" | tr -s ' \n' ' ')
if [ -n "$line" ]; then
    pkg=$(sed -E 's/^dpkg: error processing (archive|package) ([^ ]+).*/\2/' <<< "$line")
    last=$(grep -m1 -B1 '^dpkg: error processing' "$log" | head -1 | cut -c1-200)
    say "$pkg failed in dpkg: ${line#*: } (its last output: $last)"
fi
for pkg in "$@"; do
    reason=$(why "$pkg" "$pkg" 0)
    [ -z "$reason" ] || say "$pkg will not install from $suite: $reason"
done
# Each installs alone, not all together: apt's own lines.
say "the packages will not install together from $suite: $(sed -n '/have unmet dependencies:/,/^E: /p' "$log" \
    | sed '1d' | tr -s ' \n' ' ' | cut -c1-400)"
