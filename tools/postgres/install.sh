#!/usr/bin/env bash
# Installs a real PostgreSQL 15 server with pgvector and Citus for the tests and benchmarks that
# need one (tools/postgres/src/clusters.ts starts throwaway clusters from it):
#   - Debian's postgresql-15 + postgresql-server-dev-15 (and the libraries Citus links), when missing;
#   - pgvector 0.8.6 and Citus 13.2.2 built from ../shared/vendor, once per machine (skipped when
#     vector.so / citus.so are already in `pg_config --pkglibdir`).
# Usage: bash tools/postgres/install.sh [install]
# Without ../shared/vendor it prints a line starting with "SKIPPED:" and exits 0 (the tests that
# need the server then skip, saying why).
set -euo pipefail
cd "$(dirname "$0")/../.."

step="${1:-install}"
if [ "$step" != install ]; then
  echo "usage: $0 install" >&2
  exit 2
fi

vendor="${FACEKIT_PG_VENDOR:-$(cd .. && pwd)/shared/vendor}"
pgvector_tarball="$vendor/pgvector-0.8.6.tar.gz"
citus_tarball="$vendor/citus-13.2.2.tar.gz"
citus_patch="$vendor/citus-13.2.2-pg15-createdb.patch"
if [ ! -e "$pgvector_tarball" ] || [ ! -e "$citus_tarball" ] || [ ! -e "$citus_patch" ]; then
  echo "SKIPPED: no PostgreSQL install: $vendor (pgvector and Citus sources) not found"
  exit 0
fi

sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)

packages=()
for p in postgresql-15 postgresql-server-dev-15 libcurl4-openssl-dev liblz4-dev libzstd-dev libkrb5-dev libssl-dev make gcc patch; do
  dpkg -s "$p" >/dev/null 2>&1 || packages+=("$p")
done
if [ ${#packages[@]} -gt 0 ]; then
  echo "postgres: apt-get install ${packages[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq "${packages[@]}" >/dev/null
fi

export PG_CONFIG="${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}"
pkglibdir="$("$PG_CONFIG" --pkglibdir)"
build_dir="$(mktemp -d "${TMPDIR:-/tmp}/facekit-pg-build-XXXXXX")"
trap 'rm -rf "$build_dir"' EXIT

if [ -e "$pkglibdir/vector.so" ]; then
  echo "postgres: pgvector already installed ($pkglibdir/vector.so)"
else
  echo "postgres: building pgvector 0.8.6 (about 20 s)"
  start=$SECONDS
  mkdir "$build_dir/pgvector" && tar -xzf "$pgvector_tarball" -C "$build_dir/pgvector" --strip-components=1
  # OPTFLAGS="": no -march=native, so the build also runs on another CPU of a CI fleet.
  make -C "$build_dir/pgvector" -s -j2 OPTFLAGS="" >/dev/null
  "${sudo_cmd[@]}" make -C "$build_dir/pgvector" -s install OPTFLAGS="" >/dev/null
  echo "postgres: pgvector installed in $((SECONDS - start)) s"
fi

if [ -e "$pkglibdir/citus.so" ]; then
  echo "postgres: Citus already installed ($pkglibdir/citus.so)"
else
  echo "postgres: building Citus 13.2.2 (1-4 min)"
  start=$SECONDS
  mkdir "$build_dir/citus" && tar -xzf "$citus_tarball" -C "$build_dir/citus" --strip-components=1
  # Debian's PostgreSQL 15.20 headers declare have_createdb_privilege(); the patch renames Citus's copy.
  (cd "$build_dir/citus" && patch -s -p1 <"$citus_patch" && ./configure --quiet PG_CONFIG="$PG_CONFIG" >/dev/null)
  make -C "$build_dir/citus" -s -j2 with_llvm=no >/dev/null
  "${sudo_cmd[@]}" make -C "$build_dir/citus" -s install with_llvm=no >/dev/null
  echo "postgres: Citus installed in $((SECONDS - start)) s"
fi
