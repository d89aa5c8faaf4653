#!/usr/bin/env bash
# The job's last step: joins OUTPUT/shard-*.csv into OUTPUT/all.csv after `fer score --merge` has checked that all
# SHARDS shards are there and together hold every input file exactly once (it names what is missing otherwise).
set -euo pipefail
: "${OUTPUT:?OUTPUT: the folder of shard CSVs}"
read -r -a fer <<< "${FER:-fer}"
shopt -s nullglob
shards=("$OUTPUT"/shard-*.csv)
if (( ${#shards[@]} == 0 )); then echo "merge: no shard CSVs in $OUTPUT" >&2; exit 1; fi
exec "${fer[@]}" score --merge "${shards[@]}" --out "$OUTPUT/all.csv"
