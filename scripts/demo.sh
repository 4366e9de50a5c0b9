#!/usr/bin/env bash
# The quick-start job: Fidle's DNN vs CNN on the embedded MNIST digits, then a comparison table and an HTML report.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${DEMO_OUT:-runs/demo}
EPOCHS=${DEMO_EPOCHS:-16}
mkdir -p "$OUT"
for m in mnist-dnn mnist-cnn; do
  npx --no-install convkit train --model "$m" --data mnist:embedded --epochs "$EPOCHS" --out "$OUT/$m" --force
done
npx --no-install convkit compare "$OUT/mnist-dnn" "$OUT/mnist-cnn" --md "$OUT/summary.md" --title "convkit demo: MNIST DNN vs CNN (mnist:embedded, $EPOCHS epochs)"
npx --no-install convkit report "$OUT/mnist-dnn" "$OUT/mnist-cnn" --html "$OUT/report.html"
echo "demo: wrote $OUT/summary.md and $OUT/report.html"
