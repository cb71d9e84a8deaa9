#!/usr/bin/env bash
# bench.sh: wall time and peak memory of churnlint on real checkouts,
# against plain `go vet` and against an analyzer that only builds SSA
# (internal/ssaonly, the x/tools singlechecker), measured in the same run;
# with -modes, also churnlint's cache and the golangci-lint path.
#
#   scripts/bench.sh [-n RUNS] [-modes LIST] DIR[:TAGS] [DIR[:TAGS] ...]
#   scripts/bench.sh -n 3 /work/corpus/caddy /work/corpus/nomad:hashicorpmetrics
#   scripts/bench.sh -modes cache,golangci /work/corpus/caddy /work/corpus/nomad:hashicorpmetrics
#
# LIST is a comma-separated choice of (default: vet):
#   vet        per run, in this order:
#     go vet               go vet ./...                           (the vet baseline)
#     vettool              go vet -vettool=churnlint ./...
#     ssaonly              ssaonly -test=false ./...              (the standalone baseline)
#     churnlint            churnlint -cache=off ./...             (lean loader)
#     churnlint -loader=full                                      (every dependency from source)
#   cache      churnlint's own cache (a fresh directory per run):
#     cache-off            churnlint -cache=off ./...
#     cache-cold           churnlint ./... into an empty cache
#     cache-warm           the same again, nothing changed
#     cache-leaf           after appending a function to one file of a leaf package
#                          (a package that imports net/http and that no other
#                          package imports; the largest such), restored afterwards
#     The outputs of cold, warm and leaf must be identical to cache-off's.
#   golangci   bin/custom-gcl run (scripts/golangci-custom.sh builds it) with
#              golangci-lint's standard linters, then the same plus churnlint,
#              each cold (an empty golangci-lint cache) and warm (run again),
#              after one unmeasured run that warms everything else.
# Go caches vet results (1.26), so each vet run passes a flag with a fresh
# value: both vet modes analyse every package, dependencies included, each
# time. The build cache is warmed first (go build, go list -export), so
# every mode reads the same export data and nobody pays for compiling.
# Tests are not loaded in the standalone modes (churnlint does not report
# in _test.go files by default); go vet always vets test variants.
#
# Peak RSS is GNU time's %M: the largest resident set of any single process
# of the command's tree (go vet runs one vet process per package; they are
# not summed). The table gives medians and the ratios the budgets are about:
# vettool/go vet wall time (target <= 1.05), churnlint/ssaonly peak RSS
# (target <= 0.33) and wall time (target < 1); cache-warm/cache-cold wall
# (target <= 0.10), cache-leaf/cache-cold (target <= 0.25); what churnlint
# adds to golangci-lint, cold and warm.
set -euo pipefail
runs=1
modes=vet
while [ $# -gt 0 ]; do
	case "$1" in
	-n) runs=$2; shift 2 ;;
	-modes) modes=$2; shift 2 ;;
	*) break ;;
	esac
done
if [ $# -eq 0 ]; then
	sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
	exit 2
fi
want() { case ",$modes," in *",$1,"*) return 0 ;; esac; return 1; }
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
if [ -n "${BENCH_PREBUILT:-}" ]; then
	# Binaries built beforehand (churnlint and ssaonly in that directory).
	cp "$BENCH_PREBUILT/churnlint" "$BENCH_PREBUILT/ssaonly" "$bin/"
else
	(cd "$root" && go build -o "$bin/churnlint" ./cmd/churnlint && go build -o "$bin/ssaonly" ./internal/ssaonly)
fi
gcl=${BENCH_GCL:-$root/bin/custom-gcl}
if want golangci && [ ! -x "$gcl" ]; then
	echo "bench.sh: no $gcl (run scripts/golangci-custom.sh, or set BENCH_GCL)" >&2
	exit 2
fi

# measure NAME CMD...: appends "NAME wall_s rss_kb exit" to $results; the
# command's standard output is kept in $bin/out.NAME.
measure() {
	local name=$1
	shift
	/usr/bin/time -o "$bin/time" -f '%e %M %x' "$@" >"$bin/out.$name" 2>"$bin/stderr" || true
	local line
	line=$(tail -1 "$bin/time")
	echo "$name $line" >>"$results"
	printf '  %-16s wall %s s, peak RSS %s KB, exit %s\n' "$name" $line >&2
}

