#!/usr/bin/env bash
# Side-by-side: Pathwise's REML random-intercept fit vs R's lme4::lmer on the same simulated
# 1,000,000 students in 500 schools. Writes the data once, runs both, prints both times and
# the ratio. Skips cleanly (exit 0) when R or lme4 is absent (scripts/deps-bench-eval.txt).
#
#   scripts/bench-eval-lmer.sh [build/release]    (STUDENTS=1000000 SCHOOLS=500)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
students=${STUDENTS:-1000000}
schools=${SCHOOLS:-500}
bench="$build/bench/bench_eval_reml"
if [ ! -x "$bench" ]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$build" -j2 --target bench_eval_reml
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$bench" --students "$students" --schools "$schools" --write-csv "$tmp/data.csv" | tee "$tmp/ours.txt"
ours=$(awk '/^PATHWISE_SECONDS/ {print $2}' "$tmp/ours.txt")
if ! command -v Rscript >/dev/null || ! Rscript -e 'suppressPackageStartupMessages(library(lme4))' >/dev/null 2>&1; then
  echo "bench-eval-lmer: R with lme4 not installed (scripts/deps-bench-eval.txt); skipping the lmer side"
  exit 0
fi
cat > "$tmp/lmer.R" <<'R'
suppressPackageStartupMessages(library(lme4))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1], colClasses = c("numeric", "numeric", "numeric", "numeric", "factor"))
t <- system.time(m <- lmer(y ~ treat + pretest + girl + (1 | school), data = d, REML = TRUE))[["elapsed"]]
cat(sprintf("lme4 %s lmer: %d students, %d schools: %.4f s\n", packageVersion("lme4"), nrow(d), nlevels(d$school), t))
fe <- fixef(m); se <- sqrt(diag(as.matrix(vcov(m))))
for (k in seq_along(fe)) cat(sprintf("  %-12s %.10f  se %.10f\n", names(fe)[k], fe[k], se[k]))
vc <- as.data.frame(VarCorr(m))
cat(sprintf("  sigma2_between %.10f  sigma2_within %.10f  REML criterion %.6f\n", vc$vcov[1], vc$vcov[2], REMLcrit(m)))
cat(sprintf("LMER_SECONDS %.6f\n", t))
R
Rscript "$tmp/lmer.R" "$tmp/data.csv" | tee "$tmp/lmer.txt"
lmer=$(awk '/^LMER_SECONDS/ {print $2}' "$tmp/lmer.txt")
awk -v a="$lmer" -v b="$ours" 'BEGIN { printf("ratio: lmer %.3f s / pathwise %.4f s = %.0fx faster\n", a, b, a / b) }'
