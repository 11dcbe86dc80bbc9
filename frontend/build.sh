#!/usr/bin/env bash
# Builds the GOV.UK Frontend assets served by incidents into ../incidents/static/govuk/.
# The output is committed, so running the app needs no Node.js. Maintainers:
#   cd frontend && npm ci && npm run build
set -euo pipefail
cd "$(dirname "$0")"

pkg=node_modules/govuk-frontend/dist/govuk
out=../incidents/static/govuk

if [ ! -d "$pkg" ]; then
  echo "build.sh: $pkg missing; run 'npm ci' in $(pwd) first" >&2
  exit 1
fi

rm -rf "$out"
mkdir -p "$out/assets"

# CSS (compressed, no source map), compiled with our settings.
node_modules/.bin/sass --no-source-map --style=compressed --load-path=node_modules \
  src/app.scss "$out/govuk-frontend.min.css"

# JS: the precompiled ES module bundle (exports initAll, createAll, components).
# The .map is not shipped, so drop the sourceMappingURL comment pointing at it.
sed -e 's|//# sourceMappingURL=govuk-frontend\.min\.js\.map$||' \
  "$pkg/govuk-frontend.min.js" > "$out/govuk-frontend.min.js"

# Assets: manifest.json and images, but no fonts (GDS Transport is gov.uk-only)
# and no crown/crest artwork (only for services on gov.uk).
cp "$pkg/assets/manifest.json" "$out/assets/manifest.json"
mkdir -p "$out/assets/images"
for f in "$pkg"/assets/images/*; do
  case "$(basename "$f")" in
    govuk-crest.svg) continue ;;
  esac
  cp "$f" "$out/assets/images/"
done

# Guard: the CSS must not reference GDS Transport font files.
if grep -q -e 'assets/fonts' -e '@font-face' "$out/govuk-frontend.min.css"; then
  echo "build.sh: compiled CSS still references fonts" >&2
  exit 1
fi

echo "Built GOV.UK Frontend assets in $(cd "$out" && pwd)"
