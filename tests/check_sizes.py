#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""check_sizes.py - no production function over 120 lines, no production
file over 900 lines, unless the file says why.

  python3 tests/check_sizes.py [ALLOWLIST]

Production code is every .c and .h under base/ tables/ config/ capture/
and sipfilter/.  A file may exceed a limit only if its header comment (the
first /* ... */ block) has a line starting " * Size:" that says why; the
exemption covers the file and every function in it.

Functions are found by the tree's kernel style: the body opens with "{"
alone at column 0 and closes at the next "}" at column 0.  A function's
length counts its lines from the first line of its signature to the
closing brace.

ALLOWLIST (default tests/size_allowlist.txt) names known offenders still
being split: "path" (file over 900 lines) or "path:function".  An entry
that is no longer an offender is an error too, so the list can only
shrink.

Exits 1 with every offender listed, else prints a one-line summary.
"""
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DIRS = ('base', 'tables', 'config', 'capture', 'sipfilter')
MAX_FUNC = 120
MAX_FILE = 900
EXEMPT = re.compile(r'^ \* Size:', re.M)
NAME = re.compile(r'([A-Za-z_]\w*)\s*\(')


def sources():
    out = []
    for d in DIRS:
        for dirpath, dirs, files in os.walk(os.path.join(ROOT, d)):
            dirs.sort()
            for f in sorted(files):
                if f.endswith(('.c', '.h')):
                    out.append(os.path.relpath(os.path.join(dirpath, f),
                                               ROOT))
    return out


def header_comment(text):
    """The first /* ... */ block of the file (after the SPDX line)."""
    m = re.search(r'/\*(?!\s*SPDX).*?\*/', text, re.S)
    return m.group(0) if m else ''


def functions(lines):
    """(name, first line, length) of every column-0 braced body."""
    out = []
    i = 0
    while i < len(lines):
        if lines[i].rstrip() != '{':
            i += 1
            continue
        # the signature: back to the line holding "name(", stopping at a
        # blank line, a preprocessor line or the end of the previous item
        start, name = i, None
        for k in range(i - 1, max(i - 12, -1), -1):
            s = lines[k]
            if not s.strip() or s.startswith('#') or s.rstrip() in ('}', '};'):
                break
            start = k
            m = NAME.search(s)
            if m and not s[0].isspace():
                name = m.group(1)
                break
        j = i + 1
        while j < len(lines) and not lines[j].startswith('}'):
            j += 1
        out.append((name or '?', start + 1, j - start + 1))
        i = j + 1
    return out


def main():
    allow_path = (sys.argv[1] if len(sys.argv) > 1 else
                  os.path.join(ROOT, 'tests', 'size_allowlist.txt'))
    allow = set()
    if os.path.isfile(allow_path):
        for line in open(allow_path, encoding='utf-8'):
            line = line.split('#', 1)[0].strip()
            if line:
                allow.add(line)
    bad, used = [], set()
    files = sources()
    nfunc = 0
    for rel in files:
        text = open(os.path.join(ROOT, rel), encoding='utf-8').read()
        lines = text.split('\n')
        if lines and lines[-1] == '':
            lines.pop()
        exempt = bool(EXEMPT.search(header_comment(text)))
        if len(lines) > MAX_FILE and not exempt:
            if rel in allow:
                used.add(rel)
            else:
                bad.append(f'{rel}: {len(lines)} lines (limit {MAX_FILE})')
        for name, first, n in functions(lines):
            nfunc += 1
            if n <= MAX_FUNC or exempt:
                continue
            key = f'{rel}:{name}'
            if key in allow:
                used.add(key)
            else:
                bad.append(f'{rel}:{first}: {name}() is {n} lines '
                           f'(limit {MAX_FUNC})')
    for stale in sorted(allow - used):
        bad.append(f'{os.path.relpath(allow_path, ROOT)}: {stale} is no '
                   'longer an offender: remove it from the list')
    if bad:
        print('check-sizes: too big (split it, or say why on a " * Size:" '
              'line of the file\'s header comment):')
        for b in bad:
            print('  ' + b)
        return 1
    print(f'check-sizes: {len(files)} files, {nfunc} functions: none over '
          f'{MAX_FUNC} lines, no file over {MAX_FILE} '
          f'({len(used)} allowlisted)')
    return 0


if __name__ == '__main__':
    sys.exit(main())
