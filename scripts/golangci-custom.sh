#!/usr/bin/env bash
# golangci-custom.sh — build bin/custom-gcl (golangci-lint with the churnlint
# linter compiled in) without reaching GitHub.
#
# `golangci-lint custom` builds a custom binary from .custom-gcl.yml, but it
# starts with `git clone https://github.com/golangci/golangci-lint.git`. Where
# GitHub cannot be reached (this project's machines and CI reach only the Go
# module proxy), this script gets the same source through the module proxy
# instead:
#
#   1. go install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@VERSION
#      into a cache directory, which also puts golangci-lint's source in the
#      module cache ($(go env GOMODCACHE)/github.com/golangci/golangci-lint/v2@VERSION);
#   2. copies that source into a temporary git repository, commits it and tags
#      it VERSION;
#   3. runs `golangci-lint custom` with the GitHub URL rewritten to that
#      repository (GIT_CONFIG_COUNT/KEY/VALUE: url.file://REPO.insteadOf=...),
#      so its clone comes from the local copy. Everything else (go mod tidy,
#      go build) goes through the module proxy as usual.
#
# With GitHub reachable, plain `golangci-lint custom` does the same job.
#
# Usage (from anywhere in the repository):
#
#   scripts/golangci-custom.sh           # build bin/custom-gcl unless it is up to date
#   scripts/golangci-custom.sh --force   # rebuild anyway
#
# VERSION is the `version:` of .custom-gcl.yml; the binary's name and
# directory are its `name:` and `destination:` (custom-gcl, ./bin).
#
# Idempotent: the binary is rebuilt only when the golangci-lint version, the
# Go version, .custom-gcl.yml, go.mod, go.sum, this script or a Go file the
# plugin compiles changed; the fingerprint is kept next to the binary in
# NAME.stamp. A failed build leaves the previous binary alone.
#
# Environment:
#   CHURNLINT_GCL_CACHE   where the stock golangci-lint is installed
#                         (default ${XDG_CACHE_HOME:-$HOME/.cache}/churnlint-gcl)
#   CUSTOM_GCL_KEEP_TEMP_FILES=1   keep golangci-lint custom's build directory
#
# Needs: go, git, and the Go module proxy (or a module cache that already
# holds golangci-lint's dependencies, test dependencies included: the build
# runs `go mod tidy` in golangci-lint's source). The first build takes several
# minutes (downloads and a full compile of golangci-lint); later runs that
# find the binary up to date take a couple of seconds.
set -euo pipefail

die() {
	echo "golangci-custom.sh: $*" >&2
	exit 1
}

force=false
case "${1:-}" in
"") ;;
--force) force=true ;;
-h | --help)
	sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
	exit 0
	;;
*) die "unknown argument ${1} (want --force or nothing)" ;;
esac

command -v go >/dev/null || die "go is not on PATH"
command -v git >/dev/null || die "git is not on PATH"

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
self="$root/scripts/$(basename "${BASH_SOURCE[0]}")"
cd "$root"
[ -f .custom-gcl.yml ] || die "$root/.custom-gcl.yml not found"

# The few top-level scalar keys of .custom-gcl.yml, without a YAML parser.
yaml_key() {
	sed -n "s/^$1:[[:space:]]*['\"]\{0,1\}\([^'\"#[:space:]]*\).*/\1/p" .custom-gcl.yml | head -n 1
}
version=$(yaml_key version)
name=$(yaml_key name)
destination=$(yaml_key destination)
name=${name:-custom-gcl}
destination=${destination:-.}
[[ $version =~ ^v2\.[0-9]+\.[0-9]+$ ]] ||
	die "version in .custom-gcl.yml is '${version}': want a golangci-lint v2 release such as v2.15.0"

binary="$destination/$name"
stamp="$binary.stamp"

