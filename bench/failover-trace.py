#!/usr/bin/env python3
"""Every orphan's path through a failover, from the logs of a run traced with bench/failover-trace.properties.

  bench/failover-trace.py /tmp/nvmesh-failover-1-XXXX 1796455089971 [every]

The second argument is the "stopped r1 at <epoch ms>" the scenario prints (SIGSTOP first, then SIGKILL). Prints,
for the nodes whose first welcome after that moment came last (and every N-th, default 50), each event in ms after
the stop: the agent's close, dial and welcome (sim.log) and the instances' hold / redirect / welcome (r*.log).
"""
import collections
import datetime
import re
import sys

run, stopped = sys.argv[1], int(sys.argv[2])
every = int(sys.argv[3]) if len(sys.argv) > 3 else 50
# The logs carry local times of day; fromtimestamp turns the epoch millis into the same.
t0 = datetime.datetime.fromtimestamp(stopped / 1000)
start = (t0.hour * 3600 + t0.minute * 60 + t0.second) * 1000 + t0.microsecond / 1000


def ms(hms):
    h, m, s = hms.split(':')
    return (int(h) * 3600 + int(m) * 60 + float(s)) * 1000


events = collections.defaultdict(list)
for name in ('sim', 'r1', 'r2', 'r3'):
    try:
        lines = open(f'{run}/{name}.log', errors='replace')
    except OSError:
        continue
    for line in lines:
        f = line.split(' ', 4)
        if len(f) < 5 or not re.match(r'\d\d:\d\d:\d\d\.\d{3}$', f[0]):
            continue
        t = ms(f[0]) - start
        if t < 0 or t > 60_000:
            continue
        msg = f[4].strip()
        m = re.match(r'([tc]-\d{4}): (.*)', msg)
        if m:
            events[m.group(1)].append((t, 'agent ' + m.group(2)))
            continue
        m = re.match(r'(r\d): (holding|redirecting|welcomed) ([tc]-\d{4})(.*)', msg)
        if m:
            events[m.group(3)].append((t, m.group(1) + ' ' + m.group(2) + m.group(4)))

firsts = []
for node, evs in events.items():
    evs.sort()
    welcomes = [t for t, e in evs if e.startswith('agent welcomed')]
    if welcomes:
        firsts.append((welcomes[0], node))
firsts.sort()
print(f'{len(firsts)} nodes welcomed after the stop; ms after it:')
for i, (t, node) in enumerate(firsts):
    if i % every == 0 or i >= len(firsts) - 5:
        path = ' | '.join(f'{et:.0f} {e[:70]}' for et, e in events[node] if et <= t)
        print(f'{t:7.0f} {node}: {path}')
