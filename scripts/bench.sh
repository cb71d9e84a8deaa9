#!/usr/bin/env bash
# bench.sh: wall time and peak memory of churnlint on real checkouts,
# against plain `go vet` and against an analyzer that only builds SSA
# (internal/ssaonly, the x/tools singlechecker), measured in the same run.
#
#   scripts/bench.sh [-n RUNS] DIR[:TAGS] [DIR[:TAGS] ...]
#   scripts/bench.sh -n 3 /work/corpus/caddy /work/corpus/nomad:hashicorpmetrics
#
# Per checkout and run, in this order:
#   go vet               go vet ./...                           (the vet baseline)
#   vettool              go vet -vettool=churnlint ./...
#   ssaonly              ssaonly -test=false ./...              (the standalone baseline)
#   churnlint            churnlint ./...                        (lean loader)
#   churnlint -loader=full                                      (every dependency from source)
# Go caches vet results (1.26), so each vet run passes a flag with a fresh
# value: both vet modes analyse every package, dependencies included, each
# time. The build cache is warmed first (go build, go list -export), so
# every mode reads the same export data and nobody pays for compiling.
# Tests are not loaded in the standalone modes (churnlint does not report
# in _test.go files by default); go vet always vets test variants.
#
# Peak RSS is GNU time's %M: the largest resident set of any single process
# of the command's tree (go vet runs one vet process per package; they are
# not summed). The table gives medians and the ratios the budget is about:
# vettool/go vet wall time (target <= 1.05), churnlint/ssaonly peak RSS
# (target <= 0.33) and wall time (target < 1).
set -euo pipefail
runs=1
if [ "${1:-}" = "-n" ]; then
	runs=$2
	shift 2
fi
if [ $# -eq 0 ]; then
	sed -n '2,26p' "$0" | sed 's/^# \{0,1\}//'
	exit 2
fi
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
if [ -n "${BENCH_PREBUILT:-}" ]; then
	# Binaries built beforehand (churnlint and ssaonly in that directory).
	cp "$BENCH_PREBUILT/churnlint" "$BENCH_PREBUILT/ssaonly" "$bin/"
else
	(cd "$root" && go build -o "$bin/churnlint" ./cmd/churnlint && go build -o "$bin/ssaonly" ./internal/ssaonly)
fi

# measure NAME CMD...: appends "NAME wall_s rss_kb exit" to $results.
measure() {
	local name=$1
	shift
	/usr/bin/time -o "$bin/time" -f '%e %M %x' "$@" >/dev/null 2>"$bin/stderr" || true
	local line
	line=$(tail -1 "$bin/time")
	echo "$name $line" >>"$results"
	printf '  %-16s wall %s s, peak RSS %s KB, exit %s\n' "$name" $line >&2
}

median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

printf '| repo | mode | wall s | peak RSS MB | exit |\n| --- | --- | --: | --: | --: |\n' >"$bin/table"
printf '| repo | vettool / go vet wall | churnlint / ssaonly RSS | churnlint / ssaonly wall | churnlint / go vet wall |\n| --- | --: | --: | --: | --: |\n' >"$bin/ratios"
for arg in "$@"; do
	dir=${arg%%:*}
	tags=""
	[ "$arg" != "$dir" ] && tags=${arg#*:}
	tagflag=()
	[ -n "$tags" ] && tagflag=("-tags=$tags")
	repo=$(basename "$dir")
	results=$(mktemp)
	echo "== $repo ($dir${tags:+, tags $tags}): warming the build cache" >&2
	(cd "$dir" && go build "${tagflag[@]}" ./... && go list "${tagflag[@]}" -export -deps ./... >/dev/null && go vet "${tagflag[@]}" -printf.funcs=Warm$$ ./... >/dev/null 2>&1 || true)
	for i in $(seq "$runs"); do
		nonce=Bench$$x$i$RANDOM
		echo "-- run $i" >&2
		cd "$dir"
		measure "go-vet" go vet "${tagflag[@]}" -printf.funcs="$nonce" ./...
		measure "vettool" go vet "${tagflag[@]}" -vettool="$bin/churnlint" -clientchurn.release="$nonce" ./...
		measure "ssaonly" "$bin/ssaonly" "${tagflag[@]}" -test=false ./...
		measure "churnlint" "$bin/churnlint" "${tagflag[@]}" ./...
		measure "churnlint-full" "$bin/churnlint" "${tagflag[@]}" -loader=full ./...
		cd - >/dev/null
	done
	declare -A wall rss code
	for mode in go-vet vettool ssaonly churnlint churnlint-full; do
		wall[$mode]=$(awk -v m="$mode" '$1==m {print $2}' "$results" | median)
		rss[$mode]=$(awk -v m="$mode" '$1==m {print $3}' "$results" | median)
		code[$mode]=$(awk -v m="$mode" '$1==m {print $4}' "$results" | sort -u | tr '\n' ' ')
		printf '| %s | %s | %.1f | %.0f | %s |\n' "$repo" "$mode" "${wall[$mode]}" "$(echo "${rss[$mode]} / 1024" | bc -l)" "${code[$mode]}" >>"$bin/table"
	done
	printf '| %s | %.2f | %.2f | %.2f | %.2f |\n' "$repo" \
		"$(echo "${wall[vettool]} / ${wall[go-vet]}" | bc -l)" \
		"$(echo "${rss[churnlint]} / ${rss[ssaonly]}" | bc -l)" \
		"$(echo "${wall[churnlint]} / ${wall[ssaonly]}" | bc -l)" \
		"$(echo "${wall[churnlint]} / ${wall[go-vet]}" | bc -l)" >>"$bin/ratios"
	unset wall rss code
	rm -f "$results"
done
echo
echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(go version | cut -d' ' -f3), $runs run(s) per mode (medians)"
echo
cat "$bin/table"
echo
cat "$bin/ratios"
