#!/bin/bash
# iotcop batch as a Slurm array job: each array task runs one shard of the image folder, all into
# one PostgreSQL database (docs/batch.md). The shard count is the array size:
#   IOTCOP_DB='postgresql://iotcop@db/iotcop' sbatch --array=0-15 deploy/slurm-batch.sh /shared/firmware
# A task resubmitted alone (its array then has one task) says the shard count in IOTCOP_SHARDS:
#   IOTCOP_SHARDS=16 IOTCOP_DB=... sbatch --array=5 deploy/slurm-batch.sh /shared/firmware
#SBATCH --job-name=iotcop-batch
#SBATCH --cpus-per-task=4
#SBATCH --mem=4G
#SBATCH --time=04:00:00
#SBATCH --output=iotcop-batch-%A_%a.log
set -euo pipefail
images=${1:?usage: sbatch --array=0-N deploy/slurm-batch.sh IMAGE_DIR}
: "${IOTCOP_DB:?set IOTCOP_DB to the postgresql:// URL of the results store}"
: "${SLURM_ARRAY_TASK_ID:?run with sbatch --array}"
shards=${IOTCOP_SHARDS:-${SLURM_ARRAY_TASK_COUNT:-$((SLURM_ARRAY_TASK_MAX + 1))}}
if ((SLURM_ARRAY_TASK_ID >= shards)); then
  echo "slurm-batch.sh: task ${SLURM_ARRAY_TASK_ID} of an array of ${shards}: resubmitting one task," \
    "set IOTCOP_SHARDS to the shard count of the whole run" >&2
  exit 2
fi
exec iotcop batch "$images" --shard "${SLURM_ARRAY_TASK_ID}/${shards}" \
  --jobs "${SLURM_CPUS_PER_TASK:-1}" --db "$IOTCOP_DB" \
  --work "${TMPDIR:-/tmp}/iotcop-${SLURM_ARRAY_JOB_ID}-${SLURM_ARRAY_TASK_ID}"
