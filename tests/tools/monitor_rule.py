#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# monitor_rule.py CONFIG OUT RULE - writes CONFIG to OUT with rule RULE
# switched to monitor mode (a "mode: monitor" line after its action), the
# other config of the --diff tests (replay.sh, replay_schema.sh).
import sys

src, dst, rule = sys.argv[1:4]
out, hit = [], False
for line in open(src):
    out.append(line)
    if line.strip() == "- name: " + rule:
        hit = True
    elif hit and line.strip().startswith("action:"):
        out.append(line[:len(line) - len(line.lstrip())] + "mode: monitor\n")
        hit = False
open(dst, "w").write("".join(out))
