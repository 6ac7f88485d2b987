#!/bin/bash
# Builds target/auditalert_VERSION_ARCH.deb from the built jar and native wrapper.
# Run from the repository root:  packaging/deb/build-deb.sh [VERSION]
# (mvn -DskipTests package runs it with the pom's version). VERSION defaults to
# the pom's project version; ARCH is dpkg --print-architecture.
set -euo pipefail

cd "$(dirname "$0")/../.."
ROOT=$PWD

# mvn package runs this on every machine; one without dpkg (RHEL, Fedora: packaging/rpm) gets the
# jar and no .deb
if ! command -v dpkg >/dev/null || ! command -v dpkg-deb >/dev/null; then
    echo "build-deb: dpkg/dpkg-deb not found: no .deb built (on RPM systems use packaging/rpm/build-rpm.sh)" >&2
    exit 0
fi

VERSION=${1:-$(sed -n 's|^  <version>\(.*\)</version>$|\1|p' pom.xml | head -1)}
[ -n "$VERSION" ] || { echo "build-deb: cannot read the version from pom.xml" >&2; exit 1; }
ARCH=$(dpkg --print-architecture)
JAR=target/auditalert.jar
[ -f "$JAR" ] || { echo "build-deb: $JAR is missing; run mvn -DskipTests package" >&2; exit 1; }
make -s -C native-wrapper
PLUGIN=native-wrapper/build/auditalert-plugin

# default config and rules: from the application's resources once they exist there
DEFAULTS=src/main/resources/defaults

PKG=target/deb/auditalert_${VERSION}_${ARCH}
rm -rf "$PKG"
install -d -m 0755 "$PKG/DEBIAN"
inst() { install -D -m "$1" "$2" "$PKG$3"; }

inst 0644 "$JAR" /usr/share/auditalert/auditalert.jar
inst 0755 "$PLUGIN" /usr/sbin/auditalert-plugin
strip --strip-unneeded --remove-section=.comment --remove-section=.note "$PKG/usr/sbin/auditalert-plugin"
inst 0755 packaging/bin/auditalert /usr/bin/auditalert
inst 0640 plugins.d/auditalert.conf /etc/audit/plugins.d/auditalert.conf
inst 0640 packaging/audit-rules/auditalert.rules /etc/audit/rules.d/auditalert.rules
inst 0644 native-wrapper/wrapper.conf /etc/auditalert/wrapper.conf
inst 0644 "$DEFAULTS/auditalert.yml" /etc/auditalert/auditalert.yml
install -d -m 0755 "$PKG/etc/auditalert/rules.d"
for f in "$DEFAULTS"/rules.d/*.yml; do
    [ -e "$f" ] && inst 0644 "$f" "/etc/auditalert/rules.d/$(basename "$f")"
done
inst 0644 packaging/systemd/auditalert.service /lib/systemd/system/auditalert.service
# for the monitoring side: import the dashboard into Grafana, load the rules into Prometheus
inst 0644 packaging/grafana/auditalert.json /usr/share/auditalert/grafana/auditalert.json
inst 0644 packaging/prometheus/auditalert-rules.yml /usr/share/auditalert/prometheus/auditalert-rules.yml
install -d -m 0755 "$PKG/var/log/auditalert"
for m in packaging/man/*.[0-9]; do
    sec=${m##*.}
    install -d -m 0755 "$PKG/usr/share/man/man$sec"
    gzip -9n <"$m" >"$PKG/usr/share/man/man$sec/$(basename "$m").gz"
    chmod 0644 "$PKG/usr/share/man/man$sec/$(basename "$m").gz"
done
# auditd's own files in /etc/audit are 0640; so are ours, deliberately. Its directories are 0750: the
# ones made above (when auditd's are missing) are too
chmod 0750 "$PKG/etc/audit" "$PKG/etc/audit/plugins.d" "$PKG/etc/audit/rules.d"
inst 0644 packaging/deb/lintian-overrides /usr/share/lintian/overrides/auditalert

DOC=$PKG/usr/share/doc/auditalert
install -d -m 0755 "$DOC"
[ -f README.md ] && install -m 0644 README.md "$DOC/README.md"
install -m 0644 native-wrapper/README.md "$DOC/README.native-wrapper.md"
install -m 0644 packaging/deb/copyright "$DOC/copyright"
DATE=$(date -R -d "@$(git log -1 --format=%ct 2>/dev/null || date +%s)")
printf 'auditalert (%s) unstable; urgency=medium\n\n  * Release %s.\n\n -- auditalert developers <auditalert@example.org>  %s\n' \
    "$VERSION" "$VERSION" "$DATE" | gzip -9n >"$DOC/changelog.gz"

GLIBC=$(objdump -T "$PLUGIN" | grep -o 'GLIBC_[0-9.]*' | sed 's/GLIBC_//' | sort -V | tail -1)
SIZE=$(du -sk --exclude=DEBIAN "$PKG" | cut -f1)
cat >"$PKG/DEBIAN/control" <<EOF
Package: auditalert
Version: $VERSION
Architecture: $ARCH
Maintainer: auditalert developers <auditalert@example.org>
Installed-Size: $SIZE
Depends: libc6 (>= $GLIBC), auditd (>= 1:3.0), default-jre-headless (>= 2:1.17) | java17-runtime-headless, adduser
Section: admin
Priority: optional
Homepage: https://github.com/auditalert/auditalert
Description: real-time alerts and Prometheus metrics from the Linux audit stream
 auditalert is an auditd plugin: it reads every audit record auditd
 dispatches, assembles events, evaluates Falco-style alert rules and
 delivers alerts to syslog, files, webhooks, Alertmanager, email or a
 command, and exposes its own metrics for Prometheus.
 .
 Where auditd forbids executable memory (MemoryDenyWriteExecute), the
 plugin relays the records to the auditalert service, which runs as an
 unprivileged user.
EOF

(cd "$PKG" && find etc -type f | sort | sed 's|^|/|') >"$PKG/DEBIAN/conffiles"
(cd "$PKG" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z | xargs -0 md5sum) >"$PKG/DEBIAN/md5sums"
chmod 0644 "$PKG/DEBIAN/md5sums" "$PKG/DEBIAN/conffiles" "$PKG/DEBIAN/control"
for s in postinst prerm postrm; do
    # the audit rules' load and unload, shared with the rpm (a postrm cannot source the removed package)
    sed -e '/^#AUDIT_RULES_SYNC#$/{r packaging/audit-rules/audit-rules-sync.sh' -e 'd;}' "packaging/deb/$s" >"$PKG/DEBIAN/$s"
    chmod 0755 "$PKG/DEBIAN/$s"
done

mkdir -p target
OUT=target/auditalert_${VERSION}_${ARCH}.deb
dpkg-deb --root-owner-group -Zxz --build "$PKG" "$OUT" >/dev/null
echo "$ROOT/$OUT"