# What the binary is built from: the Go files of the packages of this module
# that the plugin compiles, go.mod, go.sum, the build recipe, and versions.
plugin_files=$(go list -deps -f '{{if and .Module .Module.Main}}{{$d := .Dir}}{{range .GoFiles}}{{$d}}/{{.}}
{{end}}{{range .EmbedFiles}}{{$d}}/{{.}}
{{end}}{{end}}' ./golangci) || die "go list ./golangci failed: does the plugin package build?"
fingerprint=$(
	{
		echo "golangci-lint $version"
		go env GOVERSION GOOS GOARCH
		printf '%s\n' "$plugin_files" go.mod go.sum .custom-gcl.yml "$self" |
			grep -v '^$' | LC_ALL=C sort -u | sed "s|^$root/||" | xargs sha256sum
	} | sha256sum | cut -d' ' -f1
)

if ! $force && [ -x "$binary" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$fingerprint" ]; then
	echo "golangci-custom.sh: $binary is up to date (golangci-lint $version)"
	exit 0
fi

# 1. Stock golangci-lint of that version, and its source in the module cache.
cache=${CHURNLINT_GCL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/churnlint-gcl}
gobin="$cache/$version"
gcl="$gobin/golangci-lint"
if ! [ -x "$gcl" ] || ! "$gcl" version 2>/dev/null | grep -q "version ${version#v} "; then
	echo "golangci-custom.sh: go install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$version"
	mkdir -p "$gobin"
	GOBIN="$gobin" go install "github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$version" ||
		die "go install golangci-lint@$version failed (is the Go module proxy reachable?)"
fi
src="$(go env GOMODCACHE)/github.com/golangci/golangci-lint/v2@$version"
if ! [ -f "$src/go.mod" ]; then
	# go install found a cached binary build without the source: fetch it.
	go mod download "github.com/golangci/golangci-lint/v2@$version" ||
		die "go mod download golangci-lint@$version failed"
fi
[ -f "$src/go.mod" ] || die "golangci-lint's source is not at $src"

# 2. A throwaway git repository holding that source, tagged $version.
tmp=$(mktemp -d "${TMPDIR:-/tmp}/churnlint-gcl.XXXXXX")
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
repo="$tmp/golangci-lint"
cp -R "$src" "$repo"
chmod -R u+w "$repo" # the module cache is read-only
git_local() {
	git -C "$repo" -c user.name=churnlint -c user.email=churnlint@localhost \
		-c commit.gpgsign=false -c tag.gpgsign=false -c core.autocrlf=false "$@"
}
{
	git_local init -q &&
		git_local add -A &&
		git_local commit -q -m "golangci-lint $version from the Go module cache" &&
		git_local tag "$version"
} || die "could not make a git repository of $src in $repo"

# 3. golangci-lint custom, cloning from that repository. Existing
# GIT_CONFIG_COUNT entries are kept; ours goes after them.
n=${GIT_CONFIG_COUNT:-0}
export GIT_CONFIG_COUNT=$((n + 1))
export "GIT_CONFIG_KEY_$n=url.file://$repo.insteadOf"
export "GIT_CONFIG_VALUE_$n=https://github.com/golangci/golangci-lint.git"

# Build beside the destination, then move into place: a failed build keeps
# the old binary and its stamp.
mkdir -p "$destination"
build="$tmp/out"
echo "golangci-custom.sh: building $binary with golangci-lint $version custom (this takes a few minutes)"
start=$SECONDS
"$gcl" custom -v --destination "$build" --name "$name" ||
	die "golangci-lint custom failed (see above)"
[ -x "$build/$name" ] || die "golangci-lint custom did not produce $build/$name"
old_version=""
if [ -x "$binary" ]; then
	old_version=$("$binary" version 2>/dev/null | sed -n 's/.*has version \([^ ]*\).*/\1/p' || true)
fi
mv -f "$build/$name" "$binary"
echo "$fingerprint" >"$stamp"
new_version=$("$binary" version 2>/dev/null | sed -n 's/.*has version \([^ ]*\).*/\1/p' || true)
echo "golangci-custom.sh: built $binary ($new_version) in $((SECONDS - start))s"

# golangci-lint keys its result cache on the binary's version string. For a
# path: plugin that string hashes only the files at the top of the plugin's
# directory (golangci-lint's hashDir skips every subdirectory when the top
# one holds go.mod), so a rebuild after a change to the analyzers keeps the
# same version, and `run` would replay the old binary's issues. Clean the
# cache when that happens.
if [ -n "$old_version" ] && [ "$old_version" = "$new_version" ]; then
	echo "golangci-custom.sh: the version string did not change; cleaning golangci-lint's cache so no stale results are replayed"
	"$binary" cache clean || die "$binary cache clean failed"
fi
