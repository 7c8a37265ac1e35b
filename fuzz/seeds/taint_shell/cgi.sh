#!/bin/sh
echo "Content-Type: text/plain"
echo
host=$(echo "$QUERY_STRING" | sed -n 's/^.*host=\([^&]*\).*$/\1/p')
target="$host"
eval "ping -c 1 $target"
