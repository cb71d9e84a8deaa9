#!/usr/bin/env bash
# fixcheck.sh: do churnlint's fixes on real code build, and is -fix idempotent?
#
#   scripts/fixcheck.sh CHURNLINT WORKDIR NAME=MODULEDIR:PKG[,PKG...] ...
#
# For each module: copy MODULEDIR to WORKDIR/NAME (the original is never
# touched), count the findings that offer a fix (-json), apply them
# (-fix), build and vet the packages, then run -fix again: a second run
# must change no file. Prints one line per module and a total; exits 1 if
# any fixed copy fails to build or the second -fix changes something.
set -u
bin=$1 work=$2
shift 2
mkdir -p "$work"
env=(GOTOOLCHAIN=local GOWORK=off GOFLAGS=-mod=mod)
total=0 built=0 bad=0
printf '%-28s %6s %6s %-10s %s\n' module fixes files build second-fix
for spec in "$@"; do
	name=${spec%%=*} rest=${spec#*=}
	src=${rest%%:*} pkgs=${rest#*:}
	IFS=, read -r -a pkglist <<<"$pkgs"
	dst=$work/$name
	rm -rf "$dst" && mkdir -p "$dst" && cp -a "$src/." "$dst/" && rm -rf "$dst/.git"
	n=$(cd "$dst" && env "${env[@]}" "$bin" -json "${pkglist[@]}" 2>/dev/null | grep -c '"suggested_fixes"')
	cp -a "$dst" "$dst.before"
	(cd "$dst" && env "${env[@]}" "$bin" -fix "${pkglist[@]}" >"$dst.fix1.log" 2>&1)
	files=$(diff -rq "$dst.before" "$dst" | wc -l)
	if (cd "$dst" && env "${env[@]}" go build "${pkglist[@]}" && env "${env[@]}" go vet "${pkglist[@]}") >"$dst.build.log" 2>&1; then
		build=ok
	elif [ "$files" -eq 0 ]; then
		build=n/a # nothing was changed: the module does not build or vet as it is
	else
		build=FAIL bad=1
	fi
	rm -rf "$dst.before" && cp -a "$dst" "$dst.before"
	(cd "$dst" && env "${env[@]}" "$bin" -fix "${pkglist[@]}" >"$dst.fix2.log" 2>&1)
	if diff -rq "$dst.before" "$dst" >/dev/null; then second=unchanged; else second=CHANGED bad=1; fi
	rm -rf "$dst.before"
	total=$((total + n))
	[ "$build" = ok ] && built=$((built + n))
	printf '%-28s %6d %6d %-10s %s\n' "$name" "$n" "$files" "$build" "$second"
done
echo "fixes offered: $total; in modules that build after -fix: $built"
exit $bad
