#!/bin/bash
# Builds target/rpm/RPMS/<arch>/auditalert-VERSION-1.<arch>.rpm with rpmbuild
# (on Debian: the "rpm" package). Run from the repository root after
# "mvn -DskipTests package":  packaging/rpm/build-rpm.sh [VERSION]
set -euo pipefail
cd "$(dirname "$0")/../.."

VERSION=${1:-$(sed -n 's|^  <version>\(.*\)</version>$|\1|p' pom.xml | head -1)}
[ -f target/auditalert.jar ] || { echo "build-rpm: target/auditalert.jar is missing; run mvn -DskipTests package" >&2; exit 1; }
DEFAULTS=src/main/resources/defaults

TOP=$PWD/target/rpm
rm -rf "$TOP"
mkdir -p "$TOP"/{SOURCES,SPECS,BUILD,BUILDROOT,RPMS,SRPMS}
S=$TOP/SOURCES
cp target/auditalert.jar packaging/bin/auditalert plugins.d/auditalert.conf \
   packaging/audit-rules/auditalert.rules native-wrapper/wrapper.conf "$DEFAULTS/auditalert.yml" \
   packaging/systemd/auditalert.service packaging/man/auditalert-plugin.8 packaging/man/auditalert.1 "$S/"
cp native-wrapper/README.md "$S/README.native-wrapper.md"
cp README.md "$S/README.md"
cp packaging/deb/copyright "$S/copyright"
cp packaging/grafana/auditalert.json packaging/prometheus/auditalert-rules.yml "$S/"
tar -czf "$S/native-wrapper.tar.gz" --exclude=build native-wrapper/Makefile native-wrapper/src
tar -czf "$S/rules.d.tar.gz" -C "$DEFAULTS/rules.d" .
# the audit rules' load and unload, shared with the deb, in place of the marker in %post and %postun
sed -e '/^#AUDIT_RULES_SYNC#$/{r packaging/audit-rules/audit-rules-sync.sh' -e 'd;}' packaging/rpm/auditalert.spec \
    >"$TOP/SPECS/auditalert.spec"

rpmbuild -bb --nodeps \
    --define "_topdir $TOP" \
    --define "aa_version $VERSION" \
    "$TOP/SPECS/auditalert.spec" >"$TOP/rpmbuild.log" 2>&1 || { tail -30 "$TOP/rpmbuild.log" >&2; exit 1; }
find "$TOP/RPMS" -name '*.rpm'
