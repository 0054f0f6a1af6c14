#!/bin/bash
# The dashboard throughput measurement of benches/README.md ("Dashboard throughput").
# usage: benches/dashboard_wrk.sh BIN PORT LABEL
set -u
BIN=$1; PORT=$2; LABEL=$3
DB=/tmp/dash_bench_$LABEL.db
rm -f $DB $DB-wal $DB-shm
$BIN serve --demo --addr 127.0.0.1:$PORT --database sqlite://$DB > /tmp/dash_serve_$LABEL.log 2>&1 &
SPID=$!
for i in $(seq 1 600); do curl -s -o /dev/null http://127.0.0.1:$PORT/login && break; sleep 1; done
JAR=/tmp/dash_jar_$LABEL; rm -f $JAR
CSRF=$(curl -s -c $JAR http://127.0.0.1:$PORT/login | grep -o 'name="_csrf" value="[^"]*"' | head -n 1 | sed 's/.*value="//; s/"$//')
CODE=$(oathtool --totp -b DINGDIANDEMOTOTPDINGDIANDEMOTOTP)
curl -s -b $JAR -c $JAR -o /dev/null -w "login %{http_code} %{redirect_url}\n" \
  --data-urlencode "_csrf=$CSRF" --data-urlencode username=zhouqu --data-urlencode 'password=Demo@2026' \
  --data-urlencode "totp=$CODE" --data-urlencode next=/ http://127.0.0.1:$PORT/login
SESS=$(awk '$6=="dd_session"{print $7}' $JAR)
URL=http://127.0.0.1:$PORT/indicators
curl -s -H "Cookie: dd_session=$SESS" -o /tmp/dash_page_$LABEL.html -w "page %{http_code} %{size_download} bytes\n" $URL
if [ "${WARM:-1}" = 1 ]; then wrk -t2 -c64 -d5s -H "Cookie: dd_session=$SESS" $URL > /dev/null; fi
wrk -t2 -c64 -d20s --latency -H "Cookie: dd_session=$SESS" $URL
uptime
kill $SPID
