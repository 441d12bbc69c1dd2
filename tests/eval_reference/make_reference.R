#!/usr/bin/env Rscript
# Writes the R reference values that tests/unit/eval/r_agreement_test.cc compares Pathwise to.
#
#   Rscript tests/eval_reference/make_reference.R    (from the repository root)
#
# Needs the Debian packages in scripts/deps-bench-eval.txt (r-base-core, r-cran-lme4,
# r-cran-mlmrev, r-cran-clubsandwich, r-cran-sandwich, r-cran-matchit). The tests themselves
# never need R: they read the two files this script writes:
#   exam.csv       the Exam data of mlmRev (4059 students in 65 inner-London schools)
#   reference.csv  case,quantity,term,value  (value printed with 17 significant digits)
suppressPackageStartupMessages({
  library(mlmRev); library(lme4); library(clubSandwich); library(sandwich); library(MatchIt)
})
out_dir <- "tests/eval_reference"
data(Exam, package = "mlmRev")
# The "treatment" is a real binary school characteristic: attending a single-sex school
# (Exam$type == "Sngl"). It is not a program, but it has the structure of a school-level
# intervention, which is what the cluster-robust and multilevel estimators are for.
exam <- data.frame(
  student = seq_len(nrow(Exam)),
  school = as.integer(as.character(Exam$school)),
  normexam = Exam$normexam,
  standLRT = Exam$standLRT,
  girl = as.integer(Exam$sex == "F"),
  single_sex = as.integer(Exam$type == "Sngl"),
  vr = as.character(Exam$vr),
  intake = as.character(Exam$intake)
)
write.csv(exam, file.path(out_dir, "exam.csv"), row.names = FALSE, quote = FALSE)

rows <- list()
put <- function(case, quantity, term, value) {
  rows[[length(rows) + 1]] <<- data.frame(case = case, quantity = quantity, term = term,
                                          value = sprintf("%.17g", value))
}
put_vec <- function(case, quantity, v) for (nm in names(v)) put(case, quantity, nm, v[[nm]])

# 1. OLS with a school-level treatment; CR2 (clubSandwich) and CR1 (sandwich) by school.
for (spec in list(list(name = "ols_school_treatment", f = normexam ~ single_sex + standLRT + girl),
                  list(name = "ols_student_treatment", f = normexam ~ girl + standLRT))) {
  fit <- lm(spec$f, data = exam)
  put_vec(spec$name, "coef", coef(fit))
  put_vec(spec$name, "se_model", sqrt(diag(vcov(fit))))
  v2 <- vcovCR(fit, cluster = exam$school, type = "CR2")
  ct <- coef_test(fit, vcov = v2, test = "Satterthwaite")
  put_vec(spec$name, "se_cr2", setNames(ct$SE, names(coef(fit))))
  put_vec(spec$name, "df_cr2", setNames(ct$df, names(coef(fit))))
  put_vec(spec$name, "p_cr2", setNames(ct$p_Satt, names(coef(fit))))
  v1 <- vcovCL(fit, cluster = ~school, type = "HC1")
  put_vec(spec$name, "se_cr1", sqrt(diag(v1)))
}

# 2. Random-intercept model by REML. The optimizer tolerances are tightened so that the
#    reference is the REML optimum to about 1e-10, not lme4's default stopping point.
ctrl <- lmerControl(optimizer = "bobyqa", optCtrl = list(rhoend = 1e-12, maxfun = 1e5))
m <- lmer(normexam ~ single_sex + standLRT + girl + (1 | school), data = exam, REML = TRUE,
          control = ctrl)
put_vec("reml", "coef", fixef(m))
put_vec("reml", "se", sqrt(diag(as.matrix(vcov(m)))))
vc <- as.data.frame(VarCorr(m))
put("reml", "sigma2_between", "school", vc$vcov[vc$grp == "school"])
put("reml", "sigma2_within", "residual", vc$vcov[vc$grp == "Residual"])
put("reml", "theta", "school", getME(m, "theta")[[1]])
put("reml", "reml_criterion", "", REMLcrit(m))
re <- ranef(m, condVar = TRUE)$school
cv <- attr(re, "postVar")
for (i in seq_len(nrow(re))) {
  put("reml", "ranef", rownames(re)[i], re[i, 1])
  put("reml", "ranef_sd", rownames(re)[i], sqrt(cv[1, 1, i]))
}
# lme4 with its default optimizer settings, for the record (not compared at 1e-6).
m0 <- lmer(normexam ~ single_sex + standLRT + girl + (1 | school), data = exam, REML = TRUE)
put_vec("reml_default_optimizer", "coef", fixef(m0))

# 3. Propensity score (logistic regression) and 1:1 nearest-neighbour matching without
#    replacement, MatchIt's defaults (distance = "glm", m.order = "largest"). Which of several
#    comparison students with the same propensity score MatchIt picks is an implementation
#    detail, so the test compares the propensity score of each treated student's partner.
for (spec in list(list(name = "match_nocaliper", caliper = NULL))) {
  mi <- if (is.null(spec$caliper)) {
    matchit(single_sex ~ standLRT + girl, data = exam, method = "nearest", distance = "glm")
  } else {
    matchit(single_sex ~ standLRT + girl, data = exam, method = "nearest", distance = "glm",
            caliper = spec$caliper)
  }
  ps_fit <- glm(single_sex ~ standLRT + girl, data = exam, family = binomial())
  put_vec(spec$name, "ps_coef", coef(ps_fit))
  mm <- mi$match.matrix
  for (i in seq_len(nrow(mm))) {
    put(spec$name, "pair", rownames(mm)[i], if (is.na(mm[i, 1])) 0 else as.integer(mm[i, 1]))
  }
  md <- match.data(mi)
  put(spec$name, "n_matched_treated", "", sum(md$single_sex == 1))
  put(spec$name, "n_matched_control", "", sum(md$single_sex == 0))
  put(spec$name, "mean_diff", "normexam",
      mean(md$normexam[md$single_sex == 1]) - mean(md$normexam[md$single_sex == 0]))
}
write.csv(do.call(rbind, rows), file.path(out_dir, "reference.csv"), row.names = FALSE, quote = FALSE)
cat("wrote", file.path(out_dir, "exam.csv"), "and", file.path(out_dir, "reference.csv"), "\n")
cat("R", R.version.string, "lme4", as.character(packageVersion("lme4")),
    "clubSandwich", as.character(packageVersion("clubSandwich")),
    "sandwich", as.character(packageVersion("sandwich")),
    "MatchIt", as.character(packageVersion("MatchIt")), "\n")
