#!/usr/bin/env bash
# The same job as a Slurm array, submitted from the repository root: `sbatch samples/scale-out/slurm-array.sh`, then,
# when all tasks are done,
# `OUTPUT=/shared/scores samples/scale-out/merge.sh` (or submit it with --dependency=afterok:<job id>).
#SBATCH --job-name=fer-score
#SBATCH --array=0-7
#SBATCH --cpus-per-task=2
#SBATCH --mem=2G
export SHARDS=8 INPUT=/shared/images OUTPUT=/shared/scores FER="${FER:-/shared/FerMlNet/fer}"
exec "${SLURM_SUBMIT_DIR:-.}/samples/scale-out/score-shard.sh" # Slurm runs a copy of this file, so not $0's folder
