# The capture of persistence-file-modified (capture-persistence.log): changes to what the system runs by
# itself, by hand (fires) and by the package tools (must not). Runs as root, from /, with login uid 1000.
set -x
echo 1000 > /proc/self/loginuid
cd /
work=/tmp/persist-capture
mkdir -p "$work"
# a package that ships a cron table and a unit, built here
mkdir -p "$work/pkg/DEBIAN" "$work/pkg/etc/cron.d" "$work/pkg/lib/systemd/system"
printf 'Package: aa-persist-pkg\nVersion: 1.0\nArchitecture: all\nMaintainer: test <test@localhost>\nDescription: test\n' > "$work/pkg/DEBIAN/control"
printf '17 3 * * * root /usr/bin/true\n' > "$work/pkg/etc/cron.d/aa-persist-pkg"
printf '[Service]\nExecStart=/usr/bin/true\n[Install]\nWantedBy=multi-user.target\n' > "$work/pkg/lib/systemd/system/aa-persist-pkg.service"
# the maintainer scripts enable and purge the unit as debhelper's do (deb-systemd-helper runs only under dpkg)
printf '#!/bin/sh\nset -e\ndeb-systemd-helper enable aa-persist-pkg.service\n' > "$work/pkg/DEBIAN/postinst"
printf '#!/bin/sh\nset -e\nif [ "$1" = purge ]; then deb-systemd-helper purge aa-persist-pkg.service; fi\n' > "$work/pkg/DEBIAN/postrm"
chmod 0755 "$work/pkg/DEBIAN/postinst" "$work/pkg/DEBIAN/postrm"
dpkg-deb --build "$work/pkg" "$work/aa-persist-pkg.deb" > /dev/null
# by hand (each fires)
printf '* * * * * root /usr/bin/true\n' > /etc/cron.d/aa-persist
rm -f /etc/cron.d/aa-persist
cp /etc/crontab "$work/crontab.bak"
echo '# aa-persist' >> /etc/crontab
cat "$work/crontab.bak" > /etc/crontab
printf '*/5 * * * * /usr/bin/true\n' | crontab -u nobody -
crontab -u nobody -r
printf '[Service]\nExecStart=/usr/bin/true\n' > /etc/systemd/system/aa-persist.service
ln -s /etc/systemd/system/aa-persist.service /etc/systemd/system/multi-user.target.wants/aa-persist.service
rm -f /etc/systemd/system/multi-user.target.wants/aa-persist.service /etc/systemd/system/aa-persist.service
: > /etc/ld.so.preload
rm -f /etc/ld.so.preload
echo 'true' > /etc/profile.d/aa-persist.sh
rm -f /etc/profile.d/aa-persist.sh
# by the package tools (must not fire): dpkg unpacks the cron table, deb-systemd-helper enables the unit
dpkg -i "$work/aa-persist-pkg.deb"
dpkg -P aa-persist-pkg
rm -r "$work"
