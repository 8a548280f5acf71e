#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""check_deps.py - the layering rules of the source tree, enforced.

  python3 tests/check_deps.py [OBJDIR]

1. Modules and what each may include (a file's module is its folder):

     base      nothing of ours but base
     tables    base                  config    base
     capture   base
     engine    base tables config    (the library's core; no I/O, no driver)
     lib       engine base tables config
     proxy     lib engine base tables config          (a driver)
     replay    lib engine base tables config capture  (a driver)
     cmd       anything (the commands wire the drivers together)
     kamailio  lib's public header (sipfilter/lib/sipfilter.h), its
               embedder's header (sipfilter/lib/sf_embed.h) and
               Kamailio's own headers (outside the tree); the module is
               built apart (make kamailio-module), so it has no object in
               OBJDIR and rule 3 does not look at it

   Drivers never include each other.
2. No include cycle between files (x.c and x.h are one node).
3. With OBJDIR (the build's object tree): no two object files of the
   library need each other's symbols, directly or through others (nm);
   such a pair is one job split in two files, or two jobs that should
   meet through a third.

Exits 1 with every violation listed, else prints a one-line summary.
"""
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODULE_DIRS = {
    'base': 'base', 'tables': 'tables', 'config': 'config',
    'capture': 'capture', 'sipfilter/engine': 'engine',
    'sipfilter/lib': 'lib', 'sipfilter/proxy': 'proxy',
    'sipfilter/replay': 'replay', 'sipfilter/cmd': 'cmd',
    'sipfilter/kamailio': 'kamailio',
}
# Built outside the library and its objects (rule 3 skips them).
APART = {'kamailio'}
# Modules that may include only these files of the tree.
ONLY_FILES = {'kamailio': {'sipfilter/lib/sipfilter.h',
                          'sipfilter/lib/sf_embed.h',
                          'sipfilter/kamailio/sf_kam_shm.h',
                          'sipfilter/kamailio/sf_kam_log.h',
                          'sipfilter/kamailio/sf_kam_verdict.h'}}
CORE = {'base', 'tables', 'config'}
ALLOWED = {
    'base': {'base'},
    'tables': {'base', 'tables'},
    'config': {'base', 'config'},
    'capture': {'base', 'capture'},
    'engine': CORE | {'engine'},
    'lib': CORE | {'engine', 'lib'},
    'proxy': CORE | {'engine', 'lib', 'proxy'},
    'replay': CORE | {'engine', 'lib', 'replay', 'capture'},
    'cmd': None,  # anything
    'kamailio': {'lib', 'kamailio'},
}
INC = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def module_of(rel):
    d = os.path.dirname(rel)
    return MODULE_DIRS.get(d)


def sources():
    out = []
    for d in MODULE_DIRS:
        full = os.path.join(ROOT, d)
        if not os.path.isdir(full):
            continue
        for f in sorted(os.listdir(full)):
            if f.endswith(('.c', '.h')):
                out.append(os.path.join(d, f))
    return out


def resolve(rel, name):
    for cand in (os.path.join(os.path.dirname(rel), name), name):
        cand = os.path.normpath(cand)
        if os.path.isfile(os.path.join(ROOT, cand)):
            return cand
    return None


def sccs(graph):
    """Tarjan: strongly connected components with more than one node."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]
    sys.setrecursionlimit(10000)

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def main():
    bad = []
    files = sources()
    graph = {}
    for rel in files:
        mod = module_of(rel)
        stem = os.path.splitext(rel)[0]
        graph.setdefault(stem, set())
        text = open(os.path.join(ROOT, rel), encoding='utf-8').read()
        for m in INC.finditer(text):
            target = resolve(rel, m.group(1))
            if target is None:
                continue
            tmod = module_of(target)
            if tmod is None:
                bad.append(f'{rel}: includes {m.group(1)}, outside the modules')
                continue
            allowed = ALLOWED[mod]
            if mod in ONLY_FILES and target not in ONLY_FILES[mod]:
                bad.append(f'{rel}: {mod} may include only '
                           f'{", ".join(sorted(ONLY_FILES[mod]))} of ours '
                           f'({m.group(1)})')
            elif allowed is not None and tmod not in allowed:
                bad.append(f'{rel}: {mod} may not include {tmod} '
                           f'({m.group(1)})')
            tstem = os.path.splitext(target)[0]
            if tstem != stem:
                graph[stem].add(tstem)
    for comp in sccs(graph):
        bad.append('include cycle: ' + ' <-> '.join(comp))

    nobj = 0
    if len(sys.argv) > 1:
        objdir = sys.argv[1]
        defs, uses = {}, {}
        for rel in files:
            if not rel.endswith('.c') or module_of(rel) in APART:
                continue
            obj = os.path.join(objdir, os.path.splitext(rel)[0] + '.o')
            if not os.path.isfile(obj):
                bad.append(f'{obj}: missing (build the library first)')
                continue
            nobj += 1
            out = subprocess.run(['nm', '-g', obj], capture_output=True,
                                 text=True, check=True).stdout
            node = os.path.splitext(rel)[0]
            uses[node] = set()
            for line in out.splitlines():
                parts = line.split()
                if len(parts) == 2 and parts[0] == 'U':
                    uses[node].add(parts[1])
                elif len(parts) == 3 and parts[1] in 'TDBRVW':
                    defs[parts[2]] = node
        sym_graph = {n: {defs[s] for s in u if s in defs and defs[s] != n}
                     for n, u in uses.items()}
        for comp in sccs(sym_graph):
            why = []
            for a in comp:
                for s in sorted(uses[a]):
                    if defs.get(s) in comp and defs[s] != a:
                        why.append(f'{os.path.basename(a)} uses {s} '
                                   f'({os.path.basename(defs[s])})')
            bad.append('objects that need each other: ' +
                       ', '.join(os.path.basename(c) for c in comp) +
                       '\n      ' + '\n      '.join(why[:12]))
    if bad:
        print('check-deps: layering violations:')
        for b in bad:
            print('  ' + b)
        return 1
    print(f'check-deps: {len(files)} files, {len(graph)} units, '
          f'{nobj} objects: layering ok, no cycles')
    return 0


if __name__ == '__main__':
    sys.exit(main())
