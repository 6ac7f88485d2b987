# The second capture's workload (capture-workload-2.log): cases the first one missed. Runs as root.
set -x
cd /
# a service's shell (no login uid) connecting out, before this shell takes one
bash -c 'exec 3<>/dev/tcp/127.0.0.1/9' 2>/dev/null
echo 1000 > /proc/self/loginuid
mkdir /tmp/aa-shared && chmod 2775 /tmp/aa-shared                  # setgid directory
cp /usr/bin/true /tmp/aa-suid && chmod 4755 /tmp/aa-suid           # setuid file
printf '#!/bin/sh\ntrue\n' > /tmp/aa-one.sh && cp /tmp/aa-one.sh /tmp/aa-two.sh
bash /tmp/aa-one.sh                                                 # script in /tmp through a shell
bash /tmp/aa-two.sh                                                 # a second one, same shell
(cd /tmp && bash aa-one.sh && bash ./aa-two.sh)                     # relative names, cwd /tmp
(cd /tmp && bash -c true)                                           # an option, not a file
printf 'pass\n' > /tmp/aa-x.py && /usr/bin/python3 /tmp/aa-x.py              # interpreter
/lib64/ld-linux-x86-64.so.2 /tmp/aa-suid                            # the dynamic loader
/usr/bin/python3 -c "import os; fd = os.memfd_create('aa'); os.write(fd, open('/usr/bin/true', 'rb').read()); os.execv('/proc/self/fd/%d' % fd, ['aa'])"
/usr/bin/python3 -c "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen()"       # ephemeral port
/usr/bin/python3 -c "import socket; s = socket.socket(); s.bind(('127.0.0.1', 47001)); s.listen()"   # a port
cp -p /etc/security/opasswd /etc/security/opasswd.aa && mv /etc/security/opasswd.aa /etc/security/opasswd  # replaced: the watch moves
auditctl -e 0                                                       # auditing off
auditctl -e 1
rm -rf /tmp/aa-shared /tmp/aa-suid /tmp/aa-one.sh /tmp/aa-two.sh /tmp/aa-x.py
