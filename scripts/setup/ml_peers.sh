#!/usr/bin/env bash
# Creates a throwaway Python venv with the pinned peers of the ML benchmark (scripts/bench/ml/):
# scikit-learn, LightGBM and PySpark. Python is for side-by-side comparisons only, never the product.
#
# Usage: bash scripts/setup/ml_peers.sh [VENV_DIR]      (default: out/venv-ml)
#
# Idempotent: a venv whose packages already have the pinned versions is left alone.
# Prints the venv's python path as the last line of stdout on success.
#
# Exit codes (read by scripts/bench/ml/peers.ts):
#   0   ready
#   10  python3 (with the venv module) is missing
#   13  pip install failed
# Java is only needed by the Spark peer, which checks for it itself.
set -euo pipefail

SKLEARN_VERSION="1.9.1"
LIGHTGBM_VERSION="4.7.0"
# The same PySpark as scripts/setup/spark.sh, so the repository benchmarks one Spark.
PYSPARK_VERSION="4.0.1"
VENV_DIR="${1:-out/venv-ml}"

if ! command -v python3 >/dev/null 2>&1; then
  echo "ml_peers: python3 not found on PATH; install Python 3.10+ to run the ML peers" >&2
  exit 10
fi
if ! python3 -c "import venv, ensurepip" >/dev/null 2>&1; then
  echo "ml_peers: python3 has no venv/ensurepip module (Debian: apt-get install python3-venv)" >&2
  exit 10
fi

py="${VENV_DIR}/bin/python"
ignore_venv() { printf '*\n' >"${VENV_DIR}/.gitignore"; }
check="import sklearn, lightgbm, pyspark, sys; sys.exit(0 if (sklearn.__version__, lightgbm.__version__, pyspark.__version__) == ('${SKLEARN_VERSION}', '${LIGHTGBM_VERSION}', '${PYSPARK_VERSION}') else 1)"
if [[ -x "${py}" ]] && "${py}" -c "${check}" >/dev/null 2>&1; then
  ignore_venv
  echo "ml_peers: scikit-learn ${SKLEARN_VERSION}, lightgbm ${LIGHTGBM_VERSION}, pyspark ${PYSPARK_VERSION} already in ${VENV_DIR}" >&2
  echo "${py}"
  exit 0
fi

echo "ml_peers: creating ${VENV_DIR} (scikit-learn ${SKLEARN_VERSION}, lightgbm ${LIGHTGBM_VERSION}, pyspark ${PYSPARK_VERSION}; downloads ~500 MB)" >&2
mkdir -p "$(dirname "${VENV_DIR}")"
python3 -m venv "${VENV_DIR}"
ignore_venv
if ! "${py}" -m pip install --disable-pip-version-check --quiet \
  "scikit-learn==${SKLEARN_VERSION}" "lightgbm==${LIGHTGBM_VERSION}" "pyspark==${PYSPARK_VERSION}" >&2; then
  echo "ml_peers: pip install failed" >&2
  exit 13
fi
echo "ml_peers: ready" >&2
echo "${py}"
