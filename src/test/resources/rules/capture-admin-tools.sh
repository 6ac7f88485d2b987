# The commands behind capture-admin-tools.log: an administrator's routine work, each run in its own
# capture (a private auditd, the shipped audit rules), as root with login uid 1000 except where said.
# Only the events named in the README are kept.
apt-get install -y sl                         # debconf: perl dpkg-preconfigure reads /etc/shadow (2036921)
useradd -m -s /bin/bash h1user                # open + rename of passwd, group, gshadow, shadow (2038288-2038305)
install -m 0440 /tmp/h1/sudoers-h1 /etc/sudoers.d/h1user; visudo -c   # visudo reads sudoers (2038392, 2038394)
/usr/bin/python3 -m venv /tmp/h1/dev/venv     # pip's IPv6 probe binds ::1 port 0 from inline code (2038614)
find /etc -name '*.conf' > /dev/null          # login uid unset: opens the directory /etc/sudoers.d (2038826)
head -c 512 /dev/urandom > /tmp/h1/bogus.ko; insmod /tmp/h1/bogus.ko   # exec, finit_module, init_module (2039772-2039774)
ls /etc/sudoers.d > /dev/null                 # opens the directory (2040368)
sed -i 's/!lecture/!lecture/' /etc/sudoers.d/h1b   # fchown of its temporary copy, PATH name=(null) (2040400)
cp -p /usr/bin/passwd /tmp/h1/passwd-copy     # fchmod 4755 of the copy, PATH name=(null) (2040410)
head -1 /etc/shadow > /dev/null               # a plain read of /etc/shadow (2040705)
adduser --system --quiet h1sys; deluser --system --quiet h1sys   # perl deluser reads /etc/shadow (2040743)
