#!/usr/bin/env bash
# Publishes the npm packages of a release, after goreleaser has built it:
#
#   git tag vX.Y.Z && goreleaser release --clean     # binaries, archives, checksums (dist/)
#   plugin/scripts/release.sh X.Y.Z                  # this script
#
# It makes the six platform packages and the stamped plugin from
# dist/artifacts.json (npm-packages.mjs), then publishes the platform
# packages FIRST and the plugin LAST: npm skips a missing optional
# dependency silently, so a plugin published before its binaries would
# install "successfully" and find no binary. A package already published at
# this version is skipped, so a failed run can be repeated.
#
# Not proven in this repository's tests (they never reach a real registry):
# - the publish itself: it needs the @heroku-checkup scope on npmjs.com and an
#   npm token with publish rights (NPM_TOKEN in CI);
# - --provenance: it needs the CI's OIDC identity (GitHub Actions with
#   `permissions: id-token: write`); locally use NPM_PROVENANCE=0;
# - the macOS keychain: `heroku login` on a Mac stores the token there and the
#   plugin reads it through the Heroku CLI's own code; the tests cover netrc
#   and HEROKU_API_KEY only (Linux without secret-tool). Check once by hand on
#   a Mac: heroku login && heroku checkup:diagnose -a APP --only platform.
# What is proven: plugin/test (node --test, inside the real Heroku CLI) and
# e2e/plugin_test.go (plugins:install by name from a loopback registry of
# exactly these packages, then the checkups) run in ./scripts/test.
set -euo pipefail
cd "$(dirname "$0")/../.."

version="${1:?usage: plugin/scripts/release.sh X.Y.Z}"
version="${version#v}"
out=dist/npm

node plugin/scripts/npm-packages.mjs --artifacts dist/artifacts.json --version "$version" --out "$out"

flags=(--access public)
[ "${NPM_PROVENANCE:-1}" = 1 ] && flags+=(--provenance)

while read -r tgz; do
  name=$(tar -xzOf "$out/$tgz" package/package.json | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>process.stdout.write(JSON.parse(s).name))')
  if [ "$(npm view "$name@$version" version 2>/dev/null || true)" = "$version" ]; then
    echo "== $name@$version is already published"
    continue
  fi
  echo "== npm publish $name@$version"
  npm publish "${flags[@]}" "$out/$tgz"
done < "$out/publish-order.txt"
