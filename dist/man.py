#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""man.py - the man pages, made from the README (one source, no drift).

  python3 dist/man.py OUTDIR [VERSION]

sipfilter(8) is the README's "Commands", "Running the proxy" and "Replay"
sections; sipfilter.yaml(5) its "Configuration reference", "Verdict
model" and "Table formats".  Each page is the sections' Markdown with a
NAME/SYNOPSIS head, turned into roff by pandoc (Debian's `pandoc`).
"""
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

PAGES = [
    ('sipfilter.8', 'SIPFILTER', '8', 'System Administration',
     'sipfilter - spoofed caller-ID filter for a SIP edge',
     'sipfilter COMMAND [-c CONFIG] [OPTIONS] [ARGS...]',
     ['Commands', 'Running the proxy (`sipfilter serve`)',
      'Replay: what would the rules have done?']),
    ('sipfilter.yaml.5', 'SIPFILTER.YAML', '5', 'File Formats',
     'sipfilter.yaml - configuration and table files of sipfilter',
     '/etc/sipfilter/sipfilter.yaml',
     ['Configuration reference', 'Verdict model', 'Table formats']),
]


def sections(text):
    """{title: body} of the README's level-2 sections."""
    out = {}
    parts = re.split(r'^## (.+)$', text, flags=re.M)
    for i in range(1, len(parts), 2):
        out[parts[i].strip()] = parts[i + 1]
    return out


def page(secs, name, title, sec, manual, what, synopsis, wanted, version):
    md = ['---', f'title: {title}', f'section: {sec}',
          f'header: {manual}', f'footer: sipfilter {version}', '---', '',
          '# NAME', '', what, '', '# SYNOPSIS', '', synopsis, '']
    for w in wanted:
        if w not in secs:
            sys.exit(f'man.py: README has no section "## {w}"')
        md.append('# ' + re.sub(r'[`:?]', '', w).split(' (')[0].upper())
        # the section's own subsections one level up
        md.append(re.sub(r'^(#{3,}) ', lambda m: m.group(1)[1:] + ' ',
                         secs[w], flags=re.M))
    md += ['# SEE ALSO', '',
           'sipfilter(8), sipfilter.yaml(5), kamailio(8), sipp(1); '
           'the README in /usr/share/doc/sipfilter.', '']
    return '\n'.join(md)


def main():
    if len(sys.argv) < 2 or sys.argv[1].startswith('-'):
        # `man.py --help` once wrote the pages into a directory "--help"
        print(__doc__, file=sys.stdout if len(sys.argv) > 1 else sys.stderr)
        sys.exit(0 if len(sys.argv) > 1 and sys.argv[1] in ('-h', '--help') else 2)
    out, version = sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else '0.1.0'
    secs = sections(open(os.path.join(ROOT, 'README.md'),
                         encoding='utf-8').read())
    os.makedirs(out, exist_ok=True)
    for name, title, sec, manual, what, syn, wanted in PAGES:
        md = page(secs, name, title, sec, manual, what, syn, wanted, version)
        roff = subprocess.run(['pandoc', '-s', '-f', 'markdown', '-t', 'man'],
                              input=md.encode(), capture_output=True,
                              check=True).stdout
        with open(os.path.join(out, name), 'wb') as f:
            f.write(roff)


main()
