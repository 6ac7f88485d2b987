set -x
cp /usr/bin/true /tmp/aa-true && /tmp/aa-true          # exec from /tmp
/usr/bin/ls / >/dev/null                                # normal exec
cp /usr/bin/true /usr/bin/aa-test-bin                  # write under /usr/bin
chmod 4755 /usr/bin/aa-test-bin                        # setuid bit
chmod 0755 /usr/bin/aa-test-bin                        # no setuid
chmod 2755 /tmp/aa-true                                # setgid under /tmp
rm -f /usr/bin/aa-test-bin
cat /etc/shadow > /dev/null                            # root reads shadow
setpriv --reuid=65534 --regid=65534 --clear-groups cat /etc/shadow   # refused
setpriv --reuid=65534 --regid=65534 --clear-groups cat /etc/hostname >/dev/null  # normal read
setpriv --reuid=65534 --regid=65534 --clear-groups touch /root/aa-denied  # refused, not sensitive
/usr/bin/python3 -c "open('/etc/passwd','a').close()"  # write-open of passwd
/usr/bin/python3 -c "open('/etc/group','r').close()"   # read-only
touch /etc/audit/aa-test && rm -f /etc/audit/aa-test   # audit config change
auditctl -l > /dev/null                                # audit tool
modprobe dummy 2>/dev/null; insmod /nonexistent.ko 2>/dev/null
bash -c 'exec 3<>/dev/tcp/127.0.0.1/9' 2>/dev/null     # shell connect refused
/usr/bin/python3 -c "import socket; s=socket.socket(); s.connect_ex(('127.0.0.1',9))"  # non-shell connect
bash -c 'echo hi > /dev/null'
/tmp/aa-true --password=hunter2 --token abc
printf 'x' | /usr/bin/env "ünïcode arg" 2>/dev/null
rm -f /tmp/aa-true
