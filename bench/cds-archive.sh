#!/usr/bin/env bash
# Builds bench/work/auditalert.jsa, a class-data archive of target/auditalert.jar made the way the
# package's postinst makes it (a training run of `auditalert demo`, -XX:ArchiveClassesAtExit), when it
# is missing or older than the jar. Prints its path when there is one, nothing when the JVM could not
# make it. Used by run-bench.sh and latency.sh; run from the repository root.
set -euo pipefail
jsa=bench/work/auditalert.jsa
if [[ ! -s $jsa || target/auditalert.jar -nt $jsa ]]; then
    echo "cds-archive: building the class-data archive (as the package's postinst does)" >&2
    mkdir -p bench/work
    rm -f "$jsa"
    java -XX:ArchiveClassesAtExit="$jsa" -Xlog:disable -jar target/auditalert.jar \
        demo --metrics '' --linger 0 >/dev/null 2>&1 || rm -f "$jsa"
fi
[[ -s $jsa ]] && echo "$jsa"
exit 0