median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
ratio() { echo "$1 / $2" | bc -l; }

# leafFile prints one Go file of the largest package that imports net/http
# and that no other package of ./... imports.
leafFile() {
	go list "${tagflag[@]}" -f '{{.ImportPath}} {{len .GoFiles}} {{if .GoFiles}}{{.Dir}}/{{index .GoFiles 0}}{{else}}-{{end}} {{join .Imports " "}}' ./... |
		awk '{pkg[NR]=$1; n[NR]=$2; file[NR]=$3; http[NR]=0
			for (i = 4; i <= NF; i++) { imported[$i]=1; if ($i == "net/http") http[NR]=1 } }
			END { best=0; for (k in pkg) if (http[k] && !imported[pkg[k]] && file[k] != "-" && n[k] > best) { best=n[k]; f=file[k] } print f }'
}

printf '| repo | mode | wall s | peak RSS MB | exit |\n| --- | --- | --: | --: | --: |\n' >"$bin/table"
: >"$bin/ratios"
want vet && printf '| repo | vettool / go vet wall | churnlint / ssaonly RSS | churnlint / ssaonly wall | churnlint / go vet wall |\n| --- | --: | --: | --: | --: |\n' >>"$bin/ratios.vet"
want cache && printf '| repo | warm / cold wall (<= 0.10) | leaf edit / cold wall (<= 0.25) | cold / cache-off wall | results identical |\n| --- | --: | --: | --: | --- |\n' >>"$bin/ratios.cache"
want golangci && printf '| repo | churnlint adds, cold | cold ratio | churnlint adds, warm | peak RSS standard / +churnlint MB |\n| --- | --: | --: | --: | --: |\n' >>"$bin/ratios.golangci"
for arg in "$@"; do
	dir=${arg%%:*}
	tags=""
	[ "$arg" != "$dir" ] && tags=${arg#*:}
	tagflag=()
	[ -n "$tags" ] && tagflag=("-tags=$tags")
	gcltags=()
	[ -n "$tags" ] && gcltags=("--build-tags=$tags")
	repo=$(basename "$dir")
	results=$(mktemp)
	echo "== $repo ($dir${tags:+, tags $tags}): warming the build cache" >&2
	(cd "$dir" && go build "${tagflag[@]}" ./... && go list "${tagflag[@]}" -export -deps ./... >/dev/null && { ! want vet || go vet "${tagflag[@]}" -printf.funcs=Warm$$ ./... >/dev/null 2>&1; } || true)
	modesRun=()
	for i in $(seq "$runs"); do
		nonce=Bench$$x$i$RANDOM
		echo "-- run $i" >&2
		cd "$dir"
		if want vet; then
			measure "go-vet" go vet "${tagflag[@]}" -printf.funcs="$nonce" ./...
			measure "vettool" go vet "${tagflag[@]}" -vettool="$bin/churnlint" -clientchurn.release="$nonce" ./...
			measure "ssaonly" "$bin/ssaonly" "${tagflag[@]}" -test=false ./...
			measure "churnlint" "$bin/churnlint" "${tagflag[@]}" -cache=off ./...
			measure "churnlint-full" "$bin/churnlint" "${tagflag[@]}" -loader=full ./...
			modesRun+=(go-vet vettool ssaonly churnlint churnlint-full)
		fi
		if want cache; then
			cache=$(mktemp -d)
			leaf=$(leafFile)
			echo "   leaf file: ${leaf#"$dir"/}" >&2
			measure "cache-off" "$bin/churnlint" "${tagflag[@]}" -cache=off ./...
			measure "cache-cold" "$bin/churnlint" "${tagflag[@]}" -cache="$cache" ./...
			measure "cache-warm" "$bin/churnlint" "${tagflag[@]}" -cache="$cache" ./...
			cp "$leaf" "$bin/leaf.orig"
			printf '\nfunc churnlintBenchEdit%s() {}\n' "$i" >>"$leaf"
			measure "cache-leaf" "$bin/churnlint" "${tagflag[@]}" -cache="$cache" ./...
			cp "$bin/leaf.orig" "$leaf"
			same=yes
			for m in cache-cold cache-warm cache-leaf; do
				cmp -s "$bin/out.cache-off" "$bin/out.$m" || same="no ($m differs)"
			done
			echo "$repo $same" >>"$bin/same"
			rm -rf "$cache"
			modesRun+=(cache-off cache-cold cache-warm cache-leaf)
		fi
		if want golangci; then
			printf 'version: "2"\nlinters:\n  default: standard\nrun:\n  timeout: 60m\n' >"$bin/standard.yml"
			printf 'version: "2"\nlinters:\n  default: standard\n  enable: [churnlint]\n  settings:\n    custom:\n      churnlint:\n        type: module\nrun:\n  timeout: 60m\n' >"$bin/churnlint.yml"
			if [ "$i" = 1 ]; then
				# An unmeasured run first: whatever the first golangci-lint
				# run on a tree warms besides its own cache (go list's and the
				# OS's caches) must not favour the configuration measured second.
				gclcache=$(mktemp -d)
				GOLANGCI_LINT_CACHE="$gclcache" "$gcl" run --config="$bin/standard.yml" "${gcltags[@]}" ./... >/dev/null 2>&1 || true
				rm -rf "$gclcache"
			fi
			for cfg in standard churnlint; do
				gclcache=$(mktemp -d)
				measure "gcl-$cfg-cold" env GOLANGCI_LINT_CACHE="$gclcache" "$gcl" run --config="$bin/$cfg.yml" "${gcltags[@]}" ./...
				measure "gcl-$cfg-warm" env GOLANGCI_LINT_CACHE="$gclcache" "$gcl" run --config="$bin/$cfg.yml" "${gcltags[@]}" ./...
				rm -rf "$gclcache"
			done
			modesRun+=(gcl-standard-cold gcl-standard-warm gcl-churnlint-cold gcl-churnlint-warm)
		fi
		cd - >/dev/null
	done
	declare -A wall rss code
	for mode in $(printf '%s\n' "${modesRun[@]}" | awk '!seen[$0]++'); do
		wall[$mode]=$(awk -v m="$mode" '$1==m {print $2}' "$results" | median)
		rss[$mode]=$(awk -v m="$mode" '$1==m {print $3}' "$results" | median)
		code[$mode]=$(awk -v m="$mode" '$1==m {print $4}' "$results" | sort -u | tr '\n' ' ')
		printf '| %s | %s | %.2f | %.0f | %s |\n' "$repo" "$mode" "${wall[$mode]}" "$(echo "${rss[$mode]} / 1024" | bc -l)" "${code[$mode]}" >>"$bin/table"
	done
	if want vet; then
		printf '| %s | %.2f | %.2f | %.2f | %.2f |\n' "$repo" \
			"$(ratio "${wall[vettool]}" "${wall[go-vet]}")" "$(ratio "${rss[churnlint]}" "${rss[ssaonly]}")" \
			"$(ratio "${wall[churnlint]}" "${wall[ssaonly]}")" "$(ratio "${wall[churnlint]}" "${wall[go-vet]}")" >>"$bin/ratios.vet"
	fi
	if want cache; then
		printf '| %s | %.3f | %.3f | %.2f | %s |\n' "$repo" \
			"$(ratio "${wall[cache-warm]}" "${wall[cache-cold]}")" "$(ratio "${wall[cache-leaf]}" "${wall[cache-cold]}")" \
			"$(ratio "${wall[cache-cold]}" "${wall[cache-off]}")" "$(awk -v r="$repo" '$1==r {$1=""; print substr($0, 2)}' "$bin/same" | sort -u | tr '\n' ' ')" >>"$bin/ratios.cache"
	fi
	if want golangci; then
		printf '| %s | %+.1f s | %.2f | %+.1f s | %.0f / %.0f |\n' "$repo" \
			"$(echo "${wall[gcl-churnlint-cold]} - ${wall[gcl-standard-cold]}" | bc -l)" \
			"$(ratio "${wall[gcl-churnlint-cold]}" "${wall[gcl-standard-cold]}")" \
			"$(echo "${wall[gcl-churnlint-warm]} - ${wall[gcl-standard-warm]}" | bc -l)" \
			"$(echo "${rss[gcl-standard-cold]} / 1024" | bc -l)" "$(echo "${rss[gcl-churnlint-cold]} / 1024" | bc -l)" >>"$bin/ratios.golangci"
	fi
	unset wall rss code
	rm -f "$results"
done
echo
echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(go version | cut -d' ' -f3), $runs run(s) per mode (medians), modes $modes"
echo
cat "$bin/table"
for f in "$bin"/ratios.*; do
	echo
	cat "$f"
done
