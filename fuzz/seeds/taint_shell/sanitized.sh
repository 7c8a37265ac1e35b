#!/bin/sh
host=$(echo "$QUERY_STRING" | tr -dc '0-9.')
eval "ping -c 1 $host"
case "$FORM_mode" in
  on|off) eval "set_mode $FORM_mode" ;;
esac
n="$GET_count"
[ "$n" -ge 0 ] || exit 1
sh -c "sleep $n"
