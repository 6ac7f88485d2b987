# The capture of dpkg's helpers at work (capture-package-tools.log). Runs as root, from /, on Debian 12
# with sudo installed; changes only files it adds under /usr/local/bin and removes them again.
set -x
echo 1000 > /proc/self/loginuid
cd /
cp /usr/bin/true /usr/local/bin/aa-statoverride                 # a binary written by hand: fires
dpkg-statoverride --update --add root root 4755 /usr/local/bin/aa-statoverride   # setuid, as a package's postinst does
dpkg-statoverride --remove /usr/local/bin/aa-statoverride
update-alternatives --install /usr/local/bin/aa-alt aa-alt /usr/bin/true 10      # links under /usr/local/bin
update-alternatives --remove aa-alt /usr/bin/true
dpkg --verify sudo                                                 # dpkg reads the package's conffiles, /etc/sudoers too
rm -f /usr/local/bin/aa-statoverride                               # removed by hand: fires
