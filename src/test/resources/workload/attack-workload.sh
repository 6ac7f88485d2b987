#!/bin/sh
# The workload of the real-auditd tests and of the demo capture: what the default rules must catch.
# Runs as root; changes nothing permanently (every file it makes is removed, /etc/passwd is
# rewritten with its own content). Prints "STEP name" before each step so a test can tell them apart.
# The shipped network rule only logs sessions with a login uid, so this shell takes one (1000) first.
set -u
cd /
echo 1000 > /proc/self/loginuid 2>/dev/null || true
tag=${AUDITALERT_WORKLOAD_TAG:-aa$$}

echo "STEP exec-from-tmp"
cp /bin/true "/tmp/$tag-tool" && chmod 0755 "/tmp/$tag-tool" && "/tmp/$tag-tool"
rm -f "/tmp/$tag-tool"

echo "STEP setuid-in-usr-bin"
cp /bin/true "/usr/bin/$tag-suid" && chmod 4755 "/usr/bin/$tag-suid"
rm -f "/usr/bin/$tag-suid"

echo "STEP shadow-read-root"
cat /etc/shadow > /dev/null

echo "STEP shadow-read-refused"
su -s /bin/sh nobody -c 'cat /etc/shadow' > /dev/null 2>&1 || true

echo "STEP passwd-rewrite"
cp -p /etc/passwd "/etc/.$tag-passwd" && cat "/etc/.$tag-passwd" > /etc/passwd
rm -f "/etc/.$tag-passwd"

echo "STEP connect-refused"
bash -c 'exec 3<>/dev/tcp/127.0.0.1/1' > /dev/null 2>&1 || true

echo "STEP su"
su -s /bin/sh nobody -c 'true' > /dev/null 2>&1 || true

echo "STEP audit-tools"
/sbin/auditctl -s > /dev/null 2>&1 || true
echo "STEP done"
