#!/usr/bin/haserl
<html><body>
<% if [ -n "$FORM_ip" ]; then
  eval "ping -c 3 $FORM_ip"
fi
cat <<EOF
$x
EOF
case "$a" in (x|y) echo;; *) exit;; esac
n=$(( ${#FORM_n} + 1 ))
%>
<p><%= $FORM_ip %></p>
</html>
