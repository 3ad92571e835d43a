#!/usr/bin/env bash
# Creates a throwaway Python venv with a pinned PySpark for the side-by-side benchmark.
#
# Usage: bash scripts/setup/spark.sh [VENV_DIR]      (default: out/venv-spark)
#
# Idempotent: a venv whose pyspark already has the pinned version is left alone.
# Prints the venv's python path as the last line of stdout on success.
#
# Exit codes (read by scripts/bench/job10m/external_spark.ts):
#   0   ready
#   10  python3 (with the venv module) is missing
#   11  java is missing
#   12  java is older than 17
#   13  pip install of pyspark failed
set -euo pipefail

PYSPARK_VERSION="4.0.1"
VENV_DIR="${1:-out/venv-spark}"

if ! command -v python3 >/dev/null 2>&1; then
  echo "setup_spark: python3 not found on PATH; install Python 3.9+ to run the Spark benchmark" >&2
  exit 10
fi
if ! python3 -c "import venv, ensurepip" >/dev/null 2>&1; then
  echo "setup_spark: python3 has no venv/ensurepip module (Debian: apt-get install python3-venv)" >&2
  exit 10
fi
if ! command -v java >/dev/null 2>&1; then
  echo "setup_spark: java not found on PATH; install a Java 17+ runtime (Debian: apt-get install openjdk-17-jre-headless)" >&2
  exit 11
fi
java_major="$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n1)"
if [[ -z "${java_major}" || "${java_major}" -lt 17 ]]; then
  echo "setup_spark: java ${java_major:-unknown} found but PySpark ${PYSPARK_VERSION} needs Java 17+" >&2
  exit 12
fi

py="${VENV_DIR}/bin/python"
# Keep the ~500 MB venv out of git even where out/ is not ignored.
ignore_venv() { printf '*\n' >"${VENV_DIR}/.gitignore"; }
if [[ -x "${py}" ]] && "${py}" -c "import pyspark, sys; sys.exit(0 if pyspark.__version__ == '${PYSPARK_VERSION}' else 1)" \
  >/dev/null 2>&1; then
  ignore_venv
  echo "setup_spark: pyspark ${PYSPARK_VERSION} already installed in ${VENV_DIR}" >&2
  echo "${py}"
  exit 0
fi

echo "setup_spark: creating ${VENV_DIR} with pyspark==${PYSPARK_VERSION} (downloads ~400 MB; takes a few minutes)" >&2
mkdir -p "$(dirname "${VENV_DIR}")"
python3 -m venv "${VENV_DIR}"
ignore_venv
if ! "${py}" -m pip install --disable-pip-version-check --quiet "pyspark==${PYSPARK_VERSION}" >&2; then
  echo "setup_spark: pip install pyspark==${PYSPARK_VERSION} failed" >&2
  exit 13
fi
echo "setup_spark: ready" >&2
echo "${py}"
