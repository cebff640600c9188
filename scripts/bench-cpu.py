#!/usr/bin/env python3
"""Samples the CPU time of every Chromium, chromedriver and java process every 200 ms until the file
STOP exists, keeping each process's last figure (so processes that exit in between - a renderer per
page - still count, less at most one sample), then prints seconds by kind of process.
usage: bench-cpu.py STOP"""
import os
import sys
import time

HZ = os.sysconf('SC_CLK_TCK')


def kind(cmd):
    # Chromium's children rewrite their command line into one string: the program is its first word.
    args = b' '.join(cmd).decode(errors='replace')
    exe = os.path.basename(args.split(' ')[0])
    if exe in ('chromium', 'chrome'):
        return 'chromium ' + (args.split('--type=')[1].split()[0] if '--type=' in args else 'browser')
    if exe == 'chrome_crashpad_handler':
        return 'chromium crashpad'
    if exe == 'chromedriver':
        return 'chromedriver'
    if exe == 'java' and 'RunnerBenchmark' in args:
        return 'java (runner)'
    return None


seen = {}
me = str(os.getpid())
while not os.path.exists(sys.argv[1]):
    for pid in os.listdir('/proc'):
        if not pid.isdigit() or pid == me:
            continue
        try:
            cmd = open('/proc/%s/cmdline' % pid, 'rb').read().split(b'\0')
            stat = open('/proc/%s/stat' % pid).read()
        except OSError:
            continue
        k = kind(cmd)
        if k:
            f = stat[stat.rfind(')') + 2:].split()
            seen[pid] = (k, (int(f[11]) + int(f[12])) / HZ)
    time.sleep(0.2)
total = {}
for k, cpu in seen.values():
    total[k] = total.get(k, 0) + cpu
for k, cpu in sorted(total.items(), key=lambda x: -x[1]):
    print('CPU %s %.2f' % (k.replace(' ', '_'), cpu))
