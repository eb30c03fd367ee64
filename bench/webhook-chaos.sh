#!/usr/bin/env bash
# Replays the 1,000-webhook chaos scenario and prints "1000/1000 delivered, N duplicates".
#
#   bench/webhook-chaos.sh [WEBHOOKS] [SEED]
#
# What happens (see desktop-app/src/test/java/dev/portway/desktop/e2e/WebhookChaosIT.java):
# relay-lite and the portway client run as separate JVMs with their stores on disk. The client binds
# a queued tunnel and is killed; WEBHOOKS POSTs arrive at the relay and are answered 202 and stored.
# The client starts again and the relay delivers; at random points (from SEED) the relay and the
# client are each killed with SIGKILL and started again on the same data. At the end every accepted
# webhook must have reached the local app; duplicates (at-least-once delivery) are counted.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000}
seed=${2:-$RANDOM$RANDOM}
log=$(mktemp /tmp/portway-chaos-XXXXXX.log)
echo "chaos: $n webhooks, seed $seed (log: $log)"
if mvn -B -pl desktop-app -am verify -DskipTests=false -Dtest=NoSuchTest -Dsurefire.failIfNoSpecifiedTests=false \
     -Dit.test=WebhookChaosIT -Dfailsafe.failIfNoSpecifiedTests=false \
     -Dportway.chaos.webhooks="$n" -Dportway.chaos.seed="$seed" > "$log" 2>&1; then
  grep -E "^chaos seed|delivered, [0-9]+ duplicates" "$log"
else
  grep -E "^chaos seed|delivered, [0-9]+ duplicates|FAIL|never delivered" "$log" || tail -n 40 "$log"
  echo "chaos: FAILED — see $log" >&2
  exit 1
fi
