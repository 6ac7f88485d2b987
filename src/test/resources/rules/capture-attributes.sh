# The commands behind capture-attributes.log (a private auditd, the shipped audit rules, as root from /;
# no network). chattr changes file attributes with the FS_IOC_SETFLAGS ioctl, which the audit rules do
# not log: only its exec is seen.
mkdir -p /tmp/cap3/d && touch /tmp/cap3/d/f /tmp/cap3/d/g
chattr +i /tmp/cap3/d/f          # immutable: fires
chattr -i /tmp/cap3/d/f          # immutable off (before a change to the file): fires
chattr +a /tmp/cap3/d/g          # append-only: fires
chattr =ia /tmp/cap3/d/g         # fires
chattr -R -ai /tmp/cap3/d        # fires
chattr -V +d /tmp/cap3/d/f       # no-dump: must not fire
lsattr /tmp/cap3/d/f             # must not fire
chattr -v 7 /tmp/cap3/d/f        # a version number: must not fire
rm -rf /tmp/cap3/d
# a second capture the same day (serials 2209059–2209064): the = operator sets the exact attributes,
# so it takes i and a off
mkdir -p /tmp/cap3/d && touch /tmp/cap3/d/f
chattr +i /tmp/cap3/d/f          # fires
chattr =e /tmp/cap3/d/f          # fires
chattr = /tmp/cap3/d/f           # fires
rm -rf /tmp/cap3/d
