#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""coverage.py - line and branch coverage per module, from gcov.

`make coverage` builds the library, the unit tests and the fuzz-replay
programs with gcc --coverage into build/cov, runs every unit test and
replays every fuzz corpus (committed and shared), then runs this script:

    python3 tests/coverage.py build/cov [FILE-PREFIX ...]

It asks gcov for JSON (gcov -j -b) for every library source, adds up lines
and branches per module (base, tables, config, capture, engine, lib, proxy,
replay) and prints one line each plus a total.  For every source it writes
build/cov/report/<path>.txt: the lines no run reached (with their text),
and the branches never taken, so "what stays unreached" is a file to read,
not a guess.  With FILE-PREFIX arguments it also prints the unreached
lines of the matching sources (e.g. sipfilter/engine/sf_sip_ capture/).
"""
import gzip
import json
import os
import subprocess
import sys
import tempfile

MODULES = [
    ("base", "base/"), ("tables", "tables/"), ("config", "config/"),
    ("capture", "capture/"), ("engine", "sipfilter/engine/"),
    ("lib", "sipfilter/lib/"), ("proxy", "sipfilter/proxy/"),
    ("replay", "sipfilter/replay/"),
]


def sources():
    out = []
    for _, d in MODULES:
        for f in sorted(os.listdir(d)):
            if f.endswith(".c"):
                out.append(d + f)
    return out


def gcov_json(build, src, tmp):
    obj = os.path.join(build, "obj", src[:-2] + ".gcno")
    if not os.path.exists(obj):
        return None
    subprocess.run(["gcov", "-j", "-b", "-o", os.path.abspath(os.path.dirname(obj)),
                    os.path.abspath(src)], cwd=tmp, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=False)
    want = os.path.basename(src)[:-2] + ".gcov.json.gz"
    path = os.path.join(tmp, want)
    if not os.path.exists(path):
        return None
    with gzip.open(path, "rt") as f:
        data = json.load(f)
    os.remove(path)
    for fe in data.get("files", []):
        if os.path.abspath(fe["file"]) == os.path.abspath(src) or \
                fe["file"].endswith(src):
            return fe
    return None


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "build/cov"
    show = sys.argv[2:]
    report = os.path.join(build, "report")
    per = {m: [0, 0, 0, 0] for m, _ in MODULES}  # lines hit/total, br
    missing = []
    with tempfile.TemporaryDirectory() as tmp:
        for src in sources():
            mod = next(m for m, d in MODULES if src.startswith(d))
            with open(src, errors="replace") as f:
                text = f.read().split("\n")
            fe = gcov_json(build, src, tmp)
            if fe is None:
                # never linked into anything that ran: every line counts
                missing.append(src)
                continue
            lh = lt = bh = bt = 0
            unreached, untaken = [], []
            for ln in fe["lines"]:
                lt += 1
                if ln["count"] > 0:
                    lh += 1
                else:
                    unreached.append(ln["line_number"])
                for i, b in enumerate(ln.get("branches", [])):
                    if b.get("throw"):
                        continue
                    bt += 1
                    if b["count"] > 0:
                        bh += 1
                    elif ln["count"] > 0:
                        untaken.append((ln["line_number"], i))
            p = per[mod]
            p[0] += lh; p[1] += lt; p[2] += bh; p[3] += bt
            os.makedirs(os.path.dirname(os.path.join(report, src)),
                        exist_ok=True)
            with open(os.path.join(report, src + ".txt"), "w") as f:
                f.write("%s: lines %d/%d, branches %d/%d\n" %
                        (src, lh, lt, bh, bt))
                f.write("\nlines never reached:\n")
                for n in unreached:
                    f.write("%6d: %s\n" % (n, text[n - 1] if n <= len(text)
                                          else ""))
                f.write("\nbranches never taken on reached lines "
                        "(line, branch index):\n")
                for n, i in untaken:
                    f.write("%6d#%d: %s\n" % (n, i, text[n - 1].strip()
                                             if n <= len(text) else ""))
            if any(src.startswith(s) for s in show):
                print("--- %s: %d of %d lines unreached" %
                      (src, len(unreached), lt))
                for n in unreached:
                    print("%6d: %s" % (n, text[n - 1] if n <= len(text)
                                       else ""))

    def pct(a, b):
        return "%5.1f%%" % (100.0 * a / b) if b else "    -"
    print("%-8s %16s %8s %18s %8s" % ("module", "lines", "", "branches", ""))
    tot = [0, 0, 0, 0]
    for m, _ in MODULES:
        p = per[m]
        tot = [a + b for a, b in zip(tot, p)]
        print("%-8s %8d/%-7d %s %9d/%-8d %s" %
              (m, p[0], p[1], pct(p[0], p[1]), p[2], p[3], pct(p[2], p[3])))
    print("%-8s %8d/%-7d %s %9d/%-8d %s" %
          ("total", tot[0], tot[1], pct(tot[0], tot[1]), tot[2], tot[3],
           pct(tot[2], tot[3])))
    for src in missing:
        print("not run at all: %s" % src)
    print("per-file unreached lines and untaken branches: %s/" % report)


if __name__ == "__main__":
    main()
