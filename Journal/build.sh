#!/usr/bin/env bash
# Rebuilds Journal/journal.jsonl from the readable sources beside it, byte for byte:
# SOURCE_DATE_EPOCH fixes the recorded time, so the same sources give the same hashes.
#   Journal/build.sh            (from the repository root; builds fledger first)
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product fledger >/dev/null
fledger=.build/release/fledger
out=Journal/journal.jsonl
rm -f "$out" "$out".fledger-*
export SOURCE_DATE_EPOCH=1704067200   # 2024-01-01T00:00:00Z, when the 2023 books were entered
export FLEDGER_JOURNAL="$out"
"$fledger" init --id 2023-UNIT --unit 505001 --name 泸州市政务服务和公共资源交易中心 --year 2023 --actor 王会计 \
  --memo "公益一类全额拨款事业单位，一级预算单位"
"$fledger" import Journal/source/2023-opening.csv
"$fledger" verify
