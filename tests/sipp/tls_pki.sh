# SPDX-License-Identifier: LGPL-2.1-or-later
# tls_pki.sh - sourced by tests/integration/tls.sh and perf/bench_tls.sh: a test PKI made
# with the openssl CLI at test time, into DIR (nothing is committed):
#   server-ca.pem            signs the proxy's certificate
#   server.pem / server.key  the proxy (SAN DNS:sipfilter.test, IP:127.0.0.1)
#   server2.pem / server2.key   another one of the same CA (reload test)
#   ca-a.pem                 carrier A's CA (the mTLS trunk's)
#   ca-b.pem                 another CA (the "wrong CA")
#   good.pem/.key            carrier A, SAN DNS:sbc1.carrier-a.example
#   pinned.pem/.key          carrier A, SAN DNS:sbc-pinned.carrier-a.example
#   wrongca.pem/.key         SAN sbc1.carrier-a.example, signed by CA B
#   expired.pem/.key         carrier A, sbc1..., expired yesterday
#   othername.pem/.key       carrier A, SAN DNS:sbc1.evil.example
#   revoked.pem/.key         carrier A, sbc1..., revoked in ca-a.crl
#   ca-a.crl / ca-a-empty.crl  carrier A's CRLs: revoked.pem listed / none
# EC P-256 keys throughout (fast to make).
tls_pki() {
	local d=$1
	mkdir -p "$d" || return 1
	(
	cd "$d" || exit 1
	key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
	ca() { # NAME CN
		key "$1.key" && openssl req -x509 -new -key "$1.key" -subj "/CN=$2" \
			-days 30 -addext basicConstraints=critical,CA:TRUE \
			-addext keyUsage=critical,keyCertSign,cRLSign \
			-out "$1.pem" 2>/dev/null
	}
	leaf() { # NAME CA CN SAN DAYS EKU
		key "$1.key" &&
		openssl req -new -key "$1.key" -subj "/CN=$3" -out "$1.csr" 2>/dev/null &&
		printf 'subjectAltName=%s\nextendedKeyUsage=%s\nbasicConstraints=CA:FALSE\n' \
			"$4" "$6" >"$1.ext" &&
		openssl x509 -req -in "$1.csr" -CA "$2.pem" -CAkey "$2.key" \
			-CAcreateserial -days "$5" -extfile "$1.ext" -out "$1.pem" 2>/dev/null
	}
	crls() { # CA CERT: CA-empty.crl, then CA.crl with CERT revoked
		local db=$1.db
		mkdir -p "$db" && : >"$db/index.txt" && echo 01 >"$db/crlnumber" &&
		printf '[ca]\ndefault_ca = c\n[c]\ndatabase = %s\ncrlnumber = %s\ndefault_md = sha256\ndefault_crl_days = 30\n' \
			"$PWD/$db/index.txt" "$PWD/$db/crlnumber" >"$db/ca.cnf" &&
		openssl ca -config "$db/ca.cnf" -keyfile "$1.key" -cert "$1.pem" \
			-gencrl -out "$1-empty.crl" 2>/dev/null &&
		openssl ca -config "$db/ca.cnf" -keyfile "$1.key" -cert "$1.pem" \
			-revoke "$2.pem" 2>/dev/null &&
		openssl ca -config "$db/ca.cnf" -keyfile "$1.key" -cert "$1.pem" \
			-gencrl -out "$1.crl" 2>/dev/null
	}
	ca server-ca "sipfilter test server CA" &&
	ca ca-a "carrier A CA" &&
	ca ca-b "some other CA" &&
	leaf server server-ca sipfilter.test "DNS:sipfilter.test,IP:127.0.0.1" 30 serverAuth &&
	leaf server2 server-ca sipfilter.test "DNS:sipfilter.test,IP:127.0.0.1" 30 serverAuth &&
	leaf good ca-a sbc1.carrier-a.example "DNS:sbc1.carrier-a.example" 30 clientAuth &&
	leaf pinned ca-a sbc-pinned.carrier-a.example "DNS:sbc-pinned.carrier-a.example" 30 clientAuth &&
	leaf wrongca ca-b sbc1.carrier-a.example "DNS:sbc1.carrier-a.example" 30 clientAuth &&
	leaf expired ca-a sbc1.carrier-a.example "DNS:sbc1.carrier-a.example" -1 clientAuth &&
	leaf othername ca-a sbc1.evil.example "DNS:sbc1.evil.example" 30 clientAuth &&
	leaf revoked ca-a sbc1.carrier-a.example "DNS:sbc1.carrier-a.example" 30 clientAuth &&
	crls ca-a revoked
	)
}
