#!/usr/bin/env python3
"""CPU of child processes at microsecond resolution, for the SNMP benchmark.

/usr/bin/time reports CPU in 10 ms steps, as much as a whole snmpbulkwalk of the ios recording
costs. This runs each command of a batch as a child and reads its own rusage from wait4(2)
(ru_utime + ru_stime, microseconds; all threads of the child), counting the lines of its
standard output that start with "." (one varbind each with `snmpbulkwalk -On`).

Usage: rusage.py ROUNDS -- CMD_A... [--- CMD_B...]
Runs A, B, A, B, ... ROUNDS times each (interleaved, so both see the same machine) and prints one
JSON line: {"runs": [[{"cpu_us": N, "lines": N, "rc": N}, ...], ...]}, one list per command.
The wrapper's own CPU (reading the pipe) is its own, not the child's.
"""
import json
import os
import sys


def run(cmd):
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        os.dup2(w, 1)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        try:
            os.execvp(cmd[0], cmd)
        finally:
            os._exit(127)
    os.close(w)
    lines = 0
    pending = b""
    with os.fdopen(r, "rb", buffering=0) as out:
        while True:
            chunk = out.read(65536)
            if not chunk:
                break
            data = pending + chunk
            parts = data.split(b"\n")
            pending = parts.pop()
            lines += sum(1 for p in parts if p.startswith(b"."))
    if pending.startswith(b"."):
        lines += 1
    _, status, usage = os.wait4(pid, 0)
    cpu_us = round((usage.ru_utime + usage.ru_stime) * 1e6)
    return {"cpu_us": cpu_us, "lines": lines, "rc": os.waitstatus_to_exitcode(status)}


def main(argv):
    if len(argv) < 3 or argv[1] != "--":
        sys.exit(__doc__)
    rounds = int(argv[0])
    cmds, cur = [], []
    for a in argv[2:]:
        if a == "---":
            cmds.append(cur)
            cur = []
        else:
            cur.append(a)
    cmds.append(cur)
    runs = [[] for _ in cmds]
    for _ in range(rounds):
        for i, cmd in enumerate(cmds):
            runs[i].append(run(cmd))
    print(json.dumps({"runs": runs}))


if __name__ == "__main__":
    main(sys.argv[1:])
