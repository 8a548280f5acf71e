#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# replay_html.sh - `sipfilter replay --html FILE` in a real browser.  The
# page of a run over generated captures (call flows with outcomes,
# calls through several rules, every link type and scenario) is loaded
# in headless Chromium (Debian package chromium): it renders without a
# console error, a screenshot is taken (build/test-logs/replay_html.png),
# the DOM the browser built holds every number the text summary of the
# same run prints, with the same value (each number carries a data-k
# name); the page fetches nothing (no script, no external URL) and is the
# same for the same input.
set -u
cd "$SF_ROOT"
. tests/integration/lib.sh
. tests/tools/replay_gen.sh
replay_setup || { finish; exit 1; }
BROWSER=$(command -v chromium || command -v chromium-browser || true)
[ -n "$BROWSER" ] || { not_ok "chromium installed (make deps-test)"; finish; exit 1; }
mkdir -p "$T/cap"
"$T/gen_capture" scenarios "$T/cap"
"$T/gen_flows" flows "$T/cap/flows.pcap"
caps=("$T/cap/flows.pcap" "$T/cap/calls.pcap" "$T"/cap/link_*.pcap
	"$T/cap/retrans.pcap" "$T/cap/hep.pcap" "$T/cap/tcp.pcap")

"$SF" replay -c "$CFG" --no-progress --summary-only --bucket 1m \
	--html "$T/report.html" "${caps[@]}" 2>"$T/summary"
expect_eq "exit 0" "$?" 0
"$SF" replay -c "$CFG" --no-progress --summary-only --bucket 1m \
	--html "$T/again.html" "${caps[@]}" 2>/dev/null
expect_eq "same input, same page" "$(md5sum <"$T/again.html")" "$(md5sum <"$T/report.html")"
expect_eq "self-contained: no script, no external URL, no fetch" \
	"$(grep -ciE '<script|https?://|src=|@import|url\(|<link' "$T/report.html")" 0
expect_rc 1 "--html to an unwritable place: exit 1" "$SF" replay -c "$CFG" \
	--no-progress --summary-only --html /nonexistent/dir/r.html "$T/cap/calls.pcap"

# the browser: console messages (errors included) go to stderr with
# --enable-logging; the DOM it built and a screenshot
export HOME=$T/home
mkdir -p "$HOME"
flags=(--headless=new --no-sandbox --disable-gpu --hide-scrollbars
	--no-first-run --disable-extensions --enable-logging=stderr --v=0
	--user-data-dir="$T/profile")
timeout 90 "$BROWSER" "${flags[@]}" --dump-dom "file://$T/report.html" \
	>"$T/dom.html" 2>"$T/browser.err"
expect_eq "browser: page loaded" "$?" 0
expect_eq "browser: no console message" \
	"$(grep -ciE 'CONSOLE|Uncaught|SyntaxError|Error: <' "$T/browser.err")" 0
timeout 90 "$BROWSER" "${flags[@]}" --window-size=1100,2600 \
	--screenshot="$T/shot.png" "file://$T/report.html" >/dev/null 2>&1
mkdir -p "$SF_ROOT/$BUILD/test-logs"
cp "$T/shot.png" "$SF_ROOT/$BUILD/test-logs/replay_html.png" 2>/dev/null
expect_eq "browser: screenshot taken (a PNG of a rendered page)" "$(python3 -c '
import struct, sys
d = open(sys.argv[1], "rb").read()
w, h = struct.unpack(">II", d[16:24])
print(d[:8] == b"\x89PNG\r\n\x1a\n" and w == 1100 and len(d) > 30000)' "$T/shot.png" 2>&1)" True

# every number of the summary, read back from the browser's DOM
res=$(python3 - "$T/dom.html" "$T/summary" <<'EOF'
import re, sys
from html.parser import HTMLParser

class P(HTMLParser):
    def __init__(self):
        super().__init__()
        self.k, self.open, self.page = {}, None, {}
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "data-k" in a:
            if "data-v" in a:
                self.page[a["data-k"]] = int(a["data-v"])
            else:
                self.open = a["data-k"]
    def handle_data(self, data):
        if self.open is not None:
            self.page[self.open] = int(data)
            self.open = None

p = P()
p.feed(open(sys.argv[1]).read())
page = p.page
want = {}
lines = open(sys.argv[2]).read().splitlines()
sec = None
for l in lines:
    m = re.match(r"  packets +(\d+) ", l)
    if m: want["packets"] = int(m[1])
    m = re.match(r"  SIP messages +(\d+) ", l)
    if m: want["sip"] = int(m[1])
    m = re.match(r"  INVITE transactions +(\d+) \((\d+) retransmissions folded, \d+ late; (\d+) malformed", l)
    if m: want["invites"], want["retrans"], want["malformed"] = map(int, m.groups())
    m = re.match(r"  (decoded|decode errors) +(.*)", l)
    if m:
        for k, v in re.findall(r"([a-z0-9-]+)=(\d+)", m[2]):
            want["tcp_unframed" if k == "tcp-unframed" else "decode:" + k] = int(v)
    m = re.match(r"  actions \(applied\) +(.*)", l)
    if m:
        for w, v in re.findall(r"([a-z]+) (\d+)", m[1]):
            want["applied:" + w] = int(v)
    m = re.match(r"  the reject rules would block (\d+) calls, of which (\d+) were answered, (\d+) lasted", l)
    if m: want["block:calls"], want["block:answered"], want["block:over_min"] = map(int, m.groups())
    if re.match(r"  \S", l):
        sec = l.strip()
        continue
    if sec == "trunks:":
        m = re.match(r"    (.+?) +(\d+)$", l)
        if m: want["trunk:" + m[1]] = int(m[2])
    for s, pre in (("top presented numbers per rule:", "top:"), ("top presented prefixes per rule:", "pfx:")):
        if sec == s:
            m = re.match(r"    (.+?): (.*)", l)
            for num, v in re.findall(r"(\S+) (?:<=)?(\d+)", m[2]):
                want[pre + m[1] + ":" + num] = int(v)
    if sec == "outcomes per rule (what the capture shows):":
        m = re.match(r"    (.+?) +(?:reject|tag|allow|withhold)? +(\d+) calls: (\d+) answered \((\d+) over a minute", l)
        if m:
            want["rule:%s:calls" % m[1]] = int(m[2])
            want["rule:%s:answered" % m[1]] = int(m[3])
            want["rule:%s:over_min" % m[1]] = int(m[4])
            want["rule:%s:not_answered" % m[1]] = int(m[2]) - int(m[3])
    if sec and sec.startswith("verdicts per"):
        m = re.match(r"    (\S+) (.*)", l)
        if m:
            for w, v in re.findall(r"([a-z]+)=(\d+)", m[2]):
                if int(v):
                    want["bucket:%s:%s" % (m[1], w)] = int(v)
bad = [(k, v, page.get(k)) for k, v in want.items() if page.get(k) != v]
extra = [k for k in page if k not in want and not k.startswith(("decode:", "evicted", "early", "tcp_unframed", "malformed"))]
buckets = [k for k in want if k.startswith("bucket:")]
print("ok %d %d" % (len(want), len(buckets)) if not bad and not extra and len(want) > 60 and buckets
      else "FAIL %d numbers; differ: %s; only on the page: %s" % (len(want), bad[:5], extra[:5]))
EOF
)
case $res in
ok*) ok "every summary number on the page, equal (${res#ok } numbers, buckets)" ;;
*) not_ok "every summary number on the page, equal" "$res" ;;
esac

finish
