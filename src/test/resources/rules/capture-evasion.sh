# The commands behind capture-evasion.log (a private auditd, the shipped audit rules, as root from /;
# loopback only). Techniques the defaults missed in a review: a download piped into a shell, a script in
# /tmp after an interpreter's options, a setuid file created by open(2), file capabilities, persistence
# files not watched before, an audit rule that silences a program.
set -u
mkdir -p /tmp/cap4/www
printf 'echo dl-ran\n' > /tmp/cap4/www/i.sh
printf 'echo script-ran\n' > /tmp/cap4/x.sh
printf 'print("py-ran")\n' > /tmp/cap4/x.py
/usr/bin/python3 -m http.server --bind 127.0.0.1 18931 --directory /tmp/cap4/www >/dev/null 2>&1 &
srv=$!
sleep 1
# a download piped into a shell: fires
sh -c 'curl -s http://127.0.0.1:18931/i.sh | sh'
sh -c 'wget -qO- http://127.0.0.1:18931/i.sh | bash'
# a download that runs nothing, a pipe into a shell of no download: must not fire
sh -c 'curl -s -o /tmp/cap4/dl.sh http://127.0.0.1:18931/i.sh'
sh -c 'echo echo piped | sh'
# a script in /tmp after options, by pyenv's interpreter, sourced by -c: fires
bash -e -x /tmp/cap4/x.sh
/usr/bin/python3 -u -B /tmp/cap4/x.py
/root/.pyenv/versions/3.11.7/bin/python3.11 /tmp/cap4/x.py
bash -c '. /tmp/cap4/x.sh'
# options, then program text that names /tmp: must not fire
bash -e -c 'echo /tmp/cap4/x.sh'
/usr/bin/python3 -u -c 'print(1)' /tmp/cap4/x.py
# a setuid file created by open(O_CREAT, 04755): fires; a plain one is not logged
/usr/bin/python3 -c 'import os; os.close(os.open("/tmp/cap4/suid", os.O_CREAT | os.O_WRONLY, 0o4755))'
/usr/bin/python3 -c 'import os; os.close(os.open("/tmp/cap4/plain", os.O_CREAT | os.O_WRONLY, 0o755))'
# file capabilities: setcap fires; -v and -r must not
cp /usr/bin/true /tmp/cap4/t
setcap cap_net_raw+ep /tmp/cap4/t
setcap -v cap_net_raw+ep /tmp/cap4/t
setcap -r /tmp/cap4/t
# persistence files newly watched: each change fires
printf '#!/bin/sh\ntrue\n' > /etc/cron.hourly/cap4
rm -f /etc/cron.hourly/cap4
printf '#!/bin/sh\nexit 0\n' > /etc/rc.local
rm -f /etc/rc.local
echo /opt/cap4/lib > /etc/ld.so.conf.d/zz-cap4.conf
rm -f /etc/ld.so.conf.d/zz-cap4.conf
printf 'auth optional pam_permit.so\n' > /etc/pam.d/cap4
rm -f /etc/pam.d/cap4
cp -p /etc/bash.bashrc /tmp/cap4/bash.bashrc.bak
echo '# cap4' >> /etc/bash.bashrc
cp -p /tmp/cap4/bash.bashrc.bak /etc/bash.bashrc
cp -p /root/.bashrc /tmp/cap4/root.bashrc.bak
echo '# cap4' >> /root/.bashrc
cp -p /tmp/cap4/root.bashrc.bak /root/.bashrc
mkdir -m 700 /root/.ssh
echo 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIcap4 cap4' >> /root/.ssh/authorized_keys
# known_hosts beside it: must not fire
echo '127.0.0.1 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIcap4' >> /root/.ssh/known_hosts
rm -rf /root/.ssh
# an audit rule that silences a call: the alert shows auditctl's command line
auditctl -a exit,never -F arch=b64 -S getpid -k cap4never
auditctl -d exit,never -F arch=b64 -S getpid -k cap4never
kill "$srv"
rm -rf /tmp/cap4/www /tmp/cap4/dl.sh /tmp/cap4/suid /tmp/cap4/plain /tmp/cap4/t
