# The capture of modprobe runs (capture-modprobe.log). Runs as root. The kernel of that machine has no
# loadable modules, so each command fails after its exec: what the rules see is the attempt.
set -x
cd /
echo 1000 > /proc/self/loginuid
modprobe dummy                       # a load attempt
modprobe --show-depends dummy        # read-only: lists what a load would do
modprobe -n -v dummy                 # read-only: dry run
modprobe -c > /dev/null              # read-only: prints the configuration
modprobe -r dummy                    # a removal attempt
