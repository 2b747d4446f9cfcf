#!/usr/bin/env bash
# Rebuilds Journal/journal.jsonl from the readable sources beside it, byte for byte:
# SOURCE_DATE_EPOCH fixes the recorded time, so the same sources give the same hashes.
#   Journal/build.sh            (from anywhere; builds fledger first)
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product fledger >/dev/null
fledger=.build/release/fledger
out=Journal/journal.jsonl
rm -f "$out" "$out".fledger-*
export FLEDGER_JOURNAL="$out"

# 2022, entered from the books on 2023-01-10.
export SOURCE_DATE_EPOCH=1673308800
"$fledger" init --id 2022-UNIT --unit 505001 --name 泸州市政务服务和公共资源交易中心 --year 2022 --actor 王会计 \
  --memo "公益一类全额拨款事业单位，一级预算单位，无下属二级决算单位"
"$fledger" import Journal/source/2022.csv
# Facts of 2022 the document needs (its vehicle, its reception's 批次 and 人次): make_facts.py.
"$fledger" import Journal/source/2022-facts.jsonl
# The 2022 close: every line fully spent, nothing to carry; it opens 2023.
"$fledger" close --year 2022 --actor 王会计 --memo "2022年度年终结账"

# 2023, entered from the books on 2024-01-10.
export SOURCE_DATE_EPOCH=1704844800
"$fledger" import Journal/source/2023.csv
# The 2023 close. Project 51050023T000008267900 left 3,000.00 unspent; the seed's 年末结转和结余
# is 0 (收、支总计 both 763.18), so it lapses (收回) instead of carrying forward by the default rule.
"$fledger" close --year 2023 --actor 王会计 --lapse 51050023T000008267900 --memo "2023年度年终结账；电子招投标子系统项目结余0.30万元收回"
# After the close, the document's facts of 2023: its words, receptions, 绩效 targets, results and scores.
"$fledger" import Journal/source/2023-facts.jsonl
"$fledger" verify
