# SPDX-License-Identifier: LGPL-2.1-or-later
# Sourced by tests/fuzz/run.sh and tests/integration/fuzz_corpus.sh:
# corpus_dirs NAME prints the seed directories of fuzz target NAME
# (fuzz_sip_scan -> tests/fuzz/corpus/sip_scan or tests/fuzz/corpus/sip),
# plus the shared torture corpus for the SIP-message targets and the shared
# captures for the capture targets.
corpus_dirs() {
	local name=${1#fuzz_} d
	for d in "tests/fuzz/corpus/$name" "tests/fuzz/corpus/${name%%_*}"; do
		if [ -d "$d" ]; then echo "$d"; break; fi
	done
	case $name in
	sip*|identity*|engine*|proxy*)
		[ -d "$SF_SHARED/corpus/torture/rfc4475" ] && echo "$SF_SHARED/corpus/torture/rfc4475"
		[ -d "$SF_SHARED/corpus/torture/rfc5118" ] && echo "$SF_SHARED/corpus/torture/rfc5118"
		;;
	pcap*|capture*)
		[ -d "$SF_SHARED/corpus/pcaps" ] && echo "$SF_SHARED/corpus/pcaps"
		;;
	esac
	return 0
}
