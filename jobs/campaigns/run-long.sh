#!/bin/sh
# Runs the reliability campaigns at full size (the 5,000-row crash campaign with 10
# SIGKILLs, four-process runs of 5,000 rows, several PostgreSQL restarts, ...) and prints the
# campaign table for the README.
#
#   jobs/campaigns/run-long.sh                 # every campaign
#   jobs/campaigns/run-long.sh CampaignCrash   # one campaign (a swift test --filter pattern)
#   IDV_CAMPAIGN_SEED=1234 jobs/campaigns/run-long.sh CampaignCrash   # replay a seed it printed
#
# The fast versions of the same campaigns run in every `swift test`. Expect 5-15 minutes on 2 cores.
# Exit status: that of `swift test` (0 when every campaign held its invariants).
set -eu

cd "$(dirname "$0")/../.."
filter="${1:-Campaign}"
log="${IDV_CAMPAIGN_LOG:-${TMPDIR:-/tmp}/idv-campaigns-$(date +%Y%m%d-%H%M%S).log}"

swift build --build-tests >/dev/null
echo "Long campaigns (filter: $filter); full output in $log"
status=0
# Suites run one after another, so a campaign's timings are not disturbed by another's load.
IDV_CAMPAIGN_LONG=1 swift test --skip-build --no-parallel --filter "$filter" >"$log" 2>&1 || status=$?

echo
echo "| campaign | injected | rows | lost | duplicates observed | duplicates flagged | notes |"
echo "|---|---|---|---|---|---|---|"
sed -n 's/^CAMPAIGN-ROW | /| /p' "$log"
echo
grep -E '^campaign [a-z-]+: (seed|scanned)' "$log" || true
grep -E '(Test run with|✘|error:)' "$log" | tail -20 || true
exit "$status"
