#!/usr/bin/env python3
"""Per-JS-function costs from a callgrind dump of a node process run with --perf-basic-prof.

Callgrind names JIT code by address; V8's perf map (perf-PID.map: start, size, name per code object) says which
JS function (or builtin, IC stub) each address belongs to. Prints self and inclusive instruction counts per
request, summed by JS name, for the names matching PATTERN (default: everything), largest inclusive first.

  python3 cg-functions.py DUMP PERF_MAP REQUESTS [PATTERN]
  python3 cg-functions.py DUMP PERF_MAP REQUESTS --callees PATTERN   # what the matching functions call, inclusive
"""
import bisect, re, subprocess, sys

dump, perf_map, requests = sys.argv[1], sys.argv[2], int(sys.argv[3])
callees_of = re.compile(sys.argv[5]) if len(sys.argv) > 5 and sys.argv[4] == '--callees' else None
pattern = re.compile(sys.argv[4]) if len(sys.argv) > 4 and callees_of is None else None

entries = []
with open(perf_map) as f:
    for line in f:
        start, size, name = line.rstrip('\n').split(' ', 2)
        entries.append((int(start, 16), int(size, 16), name))
entries.sort()
starts = [e[0] for e in entries]

def js_name(raw):
    m = re.fullmatch(r'0x([0-9a-f]+)', raw)
    if not m:
        return raw
    address = int(m.group(1), 16)
    i = bisect.bisect_right(starts, address) - 1
    if i >= 0 and address < entries[i][0] + entries[i][1]:
        return entries[i][2]
    return '(unnamed JIT code)'

def costs(inclusive):
    args = ['callgrind_annotate', '--threshold=100', '--show=Ir', f'--inclusive={"yes" if inclusive else "no"}', dump]
    out = subprocess.run(args, capture_output=True, text=True).stdout
    sums = {}
    for line in out.splitlines():
        m = re.match(r'\s*([\d,]+)\s+\([^)]*\)\s+(\S+?):(.*?)(?: \[.*\])?$', line)
        if not m or 'PROGRAM TOTALS' in line:
            continue
        name = js_name(m.group(3).strip())
        sums[name] = sums.get(name, 0) + int(m.group(1).replace(',', ''))
    return sums

def callees():
    """From `--tree=calling`: each function line, then indented `cost < callee` lines."""
    args = ['callgrind_annotate', '--threshold=100', '--show=Ir', '--inclusive=yes', '--tree=calling', dump]
    out = subprocess.run(args, capture_output=True, text=True).stdout
    current, calls = None, {}
    for line in out.splitlines():
        m = re.match(r'\s*([\d,]+)\s+\([^)]*\)\s+(\*?)\s*(\S+?):(.*?)(?: \[.*\])?$', line)
        c = re.match(r'\s*([\d,]+)\s+(?:\([^)]*\)\s+)?>\s+(\S+?):(.*?)(?: \(\d+x\))?(?: \[.*\])?$', line)
        if c and current is not None:
            callee = js_name(c.group(3).strip())
            calls.setdefault(current, {})
            calls[current][callee] = calls[current].get(callee, 0) + int(c.group(1).replace(',', ''))
        elif m and '*' in m.group(2):
            current = js_name(m.group(4).strip())
    return calls

if callees_of is not None:
    for caller, targets in callees().items():
        if not callees_of.search(caller):
            continue
        print(caller)
        for name, cost in sorted(targets.items(), key=lambda kv: -kv[1]):
            print(f'  {cost / requests:9.0f}  {name[:140]}')
    sys.exit(0)

self_costs, inclusive_costs = costs(False), costs(True)
rows = sorted(inclusive_costs.items(), key=lambda kv: -kv[1])
print(f'{"incl/req":>9} {"self/req":>9}  function')
for name, incl in rows:
    if pattern and not pattern.search(name):
        continue
    print(f'{incl / requests:9.0f} {self_costs.get(name, 0) / requests:9.0f}  {name[:140]}')
