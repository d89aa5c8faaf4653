#!/usr/bin/env bash
# One worker of a sharded `fer score` job: scores shard I of N of INPUT into OUTPUT/shard-I.csv, resumably.
# I comes from the engine: a Kubernetes indexed Job sets JOB_COMPLETION_INDEX, a Slurm array SLURM_ARRAY_TASK_ID
# (both 0-based here). A retried worker resumes its own CSV; every worker computes the same split from the paths alone.
set -euo pipefail
index="${JOB_COMPLETION_INDEX:-${SLURM_ARRAY_TASK_ID:-}}"
if [[ -z "$index" ]]; then echo "score-shard: set JOB_COMPLETION_INDEX (Kubernetes) or SLURM_ARRAY_TASK_ID (Slurm)" >&2; exit 1; fi
: "${SHARDS:?SHARDS: how many workers the job has}" "${INPUT:?INPUT: the folder or list of images}" "${OUTPUT:?OUTPUT: the folder for shard CSVs}"
read -r -a fer <<< "${FER:-fer}" # the CLI; FER="dotnet /app/fer.dll" where it is not on PATH
model=()
if [[ -n "${MODEL:-}" ]]; then model=("$MODEL"); fi
mkdir -p "$OUTPUT"
exec "${fer[@]}" score "${model[@]}" "$INPUT" --shard "$index/$SHARDS" --out "$OUTPUT/shard-$index.csv" --resume
