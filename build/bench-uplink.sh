#!/bin/sh
# Drain a 100,000-event backlog from the real store to mosquitto through the
# uplink, and publish the same payloads with a bare paho loop (100 messages
# in flight), alternately in the same run. Prints both rates and the ratio
# uplink/paho (target: at least 0.7). Needs mosquitto (build/deps.sh).
#
#   build/bench-uplink.sh [iterations]   (default 3)
set -eu
cd "$(dirname "$0")/.."
n="${1:-3}"
out=$(go test -run '^$' -bench '^BenchmarkDrain$' -benchtime "${n}x" ./edge/uplink/)
line=$(printf '%s\n' "$out" | grep '^BenchmarkDrain') || { printf '%s\n' "$out"; exit 1; }
printf '%s\n' "$line" | awk '{
	for (i = 1; i <= NF; i++) {
		if ($(i+1) == "paho_events/s") paho = $i
		if ($(i+1) == "uplink_events/s") up = $i
		if ($(i+1) == "ratio") r = $i
	}
	printf "bare paho loop (100 in flight): %8.0f events/s\n", paho
	printf "uplink from the store:          %8.0f events/s\n", up
	printf "ratio uplink/paho:              %8.2f (target >= 0.70)\n", r
}'
